// Shared test fixtures: the ChatRequest and ModelSpec builders the unit tests use. Defaults are plain and
// fixed; a test passes (in `extra`) what it checks, and a test file's own helper is a partial application
// of these with its defaults.
import type { ChatMessage, ChatRequest, ModelSpec, Provider } from '../../src/core/types';

let requests = 0;

/** A request from the chat door: `messages`, or one user message when given a string. */
export function chatRequest(messages: ChatMessage[] | string, extra: Partial<ChatRequest> = {}): ChatRequest {
  requests++;
  return {
    id: `req-${requests}`,
    messages: typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages,
    surface: 'chat',
    workspace: { id: 'ws', name: 'ws' },
    session: 's1',
    ...extra,
  };
}

/** A model with plain values: 7B, 32k context, 8k output, tools, local for Ollama and cloud otherwise. */
export function modelSpec(id: string, provider: Provider, extra: Partial<ModelSpec> = {}): ModelSpec {
  return {
    id,
    displayName: id,
    provider,
    location: provider === 'ollama' ? 'local' : 'cloud',
    params: { totalB: { min: 7, max: 7 }, activeB: { min: 7, max: 7 } },
    contextTokens: 32_768,
    maxOutputTokens: 8192,
    tools: true,
    capability: { score: 50, benchmark: 'test', source: 'test' },
    tokenizer: 'o200k_base',
    sources: {},
    ...extra,
  };
}
