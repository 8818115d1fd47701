// Carbon: g CO2e = kWh x grid intensity. Region table (grid.json) for the settings UI.
import data from './grid.json';

export interface GridRegion { id: string; name: string; gPerKwh: number; source: string }

interface GridData { version: string; sources: Record<string, string>; regions: GridRegion[] }

const GRID = data as unknown as GridData;

/** World average carbon intensity of electricity, 2024 (Ember Global Electricity Review 2025). */
export const WORLD_G_PER_KWH = 473;
export const GRID_DATA_VERSION = GRID.version;
export const GRID_SOURCES: Readonly<Record<string, string>> = GRID.sources;

export function listGridRegions(): GridRegion[] {
  return GRID.regions.map((r) => ({ ...r }));
}

export function carbonGrams(wh: number, gPerKwh: number): number {
  return (wh / 1000) * gPerKwh;
}
