// ML.ENERGY Leaderboard v3 measurements (H100 SXM 80 GB, vLLM 0.11.1, GPU energy per output token) that the
// cloud decode constants are fitted on and checked against. Reference model specs describe each measured
// configuration as it was deployed (precision, GPU count, KV-cache size from the published model shapes).
import { ModelSpec } from '../types';
import { ServingFacts } from './serving';

export const MLENERGY_SOURCES = {
  sweep: 'ML.ENERGY blog, "LLM Inference Energy: A Longitudinal Analysis" (2026-02-09), figure "Energy per output token vs. batch size for Llama 3.1 models on H100 GPUs", V3 series; values read from the figure\'s SVG data points (ml-energy/blog docs/posts/assets/llm-energy-over-time/llama-energy-per-token-light.svg) with its axis ticks; the post states 0.20 -> 0.12 J at batch 64 for 8B.',
  design: 'Rightsize DESIGN.md / issue 11: ML.ENERGY Leaderboard v3 at batch 64 on H100: Llama 3.1 8B x1 0.119, 70B x4 0.797, 405B FP8 x8 3.08, gpt-oss-120b x1 0.268, Qwen3-235B-A22B FP8 x4 1.74 J per output token.',
  context: 'assumption: ~600 tokens of context per sequence (Text Conversation: mean output 717 tokens, short prompts; ML.ENERGY v3 post)',
} as const;

export type ModelClass = 'dense-8b' | 'dense-70b' | 'dense-405b-fp8' | 'moe-gpt-oss-120b' | 'moe-qwen3-235b-fp8';

export interface Measurement {
  cls: ModelClass;
  batch: number;
  jPerToken: number;
  source: keyof typeof MLENERGY_SOURCES;
}

/** Mean context per sequence in the measured runs (tokens). */
export const MEASURED_CONTEXT_TOKENS = 600;

const sweep = (cls: ModelClass, points: Array<[number, number]>): Measurement[] =>
  points.map(([batch, jPerToken]) => ({ cls, batch, jPerToken, source: 'sweep' as const }));

export const MLENERGY_MEASUREMENTS: readonly Measurement[] = [
  ...sweep('dense-8b', [[16, 0.263], [32, 0.165], [64, 0.119], [96, 0.103], [128, 0.095], [192, 0.084], [256, 0.077], [384, 0.074], [512, 0.070], [768, 0.071]]),
  ...sweep('dense-70b', [[16, 2.09], [32, 1.21], [64, 0.797], [96, 0.648], [128, 0.563], [192, 0.514], [256, 0.479], [384, 0.441], [512, 0.421], [768, 0.390], [1024, 0.373]]),
  ...sweep('dense-405b-fp8', [[16, 7.59], [32, 4.77], [64, 3.08], [96, 2.66], [128, 2.43], [192, 2.23], [256, 2.06]]),
  { cls: 'moe-gpt-oss-120b', batch: 64, jPerToken: 0.268, source: 'design' },
  { cls: 'moe-qwen3-235b-fp8', batch: 64, jPerToken: 1.74, source: 'design' },
];

interface ClassFacts { name: string; totalB: number; activeB: number; serving: ServingFacts; shape: string }

/** KV bytes per token = 2 (K, V) x layers x KV heads x head dim x 2 bytes (BF16 cache). */
export const MLENERGY_CLASSES: Readonly<Record<ModelClass, ClassFacts>> = {
  'dense-8b': { name: 'Llama 3.1 8B Instruct, BF16, 1x H100', totalB: 8.03, activeB: 8.03, serving: { bytesPerParam: 2, gpus: 1, kvBytesPerToken: 131_072 }, shape: '32 layers, 8 KV heads x 128' },
  'dense-70b': { name: 'Llama 3.1 70B Instruct, BF16, 4x H100', totalB: 70.6, activeB: 70.6, serving: { bytesPerParam: 2, gpus: 4, kvBytesPerToken: 327_680 }, shape: '80 layers, 8 KV heads x 128' },
  'dense-405b-fp8': { name: 'Llama 3.1 405B Instruct FP8, 8x H100', totalB: 405.9, activeB: 405.9, serving: { bytesPerParam: 1, gpus: 8, kvBytesPerToken: 516_096 }, shape: '126 layers, 8 KV heads x 128' },
  'moe-gpt-oss-120b': { name: 'gpt-oss-120b, MXFP4, 1x H100', totalB: 116.8, activeB: 5.1, serving: { bytesPerParam: 0.53, gpus: 1, kvBytesPerToken: 73_728 }, shape: '36 layers, 8 KV heads x 64' },
  'moe-qwen3-235b-fp8': { name: 'Qwen3-235B-A22B FP8, 4x H100', totalB: 235, activeB: 22, serving: { bytesPerParam: 1, gpus: 4, kvBytesPerToken: 196_608 }, shape: '94 layers, 4 KV heads x 128' },
};

/** A ModelSpec for a measured configuration (exact parameters, as deployed; PUE 1: GPU energy only). */
export function referenceModel(cls: ModelClass): ModelSpec & { serving: ServingFacts } {
  const c = MLENERGY_CLASSES[cls];
  return {
    id: `${cls} (ML.ENERGY reference)`, displayName: c.name, provider: 'openai-compatible', location: 'cloud',
    params: { totalB: { min: c.totalB, max: c.totalB }, activeB: { min: c.activeB, max: c.activeB } },
    contextTokens: 131072, maxOutputTokens: 32768, tools: true,
    capability: { score: 0, benchmark: 'n/a', source: 'reference fixture' },
    tokenizer: 'o200k_base', pue: 1, sources: { params: `model card: ${c.shape}` },
    serving: c.serving,
  };
}
