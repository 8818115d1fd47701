// The model catalog: versioned JSON data (models.json) behind a small typed lookup.
// Ids are unique per provider, not globally: GitHub Copilot spells several models exactly as their own
// provider does (`gpt-5-mini`, `gpt-4.1`), so `get(id)` prefers the model's own provider and
// `get(id, 'copilot')` picks the Copilot entry.
import { Location, ModelSpec, Provider, Bounds } from '../types';
import { CatalogModelSpec } from './specExtensions';
import data from './models.json';

export interface CatalogData {
  version: string;
  /** Reference id -> citation. */
  sources: Record<string, string>;
  models: CatalogModelSpec[];
}

const LATEST = ':latest';

function key(provider: Provider, id: string): string {
  return `${provider}\u0000${id}`;
}

export class Catalog {
  private static cached: Catalog | undefined;

  private readonly list: readonly ModelSpec[];
  private readonly byKey = new Map<string, ModelSpec>();
  /** Preferred entry per id: the model's own provider before Copilot's re-offer of it. */
  private readonly byId = new Map<string, ModelSpec>();

  constructor(models: readonly ModelSpec[], readonly version = 'custom', readonly sources: Readonly<Record<string, string>> = {}) {
    const merged: ModelSpec[] = [];
    const index = new Map<string, number>();
    for (const m of models) {
      const k = key(m.provider, m.id);
      const at = index.get(k);
      if (at === undefined) {
        index.set(k, merged.length);
        merged.push(m);
      } else {
        merged[at] = m; // later entries override earlier ones
      }
    }
    this.list = merged;
    for (const m of merged) {
      this.byKey.set(key(m.provider, m.id), m);
      const prior = this.byId.get(m.id);
      if (!prior || (prior.provider === 'copilot' && m.provider !== 'copilot')) this.byId.set(m.id, m);
    }
  }

  /** The catalog shipped with Rightsize (models.json), parsed once. */
  static builtIn(): Catalog {
    if (!Catalog.cached) {
      const parsed = parseCatalogData(data);
      // Shared by every caller: frozen so that no caller can change another's view of a model.
      Catalog.cached = new Catalog(parsed.models.map(deepFreeze), parsed.version, parsed.sources);
    }
    return Catalog.cached;
  }

  /**
   * Exact id (Ollama tags also match with or without `:latest`). With `provider`, only that provider's
   * entry; without, the model's own provider is preferred over GitHub Copilot's entry of the same id.
   */
  get(id: string, provider?: Provider): ModelSpec | undefined {
    const find = provider ? (i: string) => this.byKey.get(key(provider, i)) : (i: string) => this.byId.get(i);
    const hit = find(id);
    if (hit) return hit;
    if (id.endsWith(LATEST)) return find(id.slice(0, -LATEST.length));
    if (!id.includes(':')) return find(id + LATEST);
    return undefined;
  }

  all(): ModelSpec[] {
    return [...this.list];
  }

  byLocation(location: Location): ModelSpec[] {
    return this.list.filter((m) => m.location === location);
  }

  /** A new catalog with extra entries; an entry with the same provider and id replaces the old one. */
  with(models: ModelSpec[]): Catalog {
    return new Catalog([...this.list, ...models], this.version, this.sources);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Validates the shape of catalog JSON; throws with a precise message on the first problem. */
export function parseCatalogData(raw: unknown): CatalogData {
  const obj = raw as Partial<CatalogData> | null;
  if (!obj || typeof obj !== 'object') throw new Error('catalog: not an object');
  if (typeof obj.version !== 'string' || !obj.version) throw new Error('catalog: missing version');
  if (!obj.sources || typeof obj.sources !== 'object') throw new Error('catalog: missing sources');
  if (!Array.isArray(obj.models)) throw new Error('catalog: missing models');
  for (const m of obj.models) checkModel(m);
  return obj as CatalogData;
}

function checkModel(m: CatalogModelSpec): void {
  const where = `catalog: model ${JSON.stringify(m?.id)}`;
  if (!m || typeof m.id !== 'string' || !m.id) throw new Error(`${where}: missing id`);
  if (m.location !== 'local' && m.location !== 'cloud') throw new Error(`${where}: bad location`);
  checkRange(m.params?.totalB, `${where}: params.totalB`);
  checkRange(m.params?.activeB, `${where}: params.activeB`);
  if (m.params.activeB.max > m.params.totalB.max) throw new Error(`${where}: active params exceed total`);
  if (!(m.contextTokens > 0) || !(m.maxOutputTokens > 0)) throw new Error(`${where}: bad token limits`);
  if (m.contextWindowTokens !== undefined && !(m.contextWindowTokens >= m.contextTokens)) throw new Error(`${where}: contextWindowTokens below contextTokens`);
  if (m.priceRef !== undefined && !/^[a-z0-9-]+\/\S+$/.test(m.priceRef)) throw new Error(`${where}: priceRef must be "provider/model"`);
  if (!(m.capability?.score >= 0 && m.capability.score <= 100)) throw new Error(`${where}: capability outside 0-100`);
  if (!m.sources || typeof m.sources !== 'object') throw new Error(`${where}: missing sources`);
  if (m.reasoning !== undefined) {
    const r = m.reasoning.expectedTokensPerRequest;
    if (!(Number.isInteger(r) && r >= 0 && r < m.maxOutputTokens)) throw new Error(`${where}: reasoning.expectedTokensPerRequest must be a whole number below maxOutputTokens`);
    if (!m.sources.reasoning) throw new Error(`${where}: reasoning has no source`);
  }
  if (m.prices) {
    for (const k of ['inputPerMTokUsd', 'outputPerMTokUsd'] as const) {
      if (!(m.prices[k] >= 0)) throw new Error(`${where}: bad prices.${k}`);
    }
  }
}

function checkRange(r: Bounds | undefined, where: string): void {
  if (!r || !(r.min > 0) || !(r.max >= r.min)) throw new Error(`${where}: not an ordered positive range`);
}
