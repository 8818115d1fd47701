// One estimate per (model, tokens): energy (Wh with a low..high range), money (USD) and carbon (g CO2e).
// Called thousands of times per second by the router: arithmetic and cached lookups only, no I/O.
// Formulas, constants and sources: docs/energy-model.md.
import { CarbonEstimate, CostEstimate, Estimate, ModelSpec, TokenCounts } from './types';
import { DeviceProfile, deviceProfile } from './energy/devices';
import { cloudEnergy } from './energy/cloudEnergy';
import { cloudEmbodiedCentralG } from './energy/ecologits';
import { localEnergyWh, localPower, predictLocalTime } from './energy/localEnergy';
import { exact, Range } from './energy/range';
import { cloudCostUsd, localCostUsd } from './cost/money';
import { resolvePrice } from './cost/prices';
import { carbonGrams, dataCentreRegion, WORLD_G_PER_KWH } from './cost/carbon';
import { copilotFacts } from './catalog/specExtensions';
import { DEFAULT_ELECTRICITY_USD_PER_KWH } from './defaults';
import { runsLocally } from './modelLocation';

export type { DeviceProfile } from './energy/devices';
export { listDeviceProfiles } from './energy/devices';

export interface EstimateSettings {
  device: DeviceProfile;
  /** Default 0.165 USD/kWh: US residential average, 2024 (EIA). */
  electricityUsdPerKwh: number;
  /** Optional amortisation of the local machine: price / expected hours of use, per hour used. */
  hardware?: { priceUsd: number; lifetimeHours: number };
  /** The user's grid (local models). Default 473 g/kWh: world average. */
  gridGPerKwh: number;
  /** Cloud electricity; undefined: the provider's data-centre region (carbon.ts). */
  cloudGridGPerKwh?: number;
  /** Add embodied (manufacturing) emissions to the headline grams (they are always reported in `embodiedG`). */
  includeEmbodied?: boolean;
  /** Measured accelerator power (nvidia-smi, RAPL, AMD hwmon), when available. */
  measuredPowerW?: number;
}

/** Ollama's durations for a finished request (prompt_eval_duration, eval_duration, load_duration), in ms. */
export interface LocalTiming { promptEvalMs: number; evalMs: number; loadMs?: number }

export { DEFAULT_ELECTRICITY_USD_PER_KWH } from './defaults';
export const DEFAULT_DEVICE_ID = 'generic';

export function defaultEstimateSettings(): EstimateSettings {
  const device = deviceProfile(DEFAULT_DEVICE_ID);
  if (!device) throw new Error(`device profile ${DEFAULT_DEVICE_ID} missing from devices.json`);
  return { device, electricityUsdPerKwh: DEFAULT_ELECTRICITY_USD_PER_KWH, gridGPerKwh: WORLD_G_PER_KWH };
}

/** The model's remote Ollama entries and every cloud model are metered as cloud inference. */
function isCloud(model: ModelSpec): boolean {
  return !runsLocally(model);
}

export function estimate(model: ModelSpec, tokens: TokenCounts, settings: EstimateSettings, timing?: LocalTiming): Estimate {
  return isCloud(model) ? cloudEstimate(model, tokens, settings) : localEstimate(model, tokens, settings, timing);
}

function cloudEstimate(model: ModelSpec, tokens: TokenCounts, settings: EstimateSettings): Estimate {
  const e = cloudEnergy(model, tokens);
  const region = dataCentreRegion(model);
  const gPerKwh = settings.cloudGridGPerKwh ?? region.gPerKwh;
  const embodiedG = cloudEmbodiedCentralG(model, tokens);
  const carbon: CarbonEstimate = { g: carbonGrams(e.mid, gPerKwh) + (settings.includeEmbodied ? embodiedG : 0), gPerKwh, embodiedG };
  if (settings.cloudGridGPerKwh === undefined) carbon.region = region.id;
  return { model: model.id, tokens, energy: { wh: e.mid, low: e.low, high: e.high, method: 'cloud-params' }, cost: cloudCost(model, tokens), carbon };
}

function cloudCost(model: ModelSpec, tokens: TokenCounts): CostEstimate {
  const price = resolvePrice(model);
  let cost: CostEstimate;
  if (price.prices) cost = { usd: cloudCostUsd(price.prices, tokens), method: model.provider === 'copilot' ? 'copilot-ai-credits' : 'list-prices' };
  else if (price.origin === 'copilot-included') cost = { usd: 0, method: 'copilot-included' };
  else cost = { usd: 0, method: price.origin === 'subscription' || model.provider === 'ollama' ? 'subscription' : 'unpriced' };
  const multiplier = copilotFacts(model)?.premiumRequestMultiplier;
  if (model.provider === 'copilot' && multiplier !== undefined) cost.premiumRequests = multiplier;
  return cost;
}

function localEstimate(model: ModelSpec, tokens: TokenCounts, settings: EstimateSettings, timing?: LocalTiming): Estimate {
  const power = localPower(settings.device, settings.measuredPowerW);
  const seconds: Range = timing
    ? exact((nonNegative(timing.promptEvalMs) + nonNegative(timing.evalMs) + nonNegative(timing.loadMs ?? 0)) / 1000)
    : predictLocalTime(model, tokens, settings.device);
  const wh = localEnergyWh(power, seconds);
  const measured = settings.measuredPowerW !== undefined && settings.measuredPowerW > 0;
  const amortised = !!settings.hardware && settings.hardware.lifetimeHours > 0;
  return {
    model: model.id,
    tokens,
    energy: { wh: wh.mid, low: wh.low, high: wh.high, method: measured ? 'local-measured' : 'local-profile' },
    cost: { usd: localCostUsd(wh.mid, seconds.mid / 3600, settings.electricityUsdPerKwh, settings.hardware), method: amortised ? 'electricity+hardware' : 'electricity' },
    carbon: { g: carbonGrams(wh.mid, settings.gridGPerKwh), gPerKwh: settings.gridGPerKwh },
  };
}

function nonNegative(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}
