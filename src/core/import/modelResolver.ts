// Which catalog model an imported call ran on. Logs spell models as their APIs return them
// (`claude-sonnet-4-5-20250929`, `anthropic.claude-haiku-4-5@20251001`, `gpt-5-codex`); the catalog keeps
// undated ids. Unknown models are metered as a stand-in of the same family and provider (the record keeps
// the real id and says which model priced it), so their tokens still count.
import type { Catalog } from '../catalog/catalog';
import type { ModelSpec, Provider } from '../types';
import { resolvePrice } from '../cost/prices';

export interface ResolvedModel {
  /** The spec to meter with: the catalog's, or a stand-in carrying the real id. */
  spec: ModelSpec;
  /** Set when a stand-in priced it: the catalog id used. */
  standIn?: string;
}

/** A model's name without provider prefix, date or version suffix, lower case (`claude-sonnet-4-5`). */
function undated(model: string): string {
  return model.trim().toLowerCase()
    .replace(/^(anthropic|openai|azure|openrouter\/[a-z]+|us|eu|apac)[./]/, '')
    .replace(/^anthropic\./, '')
    .replace(/-v\d+:\d+$/, '').replace(/@\d{8}$/, '').replace(/-\d{8}$/, '').replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/** One spelling per model: undated, versions with dashes (Copilot's `claude-sonnet-4.5` = `claude-sonnet-4-5`). */
export function canonicalModelId(model: string): string {
  return undated(model).replace(/(\d)\.(\d)/g, '$1-$2');
}

/** Spellings of the same model to look up: as given, undated, with dashes, with dots. */
export function modelIdCandidates(model: string): string[] {
  const base = undated(model);
  return [...new Set([model, model.trim().toLowerCase(), base, canonicalModelId(model), base.replace(/(\d)-(\d)(?!\d)/g, '$1.$2')])];
}

const FAMILY_STAND_INS: Array<{ test: RegExp; id: string; provider: Provider }> = [
  { test: /opus/, id: 'claude-opus-4-5', provider: 'anthropic' },
  { test: /haiku/, id: 'claude-haiku-4-5', provider: 'anthropic' },
  { test: /claude|sonnet/, id: 'claude-sonnet-4-5', provider: 'anthropic' },
  { test: /gpt-.*nano/, id: 'gpt-5-nano', provider: 'openai' },
  { test: /gpt-.*mini|o\d-mini|codex-mini/, id: 'gpt-5-mini', provider: 'openai' },
  { test: /gpt|codex|^o\d/, id: 'gpt-5', provider: 'openai' },
  { test: /gemini.*flash/, id: 'gemini-2.5-flash', provider: 'google' },
  { test: /gemini/, id: 'gemini-2.5-pro', provider: 'google' },
];

/**
 * The catalog model for `model`. `provider` (who served it) is tried first — GitHub Copilot's entries
 * before the maker's when Copilot served it — then any provider. `fallback` prices what no family rule knows.
 */
export function resolveModel(catalog: Catalog, model: string, provider: Provider | undefined, fallback: string): ResolvedModel {
  const candidates = modelIdCandidates(model);
  for (const p of provider ? [provider, undefined] : [undefined]) {
    for (const id of candidates) {
      const spec = catalog.get(id, p);
      if (spec) return { spec };
    }
  }
  const lower = model.toLowerCase();
  const rule = FAMILY_STAND_INS.find((r) => r.test.test(lower));
  const stand = (rule && catalog.get(rule.id, rule.provider)) ?? catalog.get(fallback);
  if (!stand) throw new Error(`the catalog has no model to price "${model}" with (not even ${fallback})`);
  const served = provider ?? stand.provider;
  // Prices are looked up by id (genai-prices, overrides): the stand-in carries the stand's own prices.
  const price = resolvePrice(stand).prices;
  return {
    spec: { ...stand, ...(price ? { prices: price } : {}), id: model, displayName: model, provider: served, sources: { ...stand.sources, standIn: `priced as ${stand.id}` }, derived: true },
    standIn: stand.id,
  };
}
