// Optional fields the catalog adds to `ModelSpec` (types.ts). They are extensions, not part of the shared
// contract: code elsewhere may ignore them, and every reader here treats them as possibly absent.
import { ModelPrices, ModelSpec } from '../types';
import type { ServingFacts } from '../energy/serving';

/** A second price tier for long prompts (e.g. Gemini 2.5 Pro above 200K input tokens). USD per million tokens. */
export interface LongContextPrices {
  /** The tier applies when the request's input tokens exceed this. */
  thresholdInputTokens: number;
  inputPerMTokUsd: number;
  cachedInputPerMTokUsd?: number;
  cacheWritePerMTokUsd?: number;
  outputPerMTokUsd: number;
}

export interface CatalogPrices extends ModelPrices {
  longContext?: LongContextPrices;
}

/** Local (Ollama) facts the throughput model uses. */
export interface LocalModelFacts {
  /** Ollama's `details.quantization_level`, e.g. `Q4_K_M`. */
  quantization?: string;
  /** Size of the weights in GB (10^9 bytes), e.g. Ollama's download size. */
  weightsGB?: number;
  /** Ollama's `capabilities` (`completion`, `tools`, `insert`, `vision`, `thinking`, `embedding`). */
  capabilities?: string[];
}

/** GitHub Copilot facts. Since 2026-06-01 Copilot bills per token in AI credits (1 credit = $0.01); models
 *  listed without a rate are included in paid plans (src/core/cost/priceOverrides.json, `copilot`). */
export interface CopilotFacts {
  /** The id Copilot's API and model picker use (also the catalog id). */
  apiId: string;
  /** Catalog id of the same model at its own provider, when the catalog has it. */
  underlying?: string;
  /** Legacy premium-request multiplier (plans still on request-based billing), last published 2026-05-29. */
  premiumRequestMultiplier?: number;
  /** `current` on Copilot's list, `included` at no token cost, `preview`, or `retired` (kept for imported history). */
  status?: 'current' | 'included' | 'preview' | 'retired';
}

export interface CatalogModelSpec extends ModelSpec {
  prices?: CatalogPrices;
  local?: LocalModelFacts;
  copilot?: CopilotFacts;
  /** Total context window (input + output) when it differs from `contextTokens`, the input (prompt) limit. */
  contextWindowTokens?: number;
  /** genai-prices reference `provider/model` when it differs from the catalog's provider and id. */
  priceRef?: string;
  /** Grid region of the data centre when it differs from the provider's default (src/core/cost/grid.json). */
  region?: string;
  /** How the model is served, when known (src/core/energy/serving.ts). */
  serving?: ServingFacts;
  /** The model reasons by default (hidden reasoning tokens, billed and generated as output): how much an
   *  estimate made before the request expects (src/core/catalog/reasoningTokens.ts). */
  reasoning?: ReasoningDefaults;
}

/** A reasoning model's behaviour when the request does not set an effort. */
export interface ReasoningDefaults {
  /** The API's default reasoning effort. */
  defaultEffort: 'minimal' | 'low' | 'medium' | 'high';
  /** Hidden reasoning tokens expected per request at that effort (output includes them). */
  expectedTokensPerRequest: number;
}

/** USD for one legacy premium request beyond the allowance (GitHub docs, copilot requests). */
export const COPILOT_PREMIUM_REQUEST_USD = 0.04;

export function copilotFacts(model: ModelSpec): CopilotFacts | undefined {
  return (model as CatalogModelSpec).copilot;
}

export function reasoningDefaults(model: ModelSpec): ReasoningDefaults | undefined {
  return (model as CatalogModelSpec).reasoning;
}

export function localFacts(model: ModelSpec): LocalModelFacts | undefined {
  return (model as CatalogModelSpec).local;
}

export function longContextPrices(prices: ModelPrices): LongContextPrices | undefined {
  return (prices as CatalogPrices).longContext;
}
