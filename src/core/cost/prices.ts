// Where a model's price comes from: @pydantic/genai-prices (pinned, bundled data; its remote update is never
// enabled, so nothing is fetched at run time), else Rightsize's small override file (priceOverrides.json),
// else the model's own `prices` (custom models). The package is ~0.5 MB and takes ~30 ms to load: it is
// required on the first price lookup, not at activation, and each model's price is converted once.
import type * as GenaiPrices from '@pydantic/genai-prices';
import { ModelSpec, Provider } from '../types';
import { CatalogPrices, LongContextPrices } from '../catalog/specExtensions';
import overrides from './priceOverrides.json';
import { runsLocally } from '../modelLocation';

export type PriceOrigin = 'genai-prices' | 'override' | 'model' | 'subscription' | 'copilot-included' | 'none';

export interface ResolvedPrice {
  origin: PriceOrigin;
  /** USD per million tokens; absent when the model has no per-token price (local, subscription, included). */
  prices?: CatalogPrices;
  /** Where the numbers came from, e.g. `genai-prices: openai/gpt-5`. */
  source: string;
}

interface OverrideFile {
  version: string;
  sources: Record<string, string>;
  prices: Record<string, CatalogPrices>;
  subscriptions: Record<string, { source: string }>;
  copilot: { date: string; billing: string; usdPerCredit: number; includedWhenUnpriced: boolean; source: string };
}

export const PRICE_OVERRIDES = overrides as unknown as OverrideFile;

/** Catalog provider -> genai-prices provider id. */
const GENAI_PROVIDER: Partial<Record<Provider, string>> = {
  openai: 'openai', anthropic: 'anthropic', google: 'google', copilot: 'github-copilot',
};

let genai: typeof GenaiPrices | undefined;
let loads = 0;

/** How often the package was loaded (tests prove laziness). */
export function genaiPricesLoads(): number {
  return loads;
}

function genaiPrices(): typeof GenaiPrices {
  if (!genai) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    genai = require('@pydantic/genai-prices') as typeof GenaiPrices;
    loads++;
  }
  return genai;
}

/** The genai-prices reference of a catalog model: `priceRef` ("provider/model") or its provider and id. */
export function priceRef(model: ModelSpec): { provider: string; model: string } | undefined {
  const ref = (model as ModelSpec & { priceRef?: string }).priceRef;
  if (ref) {
    const slash = ref.indexOf('/');
    return { provider: ref.slice(0, slash), model: ref.slice(slash + 1) };
  }
  const provider = GENAI_PROVIDER[model.provider];
  return provider ? { provider, model: model.id } : undefined;
}

type Priced = number | { base: number; tiers: Array<{ start: number; price: number }> } | undefined;

function base(p: Priced): number | undefined {
  return typeof p === 'number' ? p : p?.base;
}

function tier(p: Priced): { start: number; price: number } | undefined {
  return typeof p === 'object' && p.tiers?.length ? p.tiers[0] : undefined;
}

/** genai-prices' model price (USD per million tokens, tiered by input size) in Rightsize's shape. */
export function fromGenaiPrice(mp: Record<string, Priced>, date: string, source: string): CatalogPrices | undefined {
  const input = base(mp.input_mtok);
  const output = base(mp.output_mtok);
  if (input === undefined && output === undefined) return undefined;
  const prices: CatalogPrices = { inputPerMTokUsd: input ?? 0, outputPerMTokUsd: output ?? 0, date, source };
  const cached = base(mp.cache_read_mtok);
  const write = base(mp.cache_write_mtok);
  if (cached !== undefined) prices.cachedInputPerMTokUsd = cached;
  if (write !== undefined) prices.cacheWritePerMTokUsd = write;
  const t = tier(mp.input_mtok) ?? tier(mp.output_mtok);
  if (t) {
    const long: LongContextPrices = {
      thresholdInputTokens: t.start,
      inputPerMTokUsd: tier(mp.input_mtok)?.price ?? prices.inputPerMTokUsd,
      outputPerMTokUsd: tier(mp.output_mtok)?.price ?? prices.outputPerMTokUsd,
    };
    const c = tier(mp.cache_read_mtok)?.price;
    const w = tier(mp.cache_write_mtok)?.price;
    if (c !== undefined) long.cachedInputPerMTokUsd = c;
    if (w !== undefined) long.cacheWritePerMTokUsd = w;
    prices.longContext = long;
  }
  return prices;
}

function fromGenai(model: ModelSpec, at: Date): ResolvedPrice | undefined {
  const ref = priceRef(model);
  if (!ref) return undefined;
  const r = genaiPrices().calcPrice({ input_tokens: 1, output_tokens: 1 }, ref.model, { providerId: ref.provider, timestamp: at });
  if (!r) return undefined;
  const source = `genai-prices: ${r.provider.id}/${r.model.id}`;
  const prices = fromGenaiPrice(r.model_price as Record<string, Priced>, at.toISOString().slice(0, 10), source);
  if (prices) return { origin: 'genai-prices', prices, source };
  if (model.provider === 'copilot' && PRICE_OVERRIDES.copilot.includedWhenUnpriced) {
    return { origin: 'copilot-included', source: `${source} (no token rate: included in Copilot plans)` };
  }
  return undefined;
}

function fromOverrides(model: ModelSpec): ResolvedPrice | undefined {
  const key = `${model.provider}/${model.id}`;
  const p = PRICE_OVERRIDES.prices[key];
  if (p) return { origin: 'override', prices: p, source: `price-overrides: ${key} (${p.source})` };
  const s = PRICE_OVERRIDES.subscriptions[key];
  if (s) return { origin: 'subscription', source: `price-overrides: ${key} (${s.source})` };
  return undefined;
}

const cache = new Map<string, { hour: number; price: ResolvedPrice }>();
/** The same entries by model object, so the router's per-decision lookups build no key string. */
const byModel = new WeakMap<ModelSpec, { provider: Provider; id: string; generation: number; entry: { hour: number; price: ResolvedPrice } }>();
let generation = 0;

/**
 * The price of a model now (cached per model for an hour: some genai-prices entries change by date or time of
 * day). Local models and models without any price source resolve to origin `none`.
 */
export function resolvePrice(model: ModelSpec, now?: Date): ResolvedPrice {
  if (model.prices) return { origin: 'model', prices: model.prices, source: model.prices.source };
  if (runsLocally(model)) return { origin: 'none', source: 'local: electricity' };
  const hour = Math.floor((now ? now.getTime() : Date.now()) / 3_600_000);
  const mine = byModel.get(model);
  if (mine && mine.generation === generation && mine.entry.hour === hour && mine.provider === model.provider && mine.id === model.id) return mine.entry.price;
  const key = `${model.provider}\u0000${model.id}`;
  let hit = cache.get(key);
  if (!hit || hit.hour !== hour) {
    const price = fromOverrides(model) ?? fromGenai(model, now ?? new Date()) ?? { origin: 'none' as const, source: 'no price source' };
    cache.set(key, (hit = { hour, price }));
  }
  byModel.set(model, { provider: model.provider, id: model.id, generation, entry: hit });
  return hit.price;
}

/** Forgets converted prices (tests). */
export function clearPriceCache(): void {
  cache.clear();
  generation++;
}
