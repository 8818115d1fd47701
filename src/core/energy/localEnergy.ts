// Local (Ollama) inference: energy = power x time. Time comes from Ollama's reported durations when the
// request ran, or from a throughput model before it runs. docs/energy-model.md, "Local energy".
import { ModelSpec, Bounds, TokenCounts } from '../types';
import { localFacts } from '../catalog/specExtensions';
import { DeviceProfile } from './devices';
import { count } from './cloudEnergy';
import { fromBounds, lift, map, range, Range } from './range';

/** Used when a (custom or older) profile lacks the throughput fields: the `generic` profile's ranges. */
const FALLBACK_EFFICIENCY: Bounds = { min: 0.55, max: 0.85 };
const FALLBACK_PREFILL_TFLOPS: Bounds = { min: 0.3, max: 20 };
const FALLBACK_BANDWIDTH_GBS = 100;

/** Bytes per parameter by llama.cpp quantisation (weights incl. block scales; approximate). */
const BYTES_PER_PARAM: Readonly<Record<string, number>> = {
  F32: 4, F16: 2, BF16: 2, Q8_0: 1.0625, Q6_K: 0.82, Q5_K_M: 0.71, Q5_K_S: 0.69, Q5_0: 0.6875, Q5_1: 0.75,
  Q4_K_M: 0.6, Q4_K_S: 0.57, Q4_0: 0.5625, Q4_1: 0.625, Q3_K_L: 0.54, Q3_K_M: 0.49, Q3_K_S: 0.43, Q2_K: 0.41,
  MXFP4: 0.53, IQ4_XS: 0.54, IQ4_NL: 0.5625,
};
/** Default: 4-bit weights incl. overhead (Ollama's default tags are 4-bit). */
export const DEFAULT_BYTES_PER_PARAM = 0.56;
/** Share of `memoryGB` usable for weights (the rest holds the KV cache, runtime, display). */
export const USABLE_MEMORY_SHARE = 0.9;
/** Measured power (nvidia-smi) is taken as +-10% (sampling instant vs the request's average). */
export const MEASURED_POWER_SPREAD = 0.1;

export function bytesPerParam(model: ModelSpec): number {
  const facts = localFacts(model);
  if (facts?.weightsGB && model.params.totalB.max > 0) {
    const bpp = facts.weightsGB / ((model.params.totalB.min + model.params.totalB.max) / 2);
    if (bpp > 0.2 && bpp < 4.5) return bpp;
  }
  const q = facts?.quantization?.toUpperCase();
  if (q && BYTES_PER_PARAM[q] !== undefined) return BYTES_PER_PARAM[q];
  return DEFAULT_BYTES_PER_PARAM;
}

/** One end of the throughput model's inputs. */
interface TimeScenario { activeB: number; totalB: number; efficiency: number; prefillTflops: number }

/**
 * Predicted wall time (s) on the device. Decode is memory-bound: each token streams the active weights,
 * s/token = bytes_active / (BW * efficiency), with weights beyond the device memory streamed from host
 * memory. Prefill is compute-bound: s/token = 2 * P_active / FLOPS. Cached input (Ollama's prompt cache)
 * costs no time. Low time = fast end (high efficiency, high TFLOPS, fewest params).
 */
export function predictLocalTime(model: ModelSpec, tokens: TokenCounts, device: DeviceProfile): Range {
  const per = secondsPerToken(model, device);
  const output = count(tokens.output);
  const fresh = Math.max(0, count(tokens.input) - count(tokens.cachedInput));
  return {
    low: output * per.decode.low + fresh * per.prefill.low,
    mid: output * per.decode.mid + fresh * per.prefill.mid,
    high: output * per.decode.high + fresh * per.prefill.high,
  };
}

/** Seconds per output token (decode) and per fresh input token (prefill) at each end, for a model on a
 *  device: computed once per (model, device) and again when what they depend on changes (a profile edited
 *  in place, e.g. custom watts, or a model's parameters). */
interface PerToken { decode: Range; prefill: Range }

function secondsPerToken(model: ModelSpec, device: DeviceProfile): PerToken {
  const key = perTokenKey(model, device);
  const hit = PER_TOKEN.get(model);
  if (hit && hit.device === device && sameNumbers(hit.key, key)) return hit.per;
  const bpp = bytesPerParam(model);
  const eff = validRange(device.decodeEfficiency) ?? FALLBACK_EFFICIENCY;
  const fl = validRange(device.prefillTflops) ?? FALLBACK_PREFILL_TFLOPS;
  const scenarios: Range<TimeScenario> = lift((activeB: number, totalB: number, efficiency: number, prefillTflops: number) => ({ activeB, totalB, efficiency, prefillTflops }))(
    fromBounds(model.params.activeB), fromBounds(model.params.totalB),
    { low: eff.max, mid: (eff.min + eff.max) / 2, high: eff.min },
    { low: fl.max, mid: Math.sqrt(fl.min * fl.max), high: fl.min });
  const per: PerToken = {
    decode: map(scenarios, (s) => decodeSecondsPerToken(s.activeB, s.totalB, bpp, device, s.efficiency)),
    prefill: map(scenarios, (s) => prefillSecondsPerToken(s.activeB, s.prefillTflops)),
  };
  PER_TOKEN.set(model, { device, key, per });
  return per;
}

const PER_TOKEN = new WeakMap<ModelSpec, { device: DeviceProfile; key: Array<number | string | undefined>; per: PerToken }>();

/** Everything of the model and the device the per-token times depend on. */
function perTokenKey(model: ModelSpec, device: DeviceProfile): Array<number | string | undefined> {
  const { activeB, totalB } = model.params;
  const facts = localFacts(model);
  return [
    activeB.min, activeB.max, totalB.min, totalB.max, facts?.weightsGB, facts?.quantization,
    device.memoryGB, device.memoryBandwidthGBs, device.hostBandwidthGBs,
    device.decodeEfficiency?.min, device.decodeEfficiency?.max, device.prefillTflops?.min, device.prefillTflops?.max,
  ];
}

function sameNumbers(a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function decodeSecondsPerToken(activeB: number, totalB: number, bpp: number, device: DeviceProfile, efficiency: number): number {
  const gbPerToken = activeB * bpp;
  const weightsGB = totalB * bpp;
  const fits = device.memoryGB ? device.memoryGB * USABLE_MEMORY_SHARE : Infinity;
  const offloaded = weightsGB > fits ? (weightsGB - fits) / weightsGB : 0;
  const bw = device.memoryBandwidthGBs > 0 ? device.memoryBandwidthGBs : FALLBACK_BANDWIDTH_GBS;
  const hostBw = device.hostBandwidthGBs && device.hostBandwidthGBs > 0 ? device.hostBandwidthGBs : bw;
  return (gbPerToken * (1 - offloaded)) / (bw * efficiency) + (gbPerToken * offloaded) / (hostBw * efficiency);
}

function validRange(r: Bounds | undefined): Bounds | undefined {
  return r && r.min > 0 && r.max >= r.min ? r : undefined;
}

function prefillSecondsPerToken(activeB: number, tflops: number): number {
  return (2 * activeB * 1e9) / (tflops * 1e12);
}

/** Power (W) drawn during inference: accelerator (measured, else profile) plus the rest of the machine. */
export function localPower(device: DeviceProfile, measuredPowerW?: number): Range {
  const host: Bounds = device.hostPowerW ?? { min: 0, max: 0 };
  const accelerator: Range = measuredPowerW !== undefined && measuredPowerW > 0
    ? range(measuredPowerW * (1 - MEASURED_POWER_SPREAD), measuredPowerW, measuredPowerW * (1 + MEASURED_POWER_SPREAD))
    : range(device.powerW.min, (device.powerW.min + device.powerW.max) / 2, device.powerW.max);
  const h = range(host.min, (host.min + host.max) / 2, host.max);
  // add() without its generic lift (called for every local estimate); the same sums.
  return { low: 0 + accelerator.low + h.low, mid: 0 + accelerator.mid + h.mid, high: 0 + accelerator.high + h.high };
}

/** Energy (Wh) = power x time, at each end. */
export function localEnergyWh(power: Range, seconds: Range): Range {
  return { low: (power.low * seconds.low) / 3600, mid: (power.mid * seconds.mid) / 3600, high: (power.high * seconds.high) / 3600 };
}
