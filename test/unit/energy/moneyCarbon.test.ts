import * as assert from 'node:assert/strict';
import { Catalog } from '../../../src/core/catalog/catalog';
import { CatalogPrices } from '../../../src/core/catalog/specExtensions';
import { cloudCostUsd, localCostUsd, TokenCountsWithCacheWrite } from '../../../src/core/cost/money';
import { carbonGrams, dataCentreRegion, listGridRegions, WORLD_G_PER_KWH } from '../../../src/core/cost/carbon';
import { resolvePrice } from '../../../src/core/cost/prices';
import { defaultEstimateSettings, estimate, listDeviceProfiles } from '../../../src/core/estimate';
import { ModelPrices, TokenCounts } from '../../../src/core/types';

const catalog = Catalog.builtIn();
const settings = defaultEstimateSettings();
const priced = (id: string, provider?: Parameters<Catalog['get']>[1]): ModelPrices => resolvePrice(catalog.get(id, provider)!).prices!;
const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('money: cloud prices', () => {
  // Expected values are computed here from the catalog's own prices: these tests check the arithmetic and
  // the token convention (input includes cachedInput, output includes reasoning), not the data.
  it('bills fresh input, cached input and output separately (input includes cachedInput)', () => {
    const m = catalog.get('claude-sonnet-4-5')!;
    const p = priced('claude-sonnet-4-5');
    const tokens: TokenCounts = { input: 120_000, cachedInput: 100_000, output: 3000, reasoning: 0 };
    const expected = (20_000 * p.inputPerMTokUsd + 100_000 * p.cachedInputPerMTokUsd! + 3000 * p.outputPerMTokUsd) / 1e6;
    const e = estimate(m, tokens, settings);
    close(e.cost.usd, expected, 'sonnet');
    assert.equal(e.cost.method, 'list-prices');
  });

  it('bills reasoning at the reasoning price when given, else at the output price (output includes reasoning)', () => {
    const p = priced('gpt-5');
    const tokens: TokenCounts = { input: 2000, cachedInput: 0, output: 5000, reasoning: 4000 };
    close(cloudCostUsd(p, tokens), (2000 * p.inputPerMTokUsd + 5000 * p.outputPerMTokUsd) / 1e6, 'reasoning as output');
    const withReasoning: ModelPrices = { ...p, reasoningPerMTokUsd: p.outputPerMTokUsd * 2 };
    close(cloudCostUsd(withReasoning, tokens), (2000 * p.inputPerMTokUsd + 1000 * p.outputPerMTokUsd + 4000 * p.outputPerMTokUsd * 2) / 1e6, 'reasoning price');
  });

  it('bills cache writes at the cache-write price when the count is given', () => {
    const p = priced('claude-opus-4-5');
    const tokens: TokenCountsWithCacheWrite = { input: 50_000, cachedInput: 10_000, cacheWrite: 30_000, output: 1000, reasoning: 0 };
    const expected = (10_000 * p.inputPerMTokUsd + 10_000 * p.cachedInputPerMTokUsd! + 30_000 * p.cacheWritePerMTokUsd! + 1000 * p.outputPerMTokUsd) / 1e6;
    close(cloudCostUsd(p, tokens), expected, 'cache write');
    assert.ok(p.cacheWritePerMTokUsd! > p.inputPerMTokUsd, 'writing the cache costs more than plain input');
  });

  it('falls back to the input price for cached tokens when no cached price is published', () => {
    const p: ModelPrices = { inputPerMTokUsd: 2, outputPerMTokUsd: 8, date: '2026-01-01', source: 'test' };
    close(cloudCostUsd(p, { input: 1000, cachedInput: 1000, output: 0, reasoning: 0 }), 0.002);
  });

  it('switches to the long-context tier above its threshold (Gemini 2.5 Pro)', () => {
    const p = priced('gemini-2.5-pro', 'google') as CatalogPrices;
    const long = p.longContext!;
    const short: TokenCounts = { input: long.thresholdInputTokens, cachedInput: 0, output: 1000, reasoning: 0 };
    const over: TokenCounts = { ...short, input: long.thresholdInputTokens + 1 };
    close(cloudCostUsd(p, short), (short.input * p.inputPerMTokUsd + 1000 * p.outputPerMTokUsd) / 1e6, 'at threshold');
    close(cloudCostUsd(p, over), (over.input * long.inputPerMTokUsd + 1000 * long.outputPerMTokUsd) / 1e6, 'above threshold');
  });

  it('prices Copilot models in AI credits at their per-token rates', () => {
    const m = catalog.get('claude-haiku-4.5', 'copilot')!;
    const e = estimate(m, { input: 10_000, cachedInput: 0, output: 1000, reasoning: 0 }, settings);
    const p = priced('claude-haiku-4.5', 'copilot');
    close(e.cost.usd, (10_000 * p.inputPerMTokUsd + 1000 * p.outputPerMTokUsd) / 1e6, 'copilot');
    assert.equal(e.cost.method, 'copilot-ai-credits');
  });

  it('never bills more cached tokens than input tokens', () => {
    const p = priced('gpt-4o');
    close(cloudCostUsd(p, { input: 100, cachedInput: 500, output: 0, reasoning: 0 }), (100 * p.cachedInputPerMTokUsd!) / 1e6);
  });
});

describe('money: local electricity and hardware', () => {
  it('is kWh x price, plus hardware price / lifetime hours x hours used', () => {
    close(localCostUsd(500, 2, 0.3), 0.15);
    close(localCostUsd(500, 2, 0.3, { priceUsd: 2000, lifetimeHours: 10_000 }), 0.15 + 0.4);
  });

  it('estimate uses the electricity price and the request time from Ollama timings', () => {
    const d = listDeviceProfiles().find((x) => x.id === 'apple-m-series')!;
    const s = { ...settings, device: d, electricityUsdPerKwh: 0.4, hardware: { priceUsd: 3600, lifetimeHours: 3600 } };
    const e = estimate(catalog.get('qwen2.5-coder:7b')!, { input: 100, cachedInput: 0, output: 100, reasoning: 0 }, s, { promptEvalMs: 0, evalMs: 36_000 });
    const wh = ((d.powerW.min + d.powerW.max) / 2) * 36 / 3600;
    close(e.cost.usd, (wh / 1000) * 0.4 + 1 * 0.01, 'electricity + $1/h for 0.01 h');
    assert.equal(e.cost.method, 'electricity+hardware');
    const plain = estimate(catalog.get('qwen2.5-coder:7b')!, { input: 100, cachedInput: 0, output: 100, reasoning: 0 }, { ...s, hardware: undefined }, { promptEvalMs: 0, evalMs: 36_000 });
    assert.equal(plain.cost.method, 'electricity');
    close(plain.cost.usd, (wh / 1000) * 0.4);
  });
});

describe('carbon', () => {
  it("is kWh x grid intensity: local at the user's grid, cloud at the provider's data-centre region", () => {
    close(carbonGrams(2000, 473), 946);
    // Issue 11 changed this: a French user's (56 g/kWh) cloud request used to be charged at 56 g/kWh.
    const french = { ...settings, gridGPerKwh: 56 };
    const local = estimate(catalog.get('qwen2.5-coder:3b')!, { input: 5000, cachedInput: 0, output: 800, reasoning: 0 }, french);
    close(local.carbon.g, (local.energy.wh / 1000) * 56, 'local');
    assert.equal(local.carbon.gPerKwh, 56);
    const gpt5 = catalog.get('gpt-5')!;
    const cloud = estimate(gpt5, { input: 5000, cachedInput: 0, output: 800, reasoning: 0 }, french);
    const us = dataCentreRegion(gpt5);
    assert.equal(us.id, 'us');
    assert.equal(cloud.carbon.region, 'us');
    assert.equal(cloud.carbon.gPerKwh, us.gPerKwh);
    assert.ok(cloud.carbon.gPerKwh > 300 && cloud.carbon.gPerKwh < 450, `US grid ${cloud.carbon.gPerKwh}`);
    close(cloud.carbon.g, (cloud.energy.wh / 1000) * us.gPerKwh, 'cloud');
  });

  it('uses a configured cloud intensity instead of the region, and keeps embodied emissions off the headline unless asked', () => {
    const gpt5 = catalog.get('gpt-5')!;
    const tok = { input: 5000, cachedInput: 0, output: 800, reasoning: 0 };
    const configured = estimate(gpt5, tok, { ...settings, cloudGridGPerKwh: 30 });
    close(configured.carbon.g, (configured.energy.wh / 1000) * 30, 'configured');
    assert.equal(configured.carbon.region, undefined);
    const plain = estimate(gpt5, tok, settings);
    assert.ok(plain.carbon.embodiedG! > 0, 'embodied is reported');
    const withEmbodied = estimate(gpt5, tok, { ...settings, includeEmbodied: true });
    close(withEmbodied.carbon.g, plain.carbon.g + plain.carbon.embodiedG!, 'embodied added when asked');
    const share = plain.carbon.embodiedG! / (plain.carbon.g + plain.carbon.embodiedG!);
    assert.ok(share > 0.02 && share < 0.4, `embodied share ${share.toFixed(3)} (EcoLogits reports 16-18%)`);
  });

  it('puts DeepSeek in China and unknown endpoints at the world average', () => {
    assert.equal(dataCentreRegion(catalog.get('deepseek-v3.2')!).id, 'cn');
    const unknown = { ...catalog.get('deepseek-v3.2')!, region: undefined, provider: 'openai-compatible' as const };
    assert.equal(dataCentreRegion(unknown).id, 'world');
  });

  it('lists grid regions with sources, led by the world average', () => {
    const regions = listGridRegions();
    assert.equal(regions[0].id, 'world');
    assert.equal(regions[0].gPerKwh, WORLD_G_PER_KWH);
    const ids = new Set<string>();
    for (const r of regions) {
      assert.ok(r.gPerKwh > 0 && r.gPerKwh < 1200, r.id);
      assert.ok(r.source.length > 5 && r.name.length > 1, r.id);
      assert.ok(!ids.has(r.id), `duplicate ${r.id}`);
      ids.add(r.id);
    }
    assert.ok(regions.find((r) => r.id === 'fr')!.gPerKwh < regions.find((r) => r.id === 'in')!.gPerKwh);
    for (const id of ['gb', 'jp', 'kr', 'es', 'it', 'nl', 'pl', 'se']) assert.ok(regions.some((r) => r.id === id), `region ${id}`);
    assert.ok(regions.find((r) => r.id === 'se')!.gPerKwh < regions.find((r) => r.id === 'pl')!.gPerKwh);
  });
});
