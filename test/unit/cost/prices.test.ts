import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as genai from '@pydantic/genai-prices';
import { Catalog } from '../../../src/core/catalog/catalog';
import { CatalogModelSpec } from '../../../src/core/catalog/specExtensions';
import { cloudCostUsd } from '../../../src/core/cost/money';
import { clearPriceCache, PRICE_OVERRIDES, priceRef, resolvePrice } from '../../../src/core/cost/prices';
import { defaultEstimateSettings, estimate } from '../../../src/core/estimate';
import { TokenCounts } from '../../../src/core/types';

const catalog = Catalog.builtIn();
const all = catalog.all() as CatalogModelSpec[];
const settings = defaultEstimateSettings();
const t = (input: number, output: number, cachedInput = 0): TokenCounts => ({ input, cachedInput, output, reasoning: 0 });

describe('prices: sources', () => {
  it('every catalog model has a price source (genai-prices, the override file, a subscription, Copilot plan rules, or local electricity)', () => {
    for (const m of all) {
      const p = resolvePrice(m);
      if (m.location === 'local' && !m.remote) {
        assert.equal(p.origin, 'none', `${m.id}: a local model is priced by electricity`);
        assert.match(m.sources.prices, /^derived: local/);
        continue;
      }
      assert.notEqual(p.origin, 'none', `${m.provider}/${m.id}: no price source (${p.source})`);
      const declared = m.sources.prices.split(':')[0];
      const expected = p.origin === 'genai-prices' || p.origin === 'copilot-included' ? 'genai-prices' : 'price-overrides';
      assert.equal(declared, expected, `${m.provider}/${m.id}: catalog says ${m.sources.prices}, resolved ${p.source}`);
    }
  });

  it('the override file never duplicates a price genai-prices has (ours are only for what it lacks)', () => {
    for (const key of [...Object.keys(PRICE_OVERRIDES.prices), ...Object.keys(PRICE_OVERRIDES.subscriptions)]) {
      const [provider, ...rest] = key.split('/');
      const m = catalog.get(rest.join('/'), provider as CatalogModelSpec['provider']);
      assert.ok(m, `override ${key} names no catalog model`);
      const ref = priceRef(m);
      const hit = ref ? genai.calcPrice({ input_tokens: 1, output_tokens: 1 }, ref.model, { providerId: ref.provider }) : null;
      assert.ok(!hit || Object.keys(hit.model_price).length === 0, `${key}: genai-prices has ${hit?.provider.id}/${hit?.model.id}; delete our copy`);
    }
  });

  it('resolves without any network access (genai-prices remote update stays off)', () => {
    const original = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = (async () => { calls++; throw new Error('no network in tests'); }) as typeof fetch;
    try {
      clearPriceCache();
      for (const m of all) resolvePrice(m);
    } finally {
      globalThis.fetch = original;
    }
    assert.equal(calls, 0);
  });

  it('does not load genai-prices until a cloud price is needed', () => {
    const out = path.join(__dirname, '..', '..', '..');
    const script = `
      const { Catalog } = require(${JSON.stringify(path.join(out, 'src/core/catalog/catalog.js'))});
      const { estimate, defaultEstimateSettings } = require(${JSON.stringify(path.join(out, 'src/core/estimate.js'))});
      const c = Catalog.builtIn();
      estimate(c.get('qwen2.5-coder:7b'), { input: 100, cachedInput: 0, output: 10, reasoning: 0 }, defaultEstimateSettings());
      const before = Object.keys(require.cache).some((k) => k.includes('genai-prices'));
      estimate(c.get('gpt-5'), { input: 100, cachedInput: 0, output: 10, reasoning: 0 }, defaultEstimateSettings());
      const after = Object.keys(require.cache).some((k) => k.includes('genai-prices'));
      process.stdout.write(JSON.stringify({ before, after }));`;
    const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { before: boolean; after: boolean };
    assert.deepEqual(r, { before: false, after: true });
  });
});

describe('prices: money matches genai-prices', () => {
  const usages: TokenCounts[] = [t(1000, 500), t(50_000, 2000, 40_000), t(300_000, 1000, 100_000)];
  it('for every genai-priced catalog model, our bill equals calcPrice for short, cached and long-context requests', () => {
    let checked = 0;
    for (const m of all) {
      const p = resolvePrice(m);
      if (p.origin !== 'genai-prices' || !p.prices) continue;
      const ref = priceRef(m)!;
      for (const u of usages) {
        if (u.input > m.contextTokens) continue;
        const theirs = genai.calcPrice({ input_tokens: u.input, cache_read_tokens: u.cachedInput, output_tokens: u.output }, ref.model, { providerId: ref.provider })!;
        const ours = cloudCostUsd(p.prices, u);
        assert.ok(Math.abs(ours - theirs.total_price) <= 1e-9 + 1e-9 * theirs.total_price, `${m.provider}/${m.id} ${u.input}/${u.cachedInput}/${u.output}: ours ${ours} vs ${theirs.total_price}`);
        checked++;
      }
    }
    assert.ok(checked > 60, `${checked} comparisons`);
  });
});

describe('prices: GitHub Copilot plan rules', () => {
  for (const id of ['gpt-4.1', 'gpt-4o']) {
    it(`Copilot ${id} is included: $0 in money, its premium requests counted separately`, () => {
      const e = estimate(catalog.get(id, 'copilot')!, t(20_000, 1000), settings);
      assert.equal(e.cost.usd, 0);
      assert.equal(e.cost.method, 'copilot-included');
      assert.equal(e.cost.premiumRequests, 0, 'legacy multiplier 0x on paid plans');
      assert.ok(e.energy.wh > 0, 'still metered in energy');
    });
  }

  it('a priced Copilot model bills AI credits per token and reports its legacy premium-request multiplier', () => {
    const e = estimate(catalog.get('claude-haiku-4.5', 'copilot')!, t(20_000, 1000), settings);
    assert.equal(e.cost.method, 'copilot-ai-credits');
    assert.ok(e.cost.usd > 0);
    assert.equal(e.cost.premiumRequests, 0.33);
  });

  it('OpenAI direct gpt-4.1 still bills its list price', () => {
    const e = estimate(catalog.get('gpt-4.1', 'openai')!, t(20_000, 1000), settings);
    assert.equal(e.cost.method, 'list-prices');
    assert.ok(e.cost.usd > 0.04);
  });
});

describe('catalog limits', () => {
  it('GPT-5 takes 272K input tokens of its 400K window', () => {
    const m = catalog.get('gpt-5', 'openai') as CatalogModelSpec;
    assert.equal(m.contextTokens, 272_000);
    assert.equal(m.contextWindowTokens, 400_000);
  });

  it('agrees with genai-prices context windows (total) for direct-API models', () => {
    let checked = 0;
    for (const m of all.filter((x) => x.provider === 'openai' || x.provider === 'anthropic')) {
      const ref = priceRef(m)!;
      const hit = genai.calcPrice({ input_tokens: 1, output_tokens: 1 }, ref.model, { providerId: ref.provider });
      const window = hit?.model.context_window;
      if (!window) continue;
      const ours = m.contextWindowTokens ?? m.contextTokens;
      // genai-prices rounds GPT-4.1's 1,047,576 to 1,000,000 and counts GPT-5.4's 1,050,000 window.
      assert.ok(Math.abs(ours - window) / window < 0.05, `${m.id}: ours ${ours}, genai-prices ${window}`);
      checked++;
    }
    assert.ok(checked >= 15, `${checked} checked`);
  });
});
