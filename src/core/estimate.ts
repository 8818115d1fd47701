// One estimate per (model, tokens): energy (Wh with a low..high range), money (USD) and carbon (g CO2e).
// Called thousands of times per second by the router: arithmetic only, no I/O, few allocations.
// Formulas, constants and sources: docs/energy-model.md.
import { Estimate, ModelSpec, TokenCounts } from './types';
import { DeviceProfile, deviceProfile } from './energy/devices';
import { cloudEnergy } from './energy/cloudEnergy';
import { localPower, predictLocalTime } from './energy/localEnergy';
import { cloudCostUsd, localCostUsd } from './cost/money';
import { WORLD_G_PER_KWH } from './cost/carbon';

export type { DeviceProfile } from './energy/devices';
export { listDeviceProfiles } from './energy/devices';

export interface EstimateSettings {
  device: DeviceProfile;
  /** Default 0.165 USD/kWh: US residential average, 2024 (EIA). */
  electricityUsdPerKwh: number;
  /** Optional amortisation of the local machine: price / expected hours of use, per hour used. */
  hardware?: { priceUsd: number; lifetimeHours: number };
  /** Default 473 g/kWh: world average 2024 (Ember). */
  gridGPerKwh: number;
  /** Measured accelerator power (nvidia-smi), when available. */
  measuredPowerW?: number;
}

/** Ollama's durations for a finished request (prompt_eval_duration, eval_duration, load_duration), in ms. */
export interface LocalTiming { promptEvalMs: number; evalMs: number; loadMs?: number }

/** US residential average retail price of electricity, 2024 (EIA Electric Power Monthly: 15.45-16.88 c/kWh
 *  monthly in early 2024; 16.00 c/kWh annual 2023), rounded. */
export const DEFAULT_ELECTRICITY_USD_PER_KWH = 0.165;
export const DEFAULT_DEVICE_ID = 'generic';

export function defaultEstimateSettings(): EstimateSettings {
  const device = deviceProfile(DEFAULT_DEVICE_ID);
  if (!device) throw new Error(`device profile ${DEFAULT_DEVICE_ID} missing from devices.json`);
  return { device, electricityUsdPerKwh: DEFAULT_ELECTRICITY_USD_PER_KWH, gridGPerKwh: WORLD_G_PER_KWH };
}

/** The model's remote Ollama entries and every cloud model are metered as cloud inference. */
function isCloud(model: ModelSpec): boolean {
  return model.location === 'cloud' || model.remote === true;
}

export function estimate(model: ModelSpec, tokens: TokenCounts, settings: EstimateSettings, timing?: LocalTiming): Estimate {
  let wh: number;
  let low: number;
  let high: number;
  let energyMethod: string;
  let usd: number;
  let costMethod: string;

  if (isCloud(model)) {
    const e = cloudEnergy(model, tokens);
    wh = e.wh;
    low = e.low;
    high = e.high;
    energyMethod = 'cloud-params';
    if (model.prices) {
      usd = cloudCostUsd(model.prices, tokens);
      costMethod = model.provider === 'copilot' ? 'copilot-ai-credits' : 'list-prices';
    } else {
      usd = 0;
      costMethod = model.provider === 'ollama' ? 'subscription' : 'unpriced';
    }
  } else {
    const power = localPower(settings.device, settings.measuredPowerW);
    let lowS: number;
    let midS: number;
    let highS: number;
    if (timing) {
      midS = lowS = highS = (nonNegative(timing.promptEvalMs) + nonNegative(timing.evalMs) + nonNegative(timing.loadMs ?? 0)) / 1000;
    } else {
      const t = predictLocalTime(model, tokens, settings.device);
      lowS = t.lowS;
      midS = t.midS;
      highS = t.highS;
    }
    wh = (power.midW * midS) / 3600;
    low = (power.lowW * lowS) / 3600;
    high = (power.highW * highS) / 3600;
    energyMethod = settings.measuredPowerW !== undefined && settings.measuredPowerW > 0 ? 'local-measured' : 'local-profile';
    usd = localCostUsd(wh, midS / 3600, settings.electricityUsdPerKwh, settings.hardware);
    costMethod = settings.hardware && settings.hardware.lifetimeHours > 0 ? 'electricity+hardware' : 'electricity';
  }

  return {
    model: model.id,
    tokens,
    energy: { wh, low, high, method: energyMethod },
    cost: { usd, method: costMethod },
    carbon: { g: (wh / 1000) * settings.gridGPerKwh, gPerKwh: settings.gridGPerKwh },
  };
}

function nonNegative(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}
