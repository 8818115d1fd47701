// Every constant of the energy, money and carbon model with its unit and source, for the generated document.
// The values are read from the modules that use them; a test renders the document and compares it with
// docs/energy-model.md, so neither can drift.
import * as cloud from '../cloudEnergy';
import * as serving from '../serving';
import * as eco from '../ecologits';
import * as local from '../localEnergy';
import { MEASURED_CONTEXT_TOKENS, MLENERGY_SOURCES } from '../mlenergy';
import { Range } from '../range';
import { WORLD_G_PER_KWH } from '../../cost/carbon';
import { DEFAULT_ELECTRICITY_USD_PER_KWH } from '../../estimate';

export interface ConstantRow { name: string; value: number | Range; unit: string; source: string }

const FIT = 'Fitted on ML.ENERGY Leaderboard v3 (H100 SXM, vLLM 0.11.1): Llama 3.1 8B BF16 ×1, 70B BF16 ×4, 405B FP8 ×8 at batch 16–1024 (28 points; ' + MLENERGY_SOURCES.sweep.split(';')[0] + '), least squares on log ratios';

const H100 = 'NVIDIA H100 SXM5 datasheet: 700 W, 989.4 TFLOPS BF16, 1,978.9 TFLOPS FP8 (dense, without sparsity)';

export const CLOUD_CONSTANTS: ConstantRow[] = [
  { name: 'STREAM_J_PER_GB', value: cloud.STREAM_J_PER_GB, unit: 'J per GB of weights read per decode step (whole group)', source: FIT },
  { name: 'COMPUTE_J_PER_TOKEN_PER_B', value: cloud.COMPUTE_J_PER_TOKEN_PER_B, unit: 'J per output token per B active parameters', source: FIT },
  { name: 'GPU_J_PER_TOKEN', value: cloud.GPU_J_PER_TOKEN, unit: 'J per output token per GPU', source: FIT },
  { name: 'FIT_RESIDUAL', value: cloud.FIT_RESIDUAL, unit: '×', source: 'Spread of the fit on the measured points (dense sweeps 0.91–1.08×, gpt-oss-120b 0.88×), widened' },
  { name: 'context in the fit', value: MEASURED_CONTEXT_TOKENS, unit: 'tokens', source: MLENERGY_SOURCES.context },
  { name: 'SERVING_BATCH', value: serving.SERVING_BATCH, unit: 'concurrent sequences (low energy = large batch)', source: 'ML.ENERGY v3 sweeps: energy per token flattens above ~256 (70B: 0.48 J at 256, 0.37 J at 1024); 32 = latency-bound agentic serving; centre 128 = their geometric mean, the batch at which Epoch AI\'s GPT-4o estimate is met within 1.4×. ML.ENERGY points are compared at their own batch.' },
  { name: 'HARDWARE_FACTOR', value: serving.HARDWARE_FACTOR, unit: '× H100', source: 'ML.ENERGY v3 "B200 versus H100": B200 median 35% less energy per token at matched latency' },
  { name: 'EXPERT_PARALLEL_FACTOR', value: serving.EXPERT_PARALLEL_FACTOR, unit: '× (MoE on >1 GPU)', source: 'Qwen3-235B-A22B FP8 ×4 H100 measured 1.85× the dense fit; gpt-oss-120b ×1 0.88×; central between, high end above' },
  { name: 'DEFAULT_KV_BYTES_PER_TOKEN', value: serving.DEFAULT_KV_BYTES_PER_TOKEN, unit: 'bytes per context token', source: 'DeepSeek-V3 MLA ~70 KB, Qwen3-235B 192 KB, Llama 3.1 70B 320 KB (2 × layers × KV heads × head dim × 2 B)' },
  { name: 'GPU_MEMORY_GB', value: serving.GPU_MEMORY_GB, unit: 'GB per GPU', source: 'EcoLogits llm.py: 80 GB GPUs' },
  { name: 'MEMORY_OVERHEAD', value: serving.MEMORY_OVERHEAD, unit: '× weight bytes', source: 'EcoLogits llm.py: model_required_memory = 1.2 × parameters × bytes' },
  { name: 'FP8_FROM_TOTAL_B', value: serving.FP8_FROM_TOTAL_B, unit: 'B total parameters', source: 'Deployment as measured: ML.ENERGY ran 8B and 70B in BF16, 405B and Qwen3-235B in FP8 (their official releases); gpt-oss ships MXFP4' },
  { name: 'H100_POWER_W', value: cloud.H100_POWER_W, unit: 'W (board)', source: H100 },
  { name: 'H100_BF16_FLOPS', value: cloud.H100_BF16_FLOPS / 1e12, unit: 'TFLOPS (dense BF16)', source: H100 },
  { name: 'H100_FP8_FLOPS', value: cloud.H100_FP8_FLOPS / 1e12, unit: 'TFLOPS (dense FP8)', source: H100 },
  { name: 'PREFILL_MFU', value: cloud.PREFILL_MFU, unit: 'share of peak FLOPS', source: 'assumption: 30–60% model FLOPs utilisation during batched prefill' },
  { name: 'ATTENTION_HALF_CONTEXT', value: cloud.ATTENTION_HALF_CONTEXT, unit: 'tokens', source: '2·P / (4·layers·d_attn): Llama 3.1 405B 98k, 70B 54k, 8B 31k; DeepSeek-V3 (MLA) ~15k' },
  { name: 'CACHED_PREFILL_FACTOR', value: cloud.CACHED_PREFILL_FACTOR, unit: '× fresh prefill', source: 'assumption: a prefix-cache hit reloads KV instead of computing it; mirrors the providers\' 90% cache-read discount, widened' },
  { name: 'IT_OVERHEAD_FACTOR', value: cloud.IT_OVERHEAD_FACTOR, unit: '× accelerator energy', source: 'Google (2025): median Gemini prompt 58% accelerators, 25% host CPU+DRAM, 10% idle machines, 8% data-centre overhead: 1 + 25/58 + 10/58' },
  { name: 'DEFAULT_PUE', value: cloud.DEFAULT_PUE, unit: '', source: 'EcoLogits default data-centre PUE; per-provider PUEs in models.json (pue-dcd: AWS 1.15, Google ~1.1, Azure 1.18)' },
];

export const EMBODIED_CONSTANTS: ConstantRow[] = [
  { name: 'GPU embodied', value: eco.ECOLOGITS_GPU_EMBODIED_KG_CO2E, unit: 'kg CO2e per GPU', source: 'EcoLogits hardware_defaults.json gpu.embodied_gwp' },
  { name: 'server embodied', value: eco.ECOLOGITS_SERVER.embodiedKgCo2e, unit: 'kg CO2e per 8-GPU server', source: 'EcoLogits server.embodied_gwp, server.gpu_count 8' },
  { name: 'lifetime', value: eco.ECOLOGITS_LIFESPAN_S / (365 * 24 * 3600), unit: 'years', source: 'EcoLogits hardware_lifespan_seconds' },
  { name: 'latency α, β, γ', value: { low: eco.ECOLOGITS_LATENCY.alpha, mid: eco.ECOLOGITS_LATENCY.beta, high: eco.ECOLOGITS_LATENCY.gamma }, unit: 's/token per B, per batch, constant', source: 'EcoLogits latency_regression' },
];

export const LOCAL_CONSTANTS: ConstantRow[] = [
  { name: 'DEFAULT_BYTES_PER_PARAM', value: local.DEFAULT_BYTES_PER_PARAM, unit: 'bytes/parameter', source: '4-bit weights including block scales (Ollama\'s default tags are 4-bit)' },
  { name: 'USABLE_MEMORY_SHARE', value: local.USABLE_MEMORY_SHARE, unit: 'of device memory', source: 'assumption: the rest holds the KV cache, runtime and display' },
  { name: 'MEASURED_POWER_SPREAD', value: local.MEASURED_POWER_SPREAD, unit: '±', source: 'assumption: a sample at the first token vs the request\'s average power' },
  { name: 'DEFAULT_ELECTRICITY_USD_PER_KWH', value: DEFAULT_ELECTRICITY_USD_PER_KWH, unit: 'USD/kWh', source: 'EIA: US residential average 16.00 ¢/kWh (2023), 15.45–16.88 ¢ monthly in early 2024' },
  { name: 'WORLD_G_PER_KWH', value: WORLD_G_PER_KWH, unit: 'g CO2e/kWh', source: 'Ember Global Electricity Review 2025 (2024 world average); EcoLogits WOR 473.01' },
];
