import * as assert from 'node:assert/strict';
import { Catalog, parseCatalogData } from '../../../src/core/catalog/catalog';
import { CatalogModelSpec } from '../../../src/core/catalog/specExtensions';
import { scoreFromHumanEval, scoreFromLiveCodeBench } from '../../../src/core/catalog/capability';
import { ModelSpec } from '../../../src/core/types';
import raw from '../../../src/core/catalog/models.json';
import ecologits from '../../../src/core/catalog/data/ecologits-models.json';
import { resolvePrice } from '../../../src/core/cost/prices';

const REQUIRED_CLOUD = [
  'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4.1', 'gpt-4o', 'gpt-4o-mini',
  'claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-pro', 'gemini-2.5-flash',
];
const REQUIRED_LOCAL = [
  'qwen2.5-coder:0.5b', 'qwen2.5-coder:1.5b', 'qwen2.5-coder:3b', 'qwen2.5-coder:7b', 'qwen2.5-coder:14b',
  'qwen2.5-coder:32b', 'qwen3-coder:30b', 'deepseek-coder-v2:16b', 'codellama:7b', 'llama3.1:8b', 'gpt-oss:20b', 'devstral:24b',
];

const catalog = Catalog.builtIn();
const all = catalog.all() as CatalogModelSpec[];
const topSources = (raw as { sources: Record<string, string> }).sources;

/** Every source text must name a top-level reference, or say it is an assumption/derived/runtime value. */
function sourceIsTraceable(text: string): boolean {
  if (/^(assumption|derived)\b/.test(text)) return true;
  const ref = /^([a-z0-9.-]+)/.exec(text)?.[1];
  return !!ref && ref in topSources;
}

describe('catalog: data', () => {
  it('has a version and loads through the validator', () => {
    const parsed = parseCatalogData(raw);
    assert.match(parsed.version, /^\d{4}-\d{2}-\d{2}/);
    assert.ok(parsed.models.length >= REQUIRED_CLOUD.length + REQUIRED_LOCAL.length);
  });

  it('has every required cloud model at its own provider, as the provider API spells it', () => {
    for (const id of REQUIRED_CLOUD) {
      const m = catalog.get(id);
      assert.ok(m, `missing ${id}`);
      assert.equal(m.id, id);
      assert.equal(m.location, 'cloud');
      assert.notEqual(m.provider, 'copilot', `${id} should resolve to its own provider first`);
    }
  });

  it('has every required local Ollama tag', () => {
    for (const id of REQUIRED_LOCAL) {
      const m = catalog.get(id);
      assert.ok(m, `missing ${id}`);
      assert.equal(m.provider, 'ollama');
      assert.equal(m.location, 'local');
    }
  });

  it('has GitHub Copilot models with Copilot ids and per-token prices, except the included ones', () => {
    const copilot = catalog.all().filter((m) => m.provider === 'copilot') as CatalogModelSpec[];
    assert.ok(copilot.length >= 8);
    for (const id of ['claude-sonnet-4.5', 'claude-haiku-4.5', 'claude-opus-4.5', 'gpt-5-mini', 'gpt-4.1']) {
      const m = catalog.get(id, 'copilot') as CatalogModelSpec | undefined;
      assert.ok(m, `missing Copilot ${id}`);
      assert.equal(m.copilot?.apiId, id);
      const price = resolvePrice(m);
      // Issue 11 changed gpt-4.1: it is included in Copilot plans (no token rate), not $2/$8.
      if (id === 'gpt-4.1') assert.equal(price.origin, 'copilot-included');
      else assert.ok(price.prices && price.prices.outputPerMTokUsd > 0, `${id}: ${price.source}`);
    }
  });

  it('gives every numeric field a source, and every source is traceable', () => {
    for (const m of all) {
      const need = ['params', 'contextTokens', 'maxOutputTokens', 'capability', 'tokenizer', 'prices'];
      if (m.contextWindowTokens !== undefined) need.push('contextWindowTokens');
      if (m.pue !== undefined) need.push('pue');
      if (m.local?.weightsGB !== undefined) need.push('weightsGB');
      if (m.copilot?.premiumRequestMultiplier !== undefined) need.push('premiumRequestMultiplier');
      if ((m as CatalogModelSpec).reasoning !== undefined) need.push('reasoning');
      for (const k of need) {
        assert.ok(m.sources[k], `${m.provider}/${m.id}: no source for ${k}`);
      }
      for (const [k, text] of Object.entries(m.sources)) {
        assert.ok(sourceIsTraceable(text), `${m.provider}/${m.id}: source ${k} not traceable: ${text}`);
      }
      assert.ok(m.capability.source && m.capability.benchmark, `${m.id}: capability needs benchmark and source`);
      if (m.prices) assert.ok(sourceIsTraceable(m.prices.source), `${m.id}: price source not traceable`);
    }
  });

  it('has non-negative prices, dated, with cached input no dearer than fresh input', () => {
    for (const m of all) {
      const p = resolvePrice(m).prices;
      if (!p) continue;
      for (const v of [p.inputPerMTokUsd, p.outputPerMTokUsd, p.cachedInputPerMTokUsd, p.cacheWritePerMTokUsd, p.reasoningPerMTokUsd]) {
        if (v !== undefined) assert.ok(v >= 0 && Number.isFinite(v), `${m.id}: bad price ${v}`);
      }
      assert.match(p.date, /^\d{4}-\d{2}-\d{2}$/);
      if (p.cachedInputPerMTokUsd !== undefined) assert.ok(p.cachedInputPerMTokUsd <= p.inputPerMTokUsd, `${m.id}`);
    }
  });

  it('has ordered ranges, active <= total, and sane limits', () => {
    for (const m of all) {
      const { totalB, activeB } = m.params;
      assert.ok(totalB.min > 0 && totalB.min <= totalB.max, `${m.id}: totalB`);
      assert.ok(activeB.min > 0 && activeB.min <= activeB.max, `${m.id}: activeB`);
      assert.ok(activeB.min <= totalB.min && activeB.max <= totalB.max, `${m.id}: active > total`);
      assert.ok(m.maxOutputTokens <= m.contextTokens, `${m.id}: output cap above context`);
      assert.ok(m.capability.score >= 0 && m.capability.score <= 100, `${m.id}: score`);
      if (m.location === 'cloud') assert.ok(m.pue !== undefined && m.pue >= 1 && m.pue < 2, `${m.id}: pue`);
      assert.ok(m.tokenizer === 'o200k_base' || m.tokenizer === 'cl100k_base');
    }
  });

  it('has local entries with weights whose bytes per parameter match their quantisation', () => {
    for (const m of catalog.byLocation('local') as CatalogModelSpec[]) {
      assert.ok(m.local?.weightsGB, `${m.id}: no weightsGB`);
      const bpp = m.local!.weightsGB! / m.params.totalB.max;
      assert.ok(bpp > 0.45 && bpp < 0.9, `${m.id}: ${bpp.toFixed(3)} bytes/param is not a 4-bit model (small models keep embeddings at higher precision)`);
    }
  });

  it('scores mapped benchmarks exactly as the documented mapping computes them', () => {
    let checked = 0;
    for (const m of all) {
      const lcb = /LiveCodeBench x0\.522 \(.*LCB ([\d.]+)\)/.exec(m.capability.benchmark);
      if (lcb) {
        assert.equal(m.capability.score, scoreFromLiveCodeBench(parseFloat(lcb[1])), m.id);
        checked++;
      }
      const he = /HumanEval via the Qwen2\.5-Coder ladder.*HumanEval ([\d.]+)\)/.exec(m.capability.benchmark);
      if (he) {
        assert.equal(m.capability.score, scoreFromHumanEval(parseFloat(he[1])), m.id);
        checked++;
      }
    }
    assert.ok(checked >= 8, `only ${checked} mapped scores checked`);
  });

  it('ranks capability sensibly within families', () => {
    const s = (id: string) => catalog.get(id)!.capability.score;
    const ladder = ['qwen2.5-coder:0.5b', 'qwen2.5-coder:1.5b', 'qwen2.5-coder:3b', 'qwen2.5-coder:7b', 'qwen2.5-coder:14b', 'qwen2.5-coder:32b'];
    for (let i = 1; i < ladder.length; i++) assert.ok(s(ladder[i]) > s(ladder[i - 1]), ladder[i]);
    assert.ok(s('gpt-5') > s('gpt-5-mini') && s('gpt-5-mini') > s('gpt-5-nano'));
    assert.ok(s('claude-opus-4-5') > s('claude-sonnet-4-5') && s('claude-sonnet-4-5') > s('claude-haiku-4-5'));
    assert.ok(s('gpt-4o') > s('gpt-4o-mini'));
  });
});

describe('catalog: lookup', () => {
  it('is cached after the first call', () => {
    assert.equal(Catalog.builtIn(), Catalog.builtIn());
  });

  it('matches Ollama tags with and without :latest', () => {
    const extra: ModelSpec = { ...catalog.get('llama3.1:8b')!, id: 'mistral:latest', displayName: 'Mistral' };
    const c = catalog.with([extra]);
    assert.equal(c.get('mistral')?.id, 'mistral:latest');
    assert.equal(c.get('mistral:latest')?.id, 'mistral:latest');
    assert.equal(c.get('qwen2.5-coder'), undefined, 'a bare name only matches its :latest tag');
    const plain: ModelSpec = { ...extra, id: 'phi4' };
    assert.equal(catalog.with([plain]).get('phi4:latest')?.id, 'phi4');
    assert.equal(catalog.get('no-such-model'), undefined);
  });

  it('keeps Copilot and direct entries of the same id apart', () => {
    const direct = catalog.get('gpt-5-mini');
    const viaCopilot = catalog.get('gpt-5-mini', 'copilot');
    assert.equal(direct?.provider, 'openai');
    assert.equal(viaCopilot?.provider, 'copilot');
    assert.notEqual(direct?.contextTokens, viaCopilot?.contextTokens);
    assert.equal(catalog.get('claude-sonnet-4.5')?.provider, 'copilot', 'Copilot-only spelling resolves without provider');
    assert.equal(catalog.get('claude-sonnet-4-5', 'copilot'), undefined);
  });

  it('filters by location', () => {
    const local = catalog.byLocation('local');
    const cloud = catalog.byLocation('cloud');
    assert.ok(local.every((m) => m.location === 'local'));
    assert.ok(cloud.every((m) => m.location === 'cloud'));
    assert.equal(local.length + cloud.length, catalog.all().length);
  });

  it('with() adds and overrides without changing the original', () => {
    const before = catalog.all().length;
    const override: ModelSpec = { ...catalog.get('gpt-4o')!, contextTokens: 42 };
    const added: ModelSpec = { ...catalog.get('gpt-4o')!, id: 'my-model', provider: 'openai-compatible' };
    const c = catalog.with([override, added]);
    assert.equal(c.get('gpt-4o')?.contextTokens, 42);
    assert.equal(c.get('my-model')?.provider, 'openai-compatible');
    assert.equal(c.all().length, before + 1);
    assert.equal(catalog.get('gpt-4o')?.contextTokens, 128000);
    assert.equal(catalog.all().length, before);
  });

  it('all() returns a copy', () => {
    const list = catalog.all();
    list.pop();
    assert.equal(catalog.all().length, list.length + 1);
  });

  it('rejects malformed data with a precise message', () => {
    assert.throws(() => parseCatalogData({ version: 'x', sources: {}, models: [{ id: 'a', location: 'mars' }] }), /model "a": bad location/);
    const bad = JSON.parse(JSON.stringify(raw));
    bad.models[0].params.activeB = { min: 10, max: 1 };
    assert.throws(() => parseCatalogData(bad), /activeB: not an ordered positive range/);
    const unsourced = JSON.parse(JSON.stringify(raw));
    const mini = unsourced.models.find((m: CatalogModelSpec) => m.id === 'gpt-5-mini' && m.provider === 'openai');
    delete mini.sources.reasoning;
    assert.throws(() => parseCatalogData(unsourced), /gpt-5-mini.*reasoning has no source/);
  });

  it('marks the OpenAI models that reason by default (before gpt-5.1: medium effort) and only those', () => {
    const reasoning = all.filter((m) => (m as CatalogModelSpec).reasoning).map((m) => `${m.provider}/${m.id}`).sort();
    assert.deepEqual(reasoning, ['copilot/gpt-5', 'copilot/gpt-5-mini', 'openai/gpt-5', 'openai/gpt-5-mini', 'openai/gpt-5-nano', 'openai/o3', 'openai/o4-mini']);
    for (const m of all) {
      const r = (m as CatalogModelSpec).reasoning;
      if (r) assert.equal(r.defaultEffort, 'medium', m.id);
    }
    // gpt-5.1 and later default to no reasoning: nothing is added to their estimates.
    assert.equal((catalog.get('gpt-5.1') as CatalogModelSpec).reasoning, undefined);
  });
});

describe('catalog: EcoLogits snapshot', () => {
  const snapshot = ecologits as { license: string; notice: string; models: Array<{ provider: string; name: string; totalB: { min: number; max: number }; activeB: { min: number; max: number } }>; aliases: Array<{ provider: string; name: string; alias: string }> };
  const byName = new Map(snapshot.models.map((m) => [m.name, m]));
  for (const a of snapshot.aliases) byName.set(a.name, byName.get(a.alias)!);

  it('keeps its MPL-2.0 notice', () => {
    assert.equal(snapshot.license, 'MPL-2.0');
    assert.match(snapshot.notice, /Mozilla Public License 2\.0/);
  });

  it('every model whose parameters cite EcoLogits carries exactly the snapshot values', () => {
    let checked = 0;
    for (const m of all) {
      const cited = /ecologits-models:? ([a-z0-9.-]+)/.exec(m.sources.params)?.[1];
      if (!cited || /bracketed/.test(m.sources.params)) continue;
      const e = byName.get(cited);
      assert.ok(e, `${m.provider}/${m.id} cites ${cited}, which the snapshot lacks`);
      assert.deepEqual(m.params, { totalB: e.totalB, activeB: e.activeB }, `${m.provider}/${m.id} vs EcoLogits ${cited}`);
      checked++;
    }
    assert.ok(checked >= 30, `${checked} checked`);
  });

  it('uses the October-2025-and-later estimates (gpt-4o 44-132B active, not 55-220B)', () => {
    assert.deepEqual(catalog.get('gpt-4o')!.params.activeB, { min: 44, max: 132 });
    assert.deepEqual(catalog.get('gpt-5')!.params, { totalB: { min: 300, max: 300 }, activeB: { min: 30, max: 90 } });
  });
});
