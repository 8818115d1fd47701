// docs/energy-model.md, rendered from the code: formulas are stated next to the constants the code uses, and
// every table is computed by the same functions the extension calls. `npm run docs:energy` writes the file;
// test/unit/energy/modelDoc.test.ts fails when the checked-in file differs from this output.
import { Catalog } from '../../catalog/catalog';
import { ModelSpec, Provider, TokenCounts } from '../../types';
import { compareWithEcoLogits, evaluateMlEnergyAnchors, evaluateProductionAnchors, mlEnergyFit, MLENERGY_FACTOR } from '../anchors';
import { cloudEnergy, decodeJoulesPerToken, prefillJoulesPerToken, ServingScenario, servingScenarios } from '../cloudEnergy';
import { cloudEmbodiedG } from '../ecologits';
import { MEASURED_CONTEXT_TOKENS, MLENERGY_CLASSES, ModelClass, referenceModel } from '../mlenergy';
import { deployment } from '../serving';
import { lift, Range } from '../range';
import { carbonGrams, dataCentreRegion, dataCentreSource, GRID_DATA_VERSION, listGridRegions } from '../../cost/carbon';
import { cloudCostUsd } from '../../cost/money';
import { PRICE_OVERRIDES, resolvePrice } from '../../cost/prices';
import { copilotFacts } from '../../catalog/specExtensions';
import { CLOUD_CONSTANTS, ConstantRow, EMBODIED_CONSTANTS, LOCAL_CONSTANTS } from './constants';
import { localDeviceSection } from './localDoc';
import { int, num, range3, ratio, table, yes } from './markdown';
import { STATIC_CAPABILITY, STATIC_INTRO, STATIC_TOKENIZERS, STATIC_UPDATING } from './prose';
import { runsLocally } from '../../modelLocation';

/** Prices in the examples are read as of this instant, so the document does not change with the clock. */
export const DOC_PRICE_DATE = new Date('2026-12-02T12:00:00Z');

const tokens = (input: number, output: number, cachedInput = 0): TokenCounts => ({ input, cachedInput, output, reasoning: 0 });

export function renderEnergyModelDoc(catalog: Catalog = Catalog.builtIn()): string {
  return [
    STATIC_INTRO,
    cloudFormulaSection(),
    constantsTable('Cloud constants', CLOUD_CONSTANTS),
    deploymentSection(catalog),
    mlEnergySection(),
    productionSection(catalog),
    prefillSection(),
    ecologitsSection(catalog),
    embodiedSection(catalog),
    cloudExamplesSection(catalog),
    localDeviceSection(catalog),
    constantsTable('Local constants', LOCAL_CONSTANTS),
    moneySection(catalog),
    carbonSection(),
    STATIC_CAPABILITY,
    STATIC_TOKENIZERS,
    STATIC_UPDATING,
  ].join('\n\n') + '\n';
}

function valueCell(v: number | Range): [string, string, string] {
  return typeof v === 'number' ? ['', num(v, 4), ''] : [num(v.low, 4), num(v.mid, 4), num(v.high, 4)];
}

export function constantsTable(title: string, rows: ConstantRow[]): string {
  return `### ${title}\n\n` + table(['Constant', 'Low', 'Central', 'High', 'Unit', 'Source'],
    rows.map((r) => [`\`${r.name}\``, ...valueCell(r.value), r.unit, r.source]));
}

function cloudFormulaSection(): string {
  return `## Cloud energy (method \`cloud-params\`)

Code: \`src/core/energy/cloudEnergy.ts\`, \`serving.ts\`, \`range.ts\`. Every uncertain input is a \`Range\`
\`{low, mid, high}\` ordered by its effect on energy (the low end is the most efficient: large batch, B200-class
hardware, high utilisation, fewest parameters); each formula below is written once for plain numbers and
evaluated at the three ends (\`lift\`). Parameters \`P\` (active) and \`T\` (total) are in billions; the centre is
their geometric mean.

\`\`\`
deployment      b = bytes/param as served: the model's own (serving.bytesPerParam), else 2 (BF16) below
                    FP8_FROM_TOTAL_B total parameters, 1 (FP8) above
                n_gpu = 2^ceil(log2(ceil(MEMORY_OVERHEAD · T · b / GPU_MEMORY_GB)))        H100s, tensor parallel
decode  [J/output token, accelerators]
  e_dec(ctx) = STREAM_J_PER_GB · T·b · share(B) / B                 weights streamed once per step, shared by B
             + COMPUTE_J_PER_TOKEN_PER_B · P                         FLOPs and activations
             + GPU_J_PER_TOKEN · n_gpu                               per-GPU overheads, communication
             + STREAM_J_PER_GB · kv_bytes · ctx / 1e9                KV cache re-read each step
  share(B)   = 1 for dense; 1 − (1 − P/T)^B for MoE (experts the batch routes to)
  × EXPERT_PARALLEL_FACTOR for a MoE on more than one GPU;  × FIT_RESIDUAL
prefill [J/fresh input token, accelerators]
  e_pre(ctx) = 2 · P·1e9 · H100_POWER_W / (PREFILL_MFU · peak) · (1 + ctx / ATTENTION_HALF_CONTEXT)
               peak = H100 FP8 TFLOPS if b ≤ 1 else BF16 TFLOPS
cached input [J/token] = CACHED_PREFILL_FACTOR · e_pre(0)
request [J] = HARDWARE_FACTOR · ( out · e_dec(in + out/2) + fresh · e_pre(cached + fresh/2) + cached · CACHED_PREFILL_FACTOR · e_pre(0) )
request [Wh at the meter] = PUE · IT_OVERHEAD_FACTOR · request [J] / 3600
\`\`\`

\`IT_OVERHEAD_FACTOR\` adds the host CPU/DRAM and idle reserve machines that Google measured (accelerators are
58% of the median Gemini prompt's energy); PUE adds the data-centre overhead. Reasoning tokens are output
tokens. A request's \`wh\` is the centre; \`low\` and \`high\` bound it.`;
}

function deploymentRows(label: string, model: ModelSpec): Array<Array<string | number>> {
  const s = servingScenarios(model);
  const dep = (x: ServingScenario) => deployment(x.totalB, x.activeB, { bytesPerParam: x.bytesPerParam, gpus: x.gpus });
  const cell = (f: (x: ServingScenario) => string) => `${f(s.low)} / ${f(s.mid)} / ${f(s.high)}`;
  return [[label, cell((x) => num(x.activeB)), cell((x) => num(x.totalB)), cell((x) => `${dep(x).bytesPerParam}`), cell((x) => `${dep(x).gpus}`),
    cell((x) => `${x.batch}`), range3(lift((x: ServingScenario) => x.fitResidual * x.hardware * decodeJoulesPerToken(x, 600))(s))]];
}

function deploymentSection(catalog: Catalog): string {
  const rows: Array<Array<string | number>> = [];
  for (const cls of Object.keys(MLENERGY_CLASSES) as ModelClass[]) rows.push(...deploymentRows(`${MLENERGY_CLASSES[cls].name} (measured config)`, referenceModel(cls)));
  for (const [id, p] of [['gpt-4o-mini', 'openai'], ['gpt-4o', 'openai'], ['gpt-5', 'openai'], ['claude-sonnet-4-5', 'anthropic'], ['gemini-2.5-flash', 'google'], ['gemini-2.5-pro', 'google'], ['deepseek-v4-pro', 'openai-compatible']] as Array<[string, Provider]>) {
    const m = catalog.get(id, p);
    if (m) rows.push(...deploymentRows(`${p}/${id}`, m));
  }
  return `### Deployment per model class (low / central / high end)

Serving batch, precision and GPU count as the formulas above choose them; the last column is accelerator
J per output token at 600 tokens of context over the serving range (not at ML.ENERGY's batch).

` + table(['Model', 'P active (B)', 'T total (B)', 'bytes/param', 'GPUs', 'batch', 'J/output token (low – central – high)'], rows);
}

function anchorRows(rs: ReturnType<typeof evaluateMlEnergyAnchors>): Array<Array<string | number>> {
  return rs.map((r) => [r.anchor, `${num(r.published)} ${r.unit}`, r.scenario, num(r.low), num(r.wh), num(r.high), ratio(r.ratio), yes(r.insideRange)]);
}

const ANCHOR_HEADER = ['Anchor', 'Published', 'Scenario', 'Low', 'Central', 'High', 'Central / published', 'Inside [low, high]'];

function mlEnergySection(): string {
  const fit = mlEnergyFit();
  const byClass = new Map<ModelClass, typeof fit>();
  for (const p of fit) byClass.set(p.cls, [...(byClass.get(p.cls) ?? []), p]);
  const sweep = [...byClass.entries()].map(([cls, pts]) => [MLENERGY_CLASSES[cls].name,
    pts.map((p) => `${p.batch}: ${num(p.measured)} / ${num(p.model)} (${p.ratio.toFixed(2)})`).join('; ')]);
  const ratios = fit.filter((p) => p.cls.startsWith('dense')).map((p) => p.ratio);
  return `## Check against ML.ENERGY (GPU energy per output token)

ML.ENERGY Leaderboard v3 (H100 SXM, vLLM 0.11.1) measures GPU energy only, so the comparison uses accelerator
energy (no host overhead, no PUE) at the measured batch, precision and GPU count, with ${MEASURED_CONTEXT_TOKENS} tokens of
context. Tests (\`test/unit/energy/anchors.test.ts\`) require every class inside \`[low, high]\` and the centre
within ${MLENERGY_FACTOR}×.

` + table(ANCHOR_HEADER, anchorRows(evaluateMlEnergyAnchors())) + `

Every measured point (batch: measured J / model centre J (ratio)); dense sweeps ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×:

` + table(['Configuration', 'batch: measured / model (ratio)'], sweep);
}

function productionSection(catalog: Catalog): string {
  return `## Check against Epoch AI and Google (whole request, at the meter)

Epoch AI's figures are estimates (GPT-4o on H100, "relatively pessimistic"); Google's is a measurement of the
median Gemini Apps text prompt including host, idle machines and PUE, without token counts. Tests require each
inside \`[low, high]\` and Epoch's short-prompt figure's centre within 2×.

` + table(ANCHOR_HEADER, anchorRows(evaluateProductionAnchors(catalog))) + `

Reading these honestly: Epoch's 10k and 100k figures scale prefill by FLOPs with a pessimistic utilisation;
Rightsize's centre is about half of them. Google's figure depends on prompt length and on Gemini 2.5 Flash's
size, which is unpublished (EcoLogits' current estimate is a 440B MoE); the anchor lies inside the range and the
centre is above it.`;
}

function prefillSection(): string {
  const rows = (Object.keys(MLENERGY_CLASSES) as ModelClass[]).map((cls) => {
    const s = servingScenarios(referenceModel(cls));
    const pre = lift((x: ServingScenario) => x.hardware * prefillJoulesPerToken(x, 1000))(s);
    const dec = lift((x: ServingScenario) => x.hardware * x.fitResidual * decodeJoulesPerToken({ ...x, batch: 64 }, MEASURED_CONTEXT_TOKENS))(s);
    return [MLENERGY_CLASSES[cls].name, range3(pre), range3(dec), ratio(dec.mid / pre.mid)];
  });
  return `### Prefill

Prefill is compute-bound: \`2·P\` FLOPs per token at the H100's joules per FLOP (board power / peak) divided
by the utilisation. ML.ENERGY v3 publishes no separate prefill energy; the published checks are Epoch AI's
long-input estimates above and the H100 datasheet bound (at 100% utilisation and full board power, Llama 3.1 8B
BF16 prefill costs 2 · 8.03e9 · 700 / 989.4e12 = 0.0114 J per token, so no measurement can be lower). At
1,000 tokens of context:

` + table(['Configuration', 'Prefill J/input token', 'Decode J/output token (batch 64)', 'Decode / prefill (centre)'], rows);
}

function ecologitsSection(catalog: Catalog): string {
  const rows = compareWithEcoLogits(catalog).map((c) => [c.model, c.scenario, range3(c.ours), range3(c.ecologits), ratio(c.ratio)]);
  return `## Comparison with EcoLogits (same catalog parameters)

EcoLogits' own formulas (\`ecologits/impacts/llm.py\`: 16-bit weights, GPU count from memory, batch 4–16,
energy per GPU multiplied by every GPU, server power through its latency regression; output tokens only),
computed by \`ecologitsEnergyWh\` from the constants restated in \`src/core/energy/ecologits.ts\`. Rightsize uses
ML.ENERGY's production-like batches (32–256) and charges the per-GPU floor once per GPU rather than the whole
per-GPU energy, which is why it sits well below EcoLogits for frontier models; ML.ENERGY's measurements above
are the arbiter.

` + table(['Model', 'Tokens', 'Rightsize Wh (low – central – high)', 'EcoLogits Wh (low – central – high)', 'Rightsize / EcoLogits'], rows);
}

function embodiedSection(catalog: Catalog): string {
  const rows = (['gpt-4o', 'gpt-5', 'gpt-4o-mini'] as const).map((id) => {
    const m = catalog.get(id, 'openai')!;
    const t = tokens(1000, 500);
    const e = cloudEnergy(m, t);
    const g = carbonGrams(e.mid, dataCentreRegion(m).gPerKwh);
    const emb = cloudEmbodiedG(m, t);
    return [`openai/${id}`, '1,000 in + 500 out', num(g), range3(emb), `${Math.round((100 * emb.mid) / (emb.mid + g))}%`];
  });
  return `## Embodied emissions (reported separately)

EcoLogits' method (\`ecologits/impacts/llm.py\`, hardware_defaults.json): the serving group's manufacturing
emissions, \`(n_gpu/8 · server + n_gpu · GPU)\` kg CO2e, spread over a 3-year life and charged for the time the
request holds the hardware — decode holds \`1/B\` of the group for EcoLogits' latency regression, prefill holds the
whole group for its FLOP time. Shown as \`carbon.embodiedG\`; added to the headline grams only with
\`rightsize.carbon.includeEmbodied\` (EcoLogits reports it as 16–18% of its totals).

` + constantsTable('Embodied constants', EMBODIED_CONSTANTS) + '\n\n' +
  table(['Model', 'Tokens', 'Usage g CO2e (data-centre grid)', 'Embodied g CO2e (low – central – high)', 'Embodied share of total'], rows);
}

function usd(model: ModelSpec, t: TokenCounts): { usd: string; source: string } {
  const p = resolvePrice(model, DOC_PRICE_DATE);
  if (p.prices) return { usd: num(cloudCostUsd(p.prices, t)), source: p.source.split(' (')[0] };
  return { usd: '0', source: `${p.origin}: ${p.source.split(' (')[0]}` };
}

function cloudExamplesSection(catalog: Catalog): string {
  const short = tokens(1000, 500);
  const agent = tokens(20_000, 800, 15_000);
  const rows = catalog.all().filter((m) => !runsLocally(m)).filter((m) => m.provider !== 'copilot').map((m) => {
    const a = cloudEnergy(m, short);
    const b = cloudEnergy(m, agent);
    const region = dataCentreRegion(m);
    const pa = usd(m, short);
    const pb = usd(m, agent);
    return [`${m.provider}/${m.id}`, range3(a), pa.usd, range3(b), pb.usd, `${num(carbonGrams(b.mid, region.gPerKwh))} (${region.id})`, pa.source];
  });
  return `## Examples (generated)

Two requests per cloud model with default settings: a chat turn (1,000 input + 500 output tokens) and an
agentic turn (20,000 input of which 15,000 cached + 800 output). Prices as of ${DOC_PRICE_DATE.toISOString().slice(0, 10)}; carbon at the
provider's data-centre region, without embodied emissions. Copilot entries (below, under Money) use the
same energy model with the underlying model's parameters.

` + table(['Model', 'Wh chat (low – central – high)', 'USD chat', 'Wh agentic', 'USD agentic', 'g CO2e agentic (region)', 'Price source'], rows);
}

function copilotRows(catalog: Catalog): Array<Array<string | number>> {
  return catalog.all().filter((m) => m.provider === 'copilot').map((m) => {
    const f = copilotFacts(m);
    const p = resolvePrice(m, DOC_PRICE_DATE);
    const rate = p.prices ? `$${num(p.prices.inputPerMTokUsd)} / $${num(p.prices.outputPerMTokUsd)}` : '$0 (included)';
    const total = (m as ModelSpec & { contextWindowTokens?: number }).contextWindowTokens;
    return [m.id, f?.status ?? 'current', rate, f?.premiumRequestMultiplier === undefined ? '–' : `${f.premiumRequestMultiplier}×`,
      int(m.contextTokens), total ? int(total) : '–', p.origin];
  });
}

function moneySection(catalog: Catalog): string {
  const c = PRICE_OVERRIDES.copilot;
  return `## Money

**Cloud.** Prices come from \`@pydantic/genai-prices\` (pinned, bundled data, its remote update never enabled:
no network at run time), loaded on the first price lookup; catalog ids map to it by provider and id or by
\`priceRef\`. What it lacks is in \`src/core/cost/priceOverrides.json\` (${Object.keys(PRICE_OVERRIDES.prices).length} Copilot prices, ${Object.keys(PRICE_OVERRIDES.subscriptions).length} Ollama
subscriptions, each sourced); a test fails when a catalog model has no price source or an override duplicates
the package.

\`\`\`
usd = [ fresh·input + cached·cached_input + cacheWrite·cache_write + (out − reasoning)·output + reasoning·reasoning_price ] / 1e6
\`\`\`

USD per million tokens; cached and cache-write prices fall back to the input price, the reasoning price to the
output price; a long-context tier (e.g. above 200K or 272K input tokens) bills the whole request at that tier.

**GitHub Copilot** (rules dated ${c.date}): billing \`${c.billing}\`, 1 credit = $${c.usdPerCredit}. A model GitHub lists
without a per-token rate is included in paid plans: money $0, method \`copilot-included\`. The legacy
premium-request multiplier is reported separately as \`cost.premiumRequests\` (requests, not dollars) for
plans still on request-based billing. Source: ${PRICE_OVERRIDES.sources[c.source] ?? c.source}

` + table(['Copilot model', 'Status', 'Input / output USD per MTok', 'Premium requests', 'Input tokens', 'Total window', 'Price origin'], copilotRows(catalog)) + `

**Local** (method \`electricity\`, or \`electricity+hardware\`):
\`usd = kWh · electricityUsdPerKwh + hardware.priceUsd / hardware.lifetimeHours · hours_used\`.`;
}

function carbonSection(): string {
  const regions = listGridRegions().map((r) => [r.id, r.name, r.gPerKwh, r.source]);
  const providers: Provider[] = ['openai', 'anthropic', 'google', 'copilot', 'openai-compatible', 'ollama'];
  const dc = providers.map((p) => [p, dataCentreRegion({ provider: p } as ModelSpec).id, dataCentreSource(p)]);
  return `## Carbon

\`g CO2e = kWh × grid intensity\` where the electricity is used: a cloud request at its provider's data-centre
region (a model's own \`region\` wins, e.g. DeepSeek: China), a local request at the user's grid
(\`rightsize.carbon.gridIntensityGPerKwh\` or a region). \`rightsize.carbon.cloudGridIntensityGPerKwh\` (user or
machine scope only) overrides the data-centre value. Region values are EcoLogits' electricity mixes
(grid.json ${GRID_DATA_VERSION}, \`src/core/cost/data/ecologits-mixes.json\`, refreshed by
\`scripts/refresh-ecologits.js\`).

` + table(['Provider', 'Data-centre region', 'Source'], dc) + '\n\n' + table(['Region', 'Name', 'g CO2e/kWh', 'Source'], regions);
}
