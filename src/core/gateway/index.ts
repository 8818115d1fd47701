// The loopback gateway for terminal and IDE agents (see gateway.ts).
import { anthropicMessages } from './formats/anthropic';
import { ollamaChat, ollamaGenerate } from './formats/ollama';
import { openaiChat } from './formats/openaiChat';
import { openaiResponses } from './formats/openaiResponses';
import { Gateway, GatewayDeps, GatewayOptions, GatewayServer } from './gateway';
import type { WireFormat } from './wire';

export { AUTO_MODEL, DEFAULT_AUTO_ALIASES, GatewayServer } from './gateway';
export type { Gateway, GatewayDeps, GatewayOptions } from './gateway';
export { OFFICIAL_ENDPOINTS } from './credentials';
export { clientSettings, GATEWAY_CLIENTS, terminalEnvironment } from './clientSettings';
export type { GatewayClient } from './clientSettings';

/** Every wire format the gateway speaks, by name. */
export const WIRE_FORMATS: Readonly<Record<string, WireFormat>> = {
  anthropic: anthropicMessages,
  'openai-chat': openaiChat,
  'openai-responses': openaiResponses,
  'ollama-chat': ollamaChat,
  'ollama-generate': ollamaGenerate,
};

/** Starts a gateway on loopback; resolves once it listens. */
export function startGateway(deps: GatewayDeps, options: GatewayOptions): Promise<Gateway> {
  return new GatewayServer(deps, options, WIRE_FORMATS).listen();
}
