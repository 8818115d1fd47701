// How a cloud model is served: precision, GPU count, batch, and the facts the energy formula needs.
// Deployment rules by model class, checked against the configurations ML.ENERGY measured (mlenergy.ts).
// Sources: docs/energy-model.md, "Cloud constants" and "Deployment per model class" (generated from src/core/energy/doc/).
import { ModelSpec } from '../types';
import { Range } from './range';

/** Optional catalog facts about how a model is served (open models with a native precision, or measured shapes). */
export interface ServingFacts {
  /** Bytes per weight as served, e.g. 0.53 for MXFP4 (gpt-oss), 1 for FP8, 2 for BF16. */
  bytesPerParam?: number;
  /** KV-cache bytes per context token (all layers, K and V). */
  kvBytesPerToken?: number;
  /** Accelerators in the serving group, when known (overrides the memory rule). */
  gpus?: number;
}

/** H100 SXM 80 GB: the GPU ML.ENERGY v3 measured and EcoLogits assumes. */
export const GPU_MEMORY_GB = 80;
/** EcoLogits' memory overhead on top of the weights (ecologits/impacts/llm.py `model_required_memory`: 1.2). */
export const MEMORY_OVERHEAD = 1.2;
/** Total parameters from which a model is served in FP8 rather than BF16 (billions). */
export const FP8_FROM_TOTAL_B = 200;

/** Batch size (concurrent sequences) in production serving at the low, central and high end of energy:
 *  larger batches share the weight reads. High end 32: latency-bound agentic serving; low end 256: the
 *  throughput regime where ML.ENERGY v3's energy per token flattens (70B: 0.48 J at 256 vs 0.37 J at 1024);
 *  central 128: their geometric mean, and the batch at which Epoch AI's GPT-4o estimate is met within 1.4x
 *  (docs/energy-model.md, "Check against Epoch AI and Google"). ML.ENERGY's measurements are compared at their own batch size. */
export const SERVING_BATCH: Range = { low: 256, mid: 128, high: 32 };
/** Hardware generation relative to H100: B200 uses a median 35% less energy per token at matched latency
 *  (ML.ENERGY v3, "B200 versus H100"); the high end stays at H100. */
export const HARDWARE_FACTOR: Range = { low: 0.65, mid: 1, high: 1 };
/** Extra energy of a mixture-of-experts model served with expert parallelism over several GPUs (all-to-all
 *  traffic, load imbalance): Qwen3-235B-A22B FP8 on 4 H100 measured 1.85x the dense-fit prediction;
 *  gpt-oss-120b on one GPU 0.88x. Central value between the two, high end above the measured one. */
export const EXPERT_PARALLEL_FACTOR: Range = { low: 1, mid: 1.35, high: 2 };
/** KV-cache bytes per context token when the model's shape is unknown: DeepSeek-V3 MLA ~70 KB, Qwen3-235B
 *  192 KB, Llama 3.1 70B 320 KB (BF16 KV, from the published layer/head counts). */
export const DEFAULT_KV_BYTES_PER_TOKEN: Range = { low: 70e3, mid: 160e3, high: 330e3 };

export interface Deployment {
  /** Bytes per weight as served. */
  bytesPerParam: number;
  gpus: number;
  /** Mixture of experts (fewer active than total parameters). */
  moe: boolean;
}

export function servingFacts(model: ModelSpec): ServingFacts | undefined {
  return (model as ModelSpec & { serving?: ServingFacts }).serving;
}

/** BF16 below FP8_FROM_TOTAL_B total parameters, FP8 above, unless the model ships in another precision. */
export function servedBytesPerParam(totalB: number, facts?: ServingFacts): number {
  if (facts?.bytesPerParam && facts.bytesPerParam > 0) return facts.bytesPerParam;
  return totalB >= FP8_FROM_TOTAL_B ? 1 : 2;
}

/** GPUs needed to hold the weights with EcoLogits' overhead, rounded up to a power of two (tensor-parallel
 *  group sizes): Llama 3.1 8B BF16 -> 1, 70B BF16 -> 4, 405B FP8 -> 8, Qwen3-235B FP8 -> 4 (as measured). */
export function servingGpus(totalB: number, bytesPerParam: number): number {
  const n = Math.max(1, Math.ceil((MEMORY_OVERHEAD * totalB * bytesPerParam) / GPU_MEMORY_GB));
  return 2 ** Math.ceil(Math.log2(n));
}

export function deployment(totalB: number, activeB: number, facts?: ServingFacts): Deployment {
  const bytesPerParam = servedBytesPerParam(totalB, facts);
  return { bytesPerParam, gpus: facts?.gpus ?? servingGpus(totalB, bytesPerParam), moe: activeB < totalB * 0.95 };
}

/** Share of the weights one decode step reads: a dense model reads all of them; a MoE reads the experts its
 *  batch routes to, 1 - (1 - active/total)^batch of them (independent routing). */
export function weightShareRead(activeB: number, totalB: number, batch: number): number {
  const r = Math.min(1, activeB / totalB);
  return r >= 1 ? 1 : 1 - Math.pow(1 - r, batch);
}
