// Cloud inference energy from a model's parameters and how it is served. Each function computes one
// quantity for plain numbers; `cloudEnergy` evaluates them at the low, central and high end of every
// uncertain input (range.ts), so each formula is written once. Constants, sources and the check against
// measurements: docs/energy-model.md (generated from these exports by src/core/energy/doc/).
import { ModelSpec, TokenCounts } from '../types';
import { fromBounds, lift, Range } from './range';
import {
  DEFAULT_KV_BYTES_PER_TOKEN, Deployment, deployment, EXPERT_PARALLEL_FACTOR, HARDWARE_FACTOR, SERVING_BATCH, servingFacts,
  ServingFacts, weightShareRead,
} from './serving';

// ---- Decode, fitted on ML.ENERGY Leaderboard v3 (H100 SXM, vLLM 0.11.1): Llama 3.1 8B BF16 x1, 70B BF16 x4,
// 405B FP8 x8 at batch 16-1024, 28 points, every point within 0.91-1.08x (mlenergy.ts, test/unit/energy).

/** Energy of the whole serving group per GB of weights streamed in one decode step (J/GB). */
export const STREAM_J_PER_GB = 0.208;
/** Energy per output token per billion active parameters: FLOPs and activations (J/token/B). */
export const COMPUTE_J_PER_TOKEN_PER_B = 0.0037;
/** Energy per output token per GPU in the group: communication and per-GPU overheads (J/token/GPU). */
export const GPU_J_PER_TOKEN = 0.018;
/** Spread of the fit's residuals on the measured points (dense sweeps 0.91-1.08, gpt-oss-120b 0.88), widened. */
export const FIT_RESIDUAL: Range = { low: 0.85, mid: 1, high: 1.2 };

// ---- Prefill (input tokens): compute-bound, 2 FLOPs per active parameter plus attention over the context.

/** H100 SXM board power (W) and dense tensor throughput (FLOP/s): NVIDIA H100 datasheet, SXM5: 700 W,
 *  989.4 TFLOPS BF16, 1,978.9 TFLOPS FP8 (without sparsity). */
export const H100_POWER_W = 700;
export const H100_BF16_FLOPS = 989.4e12;
export const H100_FP8_FLOPS = 1978.9e12;
/** Model FLOPs utilisation during prefill (low energy = high utilisation). */
export const PREFILL_MFU: Range = { low: 0.6, mid: 0.45, high: 0.3 };
/** Context length (tokens) at which attention FLOPs per token equal the weights' 2·P: 2P / (4·layers·d_attn).
 *  Llama 3.1 405B 98k, 70B 54k, 8B 31k, DeepSeek-V3 (MLA) ~15k. */
export const ATTENTION_HALF_CONTEXT: Range = { low: 60_000, mid: 35_000, high: 15_000 };
/** Cached input tokens as a fraction of a fresh prefill token (a prefix-cache hit reloads KV instead of
 *  computing it; mirrors the providers' 90% cache-read discount, widened). */
export const CACHED_PREFILL_FACTOR: Range = { low: 0.05, mid: 0.1, high: 0.25 };

// ---- Beyond the accelerators.

/** Host CPU/DRAM and idle reserve machines relative to accelerator energy, from Google's 2025 breakdown of the
 *  median Gemini prompt: accelerators 58%, host CPU+DRAM 25%, idle machines 10%, data-centre overhead 8%. */
export const HOST_SHARE = 25 / 58;
export const IDLE_SHARE = 10 / 58;
export const IT_OVERHEAD_FACTOR = 1 + HOST_SHARE + IDLE_SHARE;
/** Used when a cloud model carries no PUE (EcoLogits' default data-centre PUE). */
export const DEFAULT_PUE = 1.2;
const J_PER_WH = 3600;

/** One end of every uncertain input of a cloud request. */
export interface ServingScenario {
  activeB: number;
  totalB: number;
  batch: number;
  hardware: number;
  expertParallel: number;
  fitResidual: number;
  kvBytesPerToken: number;
  prefillMfu: number;
  attentionHalfContext: number;
  cachedFactor: number;
  bytesPerParam?: number;
  gpus?: number;
}

/** The three ends for a model: parameter bounds (central = geometric mean) and serving ranges. Computed once
 *  per model object (the router estimates every candidate for every decision) and frozen; computed again when
 *  the model's parameter bounds or serving facts change. */
export function servingScenarios(model: ModelSpec): Range<ServingScenario> {
  const facts = servingFacts(model);
  const key = scenarioKey(model, facts);
  const hit = SCENARIOS.get(model);
  if (hit && sameKey(hit.key, key)) return hit.scenarios;
  const kv: Range = facts?.kvBytesPerToken ? { low: facts.kvBytesPerToken, mid: facts.kvBytesPerToken, high: facts.kvBytesPerToken } : DEFAULT_KV_BYTES_PER_TOKEN;
  const ends = lift((activeB: number, totalB: number, batch: number, hardware: number, expertParallel: number, fitResidual: number,
    kvBytesPerToken: number, prefillMfu: number, attentionHalfContext: number, cachedFactor: number): ServingScenario => Object.freeze({
    activeB, totalB, batch, hardware, expertParallel, fitResidual, kvBytesPerToken, prefillMfu, attentionHalfContext, cachedFactor,
    bytesPerParam: facts?.bytesPerParam, gpus: facts?.gpus,
  }))(fromBounds(model.params.activeB), fromBounds(model.params.totalB), SERVING_BATCH, HARDWARE_FACTOR, EXPERT_PARALLEL_FACTOR,
    FIT_RESIDUAL, kv, PREFILL_MFU, ATTENTION_HALF_CONTEXT, CACHED_PREFILL_FACTOR);
  const scenarios = Object.freeze(ends);
  SCENARIOS.set(model, { key, scenarios });
  return scenarios;
}

/** Everything of a model the scenarios depend on. */
function scenarioKey(model: ModelSpec, facts: ServingFacts | undefined): Array<number | undefined> {
  const { activeB, totalB } = model.params;
  return [activeB.min, activeB.max, totalB.min, totalB.max, facts?.bytesPerParam, facts?.kvBytesPerToken, facts?.gpus];
}

function sameKey(a: ReadonlyArray<number | undefined>, b: ReadonlyArray<number | undefined>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const SCENARIOS = new WeakMap<ModelSpec, { key: Array<number | undefined>; scenarios: Range<ServingScenario> }>();

/** What one end's formulas need that does not depend on the request's tokens (its deployment and the terms
 *  of the decode and prefill energy before the token counts enter), computed once per scenario object. The
 *  terms are the formulas' own leading sub-expressions, so results are the same to the last bit. */
interface ScenarioTerms {
  dep: Deployment;
  /** Decode J/token without the KV term: weights + compute + per-GPU. */
  decodeBase: number;
  /** Decode J/token per token of context (the KV-cache re-read). */
  kvPerContextToken: number;
  /** Factor on decode energy: expert parallelism for a MoE on several GPUs. */
  decodeFactor: number;
  /** Prefill J/token before attention: 2·P_active FLOPs at the served precision's J/FLOP. */
  prefillBase: number;
}

const TERMS = new WeakMap<ServingScenario, ScenarioTerms>();

export function scenarioTerms(s: ServingScenario): ScenarioTerms {
  let t = TERMS.get(s);
  if (t) return t;
  const dep = deployment(s.totalB, s.activeB, { bytesPerParam: s.bytesPerParam, gpus: s.gpus });
  const weightsGB = s.totalB * dep.bytesPerParam;
  const weights = (STREAM_J_PER_GB * weightsGB * weightShareRead(s.activeB, s.totalB, s.batch)) / s.batch;
  const peak = dep.bytesPerParam <= 1 ? H100_FP8_FLOPS : H100_BF16_FLOPS;
  const jPerFlop = H100_POWER_W / (s.prefillMfu * peak);
  t = {
    dep,
    decodeBase: weights + COMPUTE_J_PER_TOKEN_PER_B * s.activeB + GPU_J_PER_TOKEN * dep.gpus,
    kvPerContextToken: STREAM_J_PER_GB * (s.kvBytesPerToken / 1e9),
    decodeFactor: dep.moe && dep.gpus > 1 ? s.expertParallel : 1,
    prefillBase: 2 * s.activeB * 1e9 * jPerFlop,
  };
  // Only frozen scenarios (servingScenarios') are remembered: a caller's own object may change.
  if (Object.isFrozen(s)) TERMS.set(s, t);
  return t;
}

/**
 * Accelerator energy per output token (J) on H100, as fitted on ML.ENERGY:
 *   e = STREAM_J_PER_GB · W_GB · share(batch) / batch + COMPUTE_J_PER_TOKEN_PER_B · P_active
 *     + GPU_J_PER_TOKEN · n_gpu + STREAM_J_PER_GB · kv_GB_per_token · context
 * W_GB: weights as served; share: the part of them one step reads (MoE); context: tokens already in the
 * sequence (each step re-reads its KV cache). Times the expert-parallel factor for a MoE on several GPUs.
 */
export function decodeJoulesPerToken(s: ServingScenario, contextTokens: number): number {
  const t = scenarioTerms(s);
  const perToken = t.decodeBase + t.kvPerContextToken * Math.max(0, contextTokens);
  return perToken * t.decodeFactor;
}

/** Accelerator energy per fresh input token (J): 2·P_active FLOPs at the H100's J/FLOP for the served
 *  precision and the prefill utilisation, plus attention over the context so far. */
export function prefillJoulesPerToken(s: ServingScenario, contextTokens: number): number {
  return scenarioTerms(s).prefillBase * (1 + Math.max(0, contextTokens) / s.attentionHalfContext);
}

/** Accelerator energy of one request (J) at one end: decode at the request's mean context, fresh prefill,
 *  discounted cached prefill, all scaled by the hardware factor. */
export function requestAcceleratorJoules(s: ServingScenario, tokens: TokenCounts): number {
  const output = count(tokens.output);
  const input = count(tokens.input);
  const cached = Math.min(count(tokens.cachedInput), input);
  const fresh = input - cached;
  const decode = output > 0 ? output * s.fitResidual * decodeJoulesPerToken(s, input + output / 2) : 0;
  const prefill = fresh > 0 ? fresh * prefillJoulesPerToken(s, cached + fresh / 2) : 0;
  const reuse = cached > 0 ? cached * s.cachedFactor * prefillJoulesPerToken(s, 0) : 0;
  return s.hardware * (decode + prefill + reuse);
}

export type EnergyRange = Range & { wh: number };

/**
 * Energy of one cloud request (Wh, at the meter): PUE · k_IT · accelerator energy / 3600, where
 * k_IT = 1 + host + idle shares (Google 2025). Low, central and high ends as described above.
 */
export function cloudEnergy(model: ModelSpec, tokens: TokenCounts): EnergyRange {
  const k = (model.pue ?? DEFAULT_PUE) * IT_OVERHEAD_FACTOR / J_PER_WH;
  const s = servingScenarios(model);
  const mid = k * requestAcceleratorJoules(s.mid, tokens);
  return { low: k * requestAcceleratorJoules(s.low, tokens), mid, high: k * requestAcceleratorJoules(s.high, tokens), wh: mid };
}

/** Accelerator-only energy per output token (J) at each end, for comparison with GPU-only measurements such
 *  as ML.ENERGY's; `batch` fixes the batch size (the measured configuration), else the serving range. */
export function acceleratorJoulesPerOutputToken(model: ModelSpec, contextTokens: number, batch?: number): Range {
  return lift((s: ServingScenario) => s.hardware * s.fitResidual * decodeJoulesPerToken(batch ? { ...s, batch } : s, contextTokens))(servingScenarios(model));
}

/** A token count: finite and non-negative, else 0 (imported logs may lack fields). */
export function count(x: number | undefined): number {
  return x !== undefined && x > 0 && Number.isFinite(x) ? x : 0;
}
