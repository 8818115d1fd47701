// Backends: stream a ChatRequest to a model and report its usage (stream contract: ollamaBackend.ts).
export { OllamaBackend } from './ollamaBackend';
export type {
  OllamaBackendOptions, OllamaShowInfo, OllamaModelDetails, DiscoveredOllamaModel, RunningOllamaModel,
} from './ollamaBackend';
export { OpenAICompatibleBackend } from './openaiBackend';
export type { OpenAICompatibleBackendOptions } from './openaiBackend';
export { AnthropicBackend, ANTHROPIC_VERSION } from './anthropicBackend';
export type { AnthropicBackendOptions } from './anthropicBackend';
export { SseParser, readSse } from './sse';
export type { SseEvent } from './sse';
