// Carbon: g CO2e = kWh x grid intensity where the electricity is used: the provider's data-centre region for
// cloud requests (configurable), the user's grid for local ones. Embodied (manufacturing) emissions are
// computed separately (energy/ecologits.ts) and kept off the headline number unless the user asks.
import { ModelSpec, Provider } from '../types';
import data from './grid.json';
import mixes from './data/ecologits-mixes.json';

export interface GridRegion { id: string; name: string; gPerKwh: number; source: string }

interface GridData {
  version: string;
  sources: Record<string, string>;
  regions: Array<{ id: string; name: string; zone: string }>;
  dataCentres: Record<Provider, { region: string; source: string }>;
}

const GRID = data as unknown as GridData;
const ZONES = new Map((mixes as { zones: Array<{ zone: string; gCo2ePerKwh: number }> }).zones.map((z) => [z.zone, z.gCo2ePerKwh]));

/** World average carbon intensity of electricity (Ember 2024 world average; EcoLogits WOR 473.01). */
export const WORLD_G_PER_KWH = 473;
export const GRID_DATA_VERSION = GRID.version;
export const GRID_SOURCES: Readonly<Record<string, string>> = GRID.sources;

const REGIONS: GridRegion[] = GRID.regions.map((r) => {
  const g = ZONES.get(r.zone);
  if (g === undefined) throw new Error(`grid.json: zone ${r.zone} (${r.id}) missing from ecologits-mixes.json`);
  return { id: r.id, name: r.name, gPerKwh: Math.round(g), source: `ecologits-mixes: ${r.zone} ${g} g/kWh` };
});
const BY_ID = new Map(REGIONS.map((r) => [r.id, r]));

export function listGridRegions(): GridRegion[] {
  return REGIONS.map((r) => ({ ...r }));
}

export function gridRegion(id: string): GridRegion | undefined {
  const r = BY_ID.get(id);
  return r ? { ...r } : undefined;
}

/** The region whose grid powers a cloud model: the model's own `region` (e.g. DeepSeek: cn), else its
 *  provider's data-centre region. */
export function dataCentreRegion(model: ModelSpec): GridRegion {
  const own = (model as ModelSpec & { region?: string }).region;
  const id = (own && BY_ID.has(own) ? own : undefined) ?? GRID.dataCentres[model.provider]?.region ?? 'world';
  return BY_ID.get(id) ?? BY_ID.get('world')!;
}

export function dataCentreSource(provider: Provider): string {
  return GRID.dataCentres[provider]?.source ?? 'assumption: world average';
}

export function carbonGrams(wh: number, gPerKwh: number): number {
  return (wh / 1000) * gPerKwh;
}
