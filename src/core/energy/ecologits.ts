// EcoLogits' LLM impact model (mlco2/ecologits ecologits/impacts/llm.py and data/hardware_defaults.json,
// MPL-2.0; constants restated, not copied code): used (1) for its embodied-emissions method, with
// Rightsize's deployment and batch assumptions, and (2) as a comparison column in docs/energy-model.md.
import { ModelSpec, TokenCounts } from '../types';
import { count, H100_BF16_FLOPS, H100_FP8_FLOPS, scenarioTerms, ServingScenario, servingScenarios } from './cloudEnergy';
import { fromBounds, lift, Range } from './range';

export const ECOLOGITS_GPU_ENERGY = { alpha: 1.1665273170451914e-6, beta: -0.011205921025579175, gamma: 4.052928146734005e-5 } as const;
export const ECOLOGITS_LATENCY = { alpha: 0.0006785088094353663, beta: 0.0003119310311688259, gamma: 0.019473717579473387 } as const;
export const ECOLOGITS_SERVER = { gpus: 8, powerKw: 1.2, embodiedKgCo2e: 5700 } as const;
export const ECOLOGITS_GPU_EMBODIED_KG_CO2E = 273;
export const ECOLOGITS_LIFESPAN_S = 3 * 365 * 24 * 3600;
/** EcoLogits' current batch-size range (llm.py BATCH_SIZE = RangeValue(min=4, max=16)). */
export const ECOLOGITS_BATCH = { min: 4, max: 16 } as const;
export const ECOLOGITS_BITS = 16;

/** EcoLogits' generation latency (s) for `output` tokens at `batch` (its regression, used when no measured
 *  throughput is known). */
export function ecologitsLatencyS(activeB: number, output: number, batch: number): number {
  const l = ECOLOGITS_LATENCY;
  return output * (l.alpha * activeB + l.beta * batch + l.gamma);
}

/** EcoLogits' request energy (Wh) at one batch size: PUE x (server + n_gpu x per-GPU energy), 16-bit weights. */
export function ecologitsRequestWh(activeB: number, totalB: number, output: number, pue: number, batch: number): number {
  const g = ECOLOGITS_GPU_ENERGY;
  const n = 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil((1.2 * totalB * ECOLOGITS_BITS / 8) / 80))));
  const gpuWh = output * (g.alpha * Math.exp(g.beta * batch) * activeB + g.gamma);
  const serverWh = (ecologitsLatencyS(activeB, output, batch) / 3600) * ECOLOGITS_SERVER.powerKw * 1000 * (n / ECOLOGITS_SERVER.gpus) / batch;
  return pue * (serverWh + n * gpuWh);
}

/** EcoLogits' energy for a model's output tokens (it does not count input tokens), as a range over its
 *  parameter bounds and batch 16 (low) .. 4 (high); central at the geometric-mean parameters and batch 8. */
export function ecologitsEnergyWh(model: ModelSpec, tokens: TokenCounts, pue = model.pue ?? 1.2): Range {
  const out = count(tokens.output);
  return lift((a: number, t: number, b: number) => ecologitsRequestWh(a, t, out, pue, b))(
    fromBounds(model.params.activeB), fromBounds(model.params.totalB), { low: ECOLOGITS_BATCH.max, mid: 8, high: ECOLOGITS_BATCH.min });
}

/** Embodied kg CO2e of the serving group's hardware (EcoLogits: server share + GPUs). */
export function hardwareEmbodiedKg(gpus: number): number {
  return (gpus / ECOLOGITS_SERVER.gpus) * ECOLOGITS_SERVER.embodiedKgCo2e + gpus * ECOLOGITS_GPU_EMBODIED_KG_CO2E;
}

/** Embodied emissions (g CO2e) of one request at one end: the hardware's manufacturing emissions spread over
 *  its 3-year life, charged for the time the request holds it. Decode holds 1/batch of the group for EcoLogits'
 *  latency; prefill holds the whole group for the time its FLOPs take. */
export function requestEmbodiedG(s: ServingScenario, tokens: TokenCounts, prefillMfu: number): number {
  const dep = scenarioTerms(s).dep;
  const decodeS = ecologitsLatencyS(s.activeB, count(tokens.output), s.batch) / s.batch;
  const fresh = Math.max(0, count(tokens.input) - count(tokens.cachedInput));
  const peak = dep.bytesPerParam <= 1 ? H100_FP8_FLOPS : H100_BF16_FLOPS;
  const prefillS = (fresh * 2 * s.activeB * 1e9) / (dep.gpus * peak * prefillMfu);
  return ((decodeS + prefillS) * hardwareEmbodiedKg(dep.gpus) * 1000) / ECOLOGITS_LIFESPAN_S;
}

/** Embodied g CO2e of a cloud request, low/central/high. */
export function cloudEmbodiedG(model: ModelSpec, tokens: TokenCounts): Range {
  const s = servingScenarios(model);
  return { low: requestEmbodiedG(s.low, tokens, s.low.prefillMfu), mid: requestEmbodiedG(s.mid, tokens, s.mid.prefillMfu), high: requestEmbodiedG(s.high, tokens, s.high.prefillMfu) };
}

/** The central end of cloudEmbodiedG (what an estimate carries). */
export function cloudEmbodiedCentralG(model: ModelSpec, tokens: TokenCounts): number {
  const mid = servingScenarios(model).mid;
  return requestEmbodiedG(mid, tokens, mid.prefillMfu);
}
