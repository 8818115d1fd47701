// Cloud inference energy, EcoLogits-style, from active parameters. Formulas and sources:
// docs/energy-model.md#cloud. All energies in Wh.
import { ModelSpec, TokenCounts } from '../types';

/** EcoLogits LLM model (genai-impact/ecologits ecologits/impacts/llm.py, 2025): per-GPU energy per output
 *  token = alpha * exp(beta * batch) * P_active[B] + gamma, in Wh; fitted on ML.ENERGY H100 measurements. */
export const ECOLOGITS_ALPHA_WH = 1.1665273170451914e-6;
export const ECOLOGITS_BETA = -0.011205921025579175;
export const ECOLOGITS_GAMMA_WH = 4.052928146734005e-5;
export const ECOLOGITS_BATCH = 64;
/** alpha * exp(beta * batch): Wh per output token per billion active parameters. */
export const DECODE_WH_PER_TOKEN_PER_B = ECOLOGITS_ALPHA_WH * Math.exp(ECOLOGITS_BETA * ECOLOGITS_BATCH);
/** Per-GPU floor per output token (static power while the batch steps). */
export const DECODE_WH_PER_TOKEN_PER_GPU = ECOLOGITS_GAMMA_WH;

/** GPU memory (H100 80 GB) and EcoLogits' 1.2 memory overhead for the serving group size. */
export const GPU_MEMORY_GB = 80;
export const MEMORY_OVERHEAD = 1.2;
/** assumption: production serving of large models in FP8/INT8 (EcoLogits uses 16 bits). */
export const SERVING_BYTES_PER_PARAM = 1;

/** Host CPU/DRAM and idle reserve machines relative to accelerator energy, from Google's 2025 breakdown of the
 *  median Gemini prompt: accelerators 58%, host CPU+DRAM 25%, idle machines 10%, data-centre overhead 8%. */
export const HOST_SHARE = 25 / 58;
export const IDLE_SHARE = 10 / 58;
export const IT_OVERHEAD_FACTOR = 1 + HOST_SHARE + IDLE_SHARE;

/** Prefill energy per input token as a fraction of decode energy per output token (low, central, high).
 *  Low: FLOP-bound FP8 prefill at ~50% utilisation vs batch-64 decode; high: Epoch AI's long-input figures
 *  ((2.5 Wh - 0.3 Wh) / 10k input tokens vs 0.3 Wh / 500 output tokens = 0.37). */
export const PREFILL_RATIO = { low: 0.1, mid: 0.2, high: 0.37 } as const;
/** Cached input tokens as a fraction of fresh prefill (prefix-cache hit: KV reload instead of compute).
 *  assumption, mirroring the providers' 90% cache-read discount; widened. */
export const CACHED_PREFILL_FACTOR = { low: 0.05, mid: 0.1, high: 0.25 } as const;
/** Serving efficiency spread (batching, hardware generation, software): ML.ENERGY measured the same model on
 *  the same GPU at 0.20 J and 0.12 J per token between benchmark versions (vLLM 0.5 -> 0.11). */
export const SERVING_FACTOR = { low: 0.6, mid: 1, high: 1.5 } as const;
/** Used when a cloud model carries no PUE (EcoLogits' default data-centre PUE). */
export const DEFAULT_PUE = 1.2;

/** GPUs needed to hold the weights, rounded up to a power of two (tensor-parallel group sizes). */
export function servingGpus(totalParamsB: number): number {
  const gb = MEMORY_OVERHEAD * totalParamsB * SERVING_BYTES_PER_PARAM;
  const n = Math.max(1, Math.ceil(gb / GPU_MEMORY_GB));
  return 2 ** Math.ceil(Math.log2(n));
}

/** Accelerator energy per output token (Wh) for the whole serving group: the work (alpha*P) is shared by the
 *  group, the per-GPU floor (gamma) is paid by each GPU. */
export function decodeWhPerToken(activeB: number, totalB: number): number {
  return DECODE_WH_PER_TOKEN_PER_B * activeB + DECODE_WH_PER_TOKEN_PER_GPU * servingGpus(totalB);
}

export interface EnergyRange { wh: number; low: number; high: number }

/**
 * Energy of one cloud request (Wh, at the meter: PUE included).
 * E = PUE * IT_OVERHEAD * s * e_out * (output + fresh_input * r + cached_input * r * c)
 * where e_out = decodeWhPerToken(P_active, P_total). Low uses the parameter minima and low factors, high the
 * maxima and high factors, central the geometric means and central factors.
 */
export function cloudEnergy(model: ModelSpec, tokens: TokenCounts): EnergyRange {
  const output = count(tokens.output);
  const input = count(tokens.input);
  const cached = Math.min(count(tokens.cachedInput), input);
  const fresh = input - cached;
  const pue = model.pue ?? DEFAULT_PUE;
  const a = model.params.activeB;
  const t = model.params.totalB;
  const k = pue * IT_OVERHEAD_FACTOR;

  const eLow = decodeWhPerToken(a.min, t.min);
  const eMid = decodeWhPerToken(Math.sqrt(a.min * a.max), Math.sqrt(t.min * t.max));
  const eHigh = decodeWhPerToken(a.max, t.max);

  const low = k * SERVING_FACTOR.low * eLow * (output + PREFILL_RATIO.low * (fresh + cached * CACHED_PREFILL_FACTOR.low));
  const wh = k * SERVING_FACTOR.mid * eMid * (output + PREFILL_RATIO.mid * (fresh + cached * CACHED_PREFILL_FACTOR.mid));
  const high = k * SERVING_FACTOR.high * eHigh * (output + PREFILL_RATIO.high * (fresh + cached * CACHED_PREFILL_FACTOR.high));
  return { wh, low, high };
}

/** A token count: finite and non-negative, else 0 (imported logs may lack fields). */
export function count(x: number | undefined): number {
  return x !== undefined && x > 0 && Number.isFinite(x) ? x : 0;
}

/** Accelerator-only energy per output token (Wh) at the central factors, for comparison with GPU-only
 *  measurements such as ML.ENERGY's. */
export function acceleratorWhPerOutputToken(model: ModelSpec, which: 'low' | 'mid' | 'high'): number {
  const a = model.params.activeB;
  const t = model.params.totalB;
  if (which === 'low') return SERVING_FACTOR.low * decodeWhPerToken(a.min, t.min);
  if (which === 'high') return SERVING_FACTOR.high * decodeWhPerToken(a.max, t.max);
  return decodeWhPerToken(Math.sqrt(a.min * a.max), Math.sqrt(t.min * t.max));
}
