// The client program's name, from its user agent, for the record (`client`): short, stable, no versions.
const KNOWN: ReadonlyArray<[RegExp, string]> = [
  [/^claude-cli\//i, 'claude-code'],
  [/^codex[_ -]|codex_exec|codex_cli/i, 'codex'],
  [/^OpenAI\/JS/i, 'openai-sdk'],
  [/^OpenAI\/Python/i, 'openai-python'],
  [/^Anthropic\/JS/i, 'anthropic-sdk'],
  [/^Anthropic\/Python/i, 'anthropic-python'],
  [/^ollama-js/i, 'ollama-js'],
  [/\bcline\b/i, 'cline'],
  [/\broo[- ]?code\b/i, 'roo-code'],
  [/\bcontinue\b/i, 'continue'],
  [/\baider\b|litellm/i, 'aider'],
];

export function clientNameOf(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').trim();
  if (!ua) return 'unknown';
  for (const [re, name] of KNOWN) if (re.test(ua)) return name;
  const first = ua.split(/[\s/]/)[0].toLowerCase().replace(/[^a-z0-9._-]/g, '').slice(0, 40);
  return first || 'unknown';
}
