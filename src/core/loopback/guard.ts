// The gatekeeping every local HTTP listener of Rightsize shares (the gateway, Copilot's telemetry
// receiver): bind to a loopback address only; every request carries the listener's token; `Host` must be
// the loopback name with our port (a DNS-rebinding page cannot pass); requests from web pages (an
// `Origin`, or `Sec-Fetch-Site` other than `none`) are refused; bodies are capped while they are read.
import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import type * as http from 'http';
import type { AddressInfo } from 'net';

/** Where a token may travel: `Authorization: Bearer …`, `x-api-key` (Anthropic's clients) or our own header. */
export type TokenHeader = 'authorization' | 'x-api-key' | 'x-rightsize-token';

export const LOOPBACK_BIND_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/** A fresh per-install token: `prefix` + 32 random bytes, URL-safe. */
export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** The listener's own secret's digest, kept between requests (one hash per request instead of two). */
let known: { secret: string; digest: Buffer } | undefined;

/** Constant-time comparison of two secrets of any length (`b`: the listener's own, whose digest is kept). */
export function sameSecret(a: string, b: string): boolean {
  if (known?.secret !== b) known = { secret: b, digest: createHash('sha256').update(b).digest() };
  return timingSafeEqual(createHash('sha256').update(a).digest(), known.digest);
}

/** True for an address a listener may bind: 127.0.0.1 (or 127.x), ::1, localhost. */
export function isLoopbackBindHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The `Host` values a loopback listener on `port` accepts. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

export interface Refusal {
  status: 401 | 403;
  /** Phrased for the client (never contains a token). */
  message: string;
  kind: 'host' | 'origin' | 'token';
}

/** The credential headers of a request, trimmed (`Bearer ` removed). */
export function presentedCredentials(h: http.IncomingHttpHeaders): Partial<Record<TokenHeader, string>> {
  const out: Partial<Record<TokenHeader, string>> = {};
  if (typeof h.authorization === 'string') {
    const v = h.authorization.replace(/^bearer\s+/i, '').trim();
    if (v) out.authorization = v;
  }
  for (const k of ['x-api-key', 'x-rightsize-token'] as const) {
    const v = h[k];
    if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  }
  return out;
}

/** The request's Host and Origin problems, if any (checked before the token). */
export function originRefusal(h: http.IncomingHttpHeaders, port: number): Refusal | undefined {
  const host = (h.host ?? '').toLowerCase();
  if (!allowedHosts(port).includes(host)) return { status: 403, kind: 'host', message: `Host ${JSON.stringify(host)} is not allowed (use 127.0.0.1:${port})` };
  if (h.origin !== undefined || (h['sec-fetch-site'] !== undefined && h['sec-fetch-site'] !== 'none')) {
    return { status: 403, kind: 'origin', message: 'requests from web pages are refused' };
  }
  return undefined;
}

/**
 * Why a request is refused, or which header carried the token. `accept`: the headers that may carry it
 * (default: all three).
 */
export function loopbackRefusal(
  req: http.IncomingMessage, port: number, token: string, accept: readonly TokenHeader[] = ['authorization', 'x-api-key', 'x-rightsize-token'],
): { refusal: Refusal } | { tokenIn: TokenHeader } {
  const bad = originRefusal(req.headers, port);
  if (bad) return { refusal: bad };
  const creds = presentedCredentials(req.headers);
  const tokenIn = accept.find((k) => creds[k] !== undefined && sameSecret(creds[k]!, token));
  if (tokenIn) return { tokenIn };
  const presented = accept.some((k) => creds[k] !== undefined);
  return { refusal: { status: 401, kind: 'token', message: presented ? 'wrong token' : 'a token is required' } };
}

/** Reads a body up to `maxBytes`; undefined when it is larger (declared or actual). */
export function readCappedBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) { resolve(undefined); req.resume(); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) { resolve(undefined); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Listens on a loopback address only (`host` must be one; anything else is refused before binding).
 * Resolves with the port. `inUse` phrases EADDRINUSE for the caller.
 */
export async function listenLoopback(server: http.Server, port: number, host = '127.0.0.1', inUse?: (port: number) => string): Promise<number> {
  if (!isLoopbackBindHost(host)) throw new Error(`Rightsize listens on loopback addresses only (127.0.0.1 or ::1), not ${JSON.stringify(host)}`);
  const bindHost = host.toLowerCase() === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => reject(e.code === 'EADDRINUSE' && inUse ? new Error(inUse(port)) : e);
    server.once('error', onError);
    server.listen(port, bindHost, () => { server.off('error', onError); resolve(); });
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server and drops its open connections. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
}
