// Whose key pays. A client may send its own credential beside the gateway's token (Claude Code: an API
// key in `x-api-key` or its OAuth token as `Authorization: Bearer`, with the gateway token in the other
// header or in `x-rightsize-token`). That credential is forwarded ONLY to its provider's official endpoint
// (the constants below, never a configurable URL), for models of that provider; every other model uses
// Rightsize's own keys. The credential is never logged, recorded or put in a message.
import type { TokenHeader } from '../loopback/guard';
import type { Provider } from '../types';
import type { WireFormat } from './wire';

export const OFFICIAL_ENDPOINTS = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
} as const;

export interface ClientCredential {
  provider: 'anthropic' | 'openai';
  key: string;
  /** How it travels to the provider: Anthropic OAuth tokens as Bearer, API keys in `x-api-key`. */
  auth: 'x-api-key' | 'bearer';
}

/**
 * The client's own credential, if it sent one: a credential header that did not carry the gateway token,
 * for the format's provider. `creds`: the request's credential headers; `tokenIn`: where the token was.
 */
export function clientCredentialOf(format: WireFormat, creds: Partial<Record<TokenHeader, string>>, tokenIn: TokenHeader): ClientCredential | undefined {
  const provider = format.keyProvider;
  if (!provider) return undefined;
  if (provider === 'anthropic') {
    if (tokenIn !== 'x-api-key' && creds['x-api-key']) return { provider, key: creds['x-api-key'], auth: 'x-api-key' };
    if (tokenIn !== 'authorization' && creds.authorization) return { provider, key: creds.authorization, auth: 'bearer' };
    return undefined;
  }
  if (tokenIn !== 'authorization' && creds.authorization) return { provider, key: creds.authorization, auth: 'bearer' };
  return undefined;
}

/** True when `baseUrl` is `provider`'s official endpoint (same origin). */
export function isOfficialEndpoint(provider: Provider, baseUrl: string): boolean {
  const official = (OFFICIAL_ENDPOINTS as Record<string, string | undefined>)[provider];
  if (!official) return false;
  try { return new URL(baseUrl).origin === new URL(official).origin; } catch { return false; }
}
