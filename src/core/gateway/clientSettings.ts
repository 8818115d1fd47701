// What to give each client to use the gateway: the exact environment variables or config snippet
// (“Copy Gateway Settings For…”), and the variables put into VS Code's integrated terminals.
import { AUTO_MODEL } from './gateway';

export type GatewayClient = 'claude-code' | 'claude-code-own-login' | 'codex' | 'cline' | 'continue' | 'aider';

export const GATEWAY_CLIENTS: ReadonlyArray<{ id: GatewayClient; label: string; detail: string }> = [
  { id: 'claude-code', label: 'Claude Code', detail: 'Environment variables; Rightsize\'s keys pay for cloud models' },
  { id: 'claude-code-own-login', label: 'Claude Code (keep your Claude login)', detail: 'Your Claude subscription or key pays for Claude models, forwarded to Anthropic only' },
  { id: 'codex', label: 'Codex CLI', detail: 'A model provider for ~/.codex/config.toml (wire_api = "responses")' },
  { id: 'cline', label: 'Cline', detail: 'API provider “OpenAI Compatible”' },
  { id: 'continue', label: 'Continue', detail: 'A model for config.yaml' },
  { id: 'aider', label: 'Aider', detail: 'Environment variables and the model flag' },
];

/** The snippet for one client (shell lines for the shell-configured ones, POSIX sh). */
export function clientSettings(client: GatewayClient, url: string, token: string): string {
  const v1 = `${url}/v1`;
  switch (client) {
    case 'claude-code':
      return [
        `export ANTHROPIC_BASE_URL=${url}`,
        `export ANTHROPIC_AUTH_TOKEN=${token}`,
        `export ANTHROPIC_MODEL=${AUTO_MODEL}`,
        `export ANTHROPIC_DEFAULT_HAIKU_MODEL=${AUTO_MODEL}`,
        'claude',
      ].join('\n');
    case 'claude-code-own-login':
      return [
        `export ANTHROPIC_BASE_URL=${url}`,
        `export ANTHROPIC_CUSTOM_HEADERS='x-rightsize-token: ${token}'`,
        `export ANTHROPIC_MODEL=${AUTO_MODEL}`,
        `export ANTHROPIC_DEFAULT_HAIKU_MODEL=${AUTO_MODEL}`,
        'claude',
      ].join('\n');
    case 'codex':
      return [
        '# ~/.codex/config.toml',
        `model = "${AUTO_MODEL}"`,
        'model_provider = "rightsize"',
        '',
        '[model_providers.rightsize]',
        'name = "Rightsize"',
        `base_url = "${v1}"`,
        'env_key = "RIGHTSIZE_GATEWAY_TOKEN"',
        'wire_api = "responses"',
        '',
        '# and in the shell that runs codex:',
        `# export RIGHTSIZE_GATEWAY_TOKEN=${token}`,
      ].join('\n');
    case 'cline':
      return [`API Provider: OpenAI Compatible`, `Base URL: ${v1}`, `API Key: ${token}`, `Model ID: ${AUTO_MODEL}`].join('\n');
    case 'continue':
      return [
        'models:',
        '  - name: Rightsize Auto',
        '    provider: openai',
        `    model: ${AUTO_MODEL}`,
        `    apiBase: ${v1}`,
        `    apiKey: ${token}`,
        '    roles: [chat, edit, apply]',
      ].join('\n');
    case 'aider':
      return [`export OPENAI_API_BASE=${v1}`, `export OPENAI_API_KEY=${token}`, `aider --model openai/${AUTO_MODEL}`].join('\n');
  }
}

/**
 * Variables for VS Code's integrated terminals: `claude` started there goes through the gateway and keeps
 * the user's own Claude login (the token travels in its own header); Codex reads RIGHTSIZE_GATEWAY_TOKEN
 * through its provider's env_key. Nothing that would redirect another tool's own key is set.
 */
export function terminalEnvironment(url: string, token: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_CUSTOM_HEADERS: `x-rightsize-token: ${token}`,
    ANTHROPIC_MODEL: AUTO_MODEL,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: AUTO_MODEL,
    RIGHTSIZE_GATEWAY_URL: url,
    RIGHTSIZE_GATEWAY_TOKEN: token,
  };
}
