// The usage a language-model provider reports back to VS Code's chat: a data part with MIME type `usage`
// whose bytes are UTF-8 JSON in the OpenAI usage shape. GitHub Copilot Chat (0.67, VS Code 1.139) reads it
// from third-party providers' responses (the chat's context gauge, its OpenTelemetry `gen_ai.usage.*`),
// and ends the responses of its own models with the same part (microsoft/vscode#314801,
// microsoft/vscode-copilot-chat `CustomDataPartMimeTypes.Usage`). Without it Copilot records 0 tokens.
import type { TokenCounts } from '../types';

export const USAGE_MIME_TYPE = 'usage';

/** The JSON VS Code's chat reads (OpenAI's `usage`: prompt tokens include the cached ones). */
export interface ChatUsagePayload {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export function usagePayload(tokens: TokenCounts): ChatUsagePayload {
  const payload: ChatUsagePayload = {
    prompt_tokens: tokens.input,
    completion_tokens: tokens.output,
    total_tokens: tokens.input + tokens.output,
    prompt_tokens_details: { cached_tokens: tokens.cachedInput },
  };
  if (tokens.reasoning > 0) payload.completion_tokens_details = { reasoning_tokens: tokens.reasoning };
  return payload;
}

export function encodeUsage(tokens: TokenCounts): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(usagePayload(tokens)));
}

/** Tokens from a usage part's bytes; undefined when they are not the usage shape. */
export function decodeUsage(data: Uint8Array): TokenCounts | undefined {
  let j: unknown;
  try {
    j = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  const u = j as Partial<ChatUsagePayload> | null;
  const n = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.round(x) : undefined);
  const input = n(u?.prompt_tokens);
  const output = n(u?.completion_tokens);
  if (input === undefined || output === undefined) return undefined;
  const cachedInput = Math.min(input, n(u?.prompt_tokens_details?.cached_tokens) ?? 0);
  const reasoning = Math.min(output, n(u?.completion_tokens_details?.reasoning_tokens) ?? 0);
  return { input, cachedInput, output, reasoning };
}
