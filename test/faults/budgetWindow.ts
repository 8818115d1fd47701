// A "window" in its own process for the hard-budget fault tests: a pipeline with a SharedBudget on the
// given ledger, sending `count` requests at once to the fake OpenAI, then printing one JSON line.
// Usage: node budgetWindow.js '{"dir","url","limit","count","session","hold"?}'
//   hold: admit `count` reservations through the gate, print {"held":n}, then wait to be killed.
import { OpenAICompatibleBackend } from '../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../src/core/budget/budgetGate';
import { SharedBudget } from '../../src/core/budget/sharedBudget';
import { Catalog } from '../../src/core/catalog/catalog';
import { defaultEstimateSettings } from '../../src/core/estimate';
import { Ledger, RecordQueue } from '../../src/core/ledger';
import { Pipeline } from '../../src/core/pipeline';

interface Args { dir: string; url: string; limit: number; count: number; session: string; hold?: boolean }

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as Args;
  const own = new Set([a.session]);
  const shared = new SharedBudget({ ledgerDir: a.dir, workspaceId: 'ws', ownSessions: () => own });
  shared.beginBaseline()();
  const gate = new BudgetGate({ limits: { day: { usd: a.limit } }, warnAt: 0.8, action: 'block' }, { shared });
  const model = Catalog.builtIn().get('gpt-5-mini')!;
  if (a.hold) {
    let held = 0;
    for (let i = 0; i < a.count; i++) {
      const r = gate.admit({ location: 'cloud', estimate: { tokens: { input: 400, output: 800 }, energy: { wh: 0.1 }, cost: { usd: a.limit / a.count } } });
      if (r.verdict === 'admit') held++;
    }
    process.stdout.write(JSON.stringify({ held }) + '\n');
    setInterval(() => undefined, 1000);
    return;
  }
  const ledger = new Ledger(a.dir);
  const queue = new RecordQueue(() => ledger, (m) => process.stderr.write(`${m}\n`));
  const pipeline = new Pipeline({
    candidates: async () => [model],
    backendFor: () => new OpenAICompatibleBackend({ baseUrl: `${a.url}/v1`, apiKey: async () => 'sk-test-openai-0000' }),
    countInputTokens: () => 400,
    gate,
    append: (r) => queue.append(r),
    settings: () => ({ mode: 'suggest', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '' }),
  });
  let answered = 0;
  let blocked = 0;
  let estimateUsd = 0;
  await Promise.all(Array.from({ length: a.count }, async (_, i) => {
    for await (const e of pipeline.run({ id: `${a.session}-${i}`, messages: [{ role: 'user', content: `Explain step ${i} of the build.` }], surface: 'chat', workspace: { id: 'ws', name: 'W' }, session: a.session }, { kind: 'model', modelId: 'gpt-5-mini' }, new AbortController().signal)) {
      if (e.type === 'decision') estimateUsd = e.decision.estimate.cost.usd;
      if (e.type === 'done') answered++;
      if (e.type === 'blocked') blocked++;
    }
  }));
  process.stdout.write(JSON.stringify({ answered, blocked, estimateUsd }) + '\n');
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
