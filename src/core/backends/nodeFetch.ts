// The backends' default `fetch`: the part of fetch they use (a string or URL, method, headers, a string or
// bytes body, an AbortSignal, `redirect: 'manual'`) on node:http / node:https with keep-alive agents, and a
// web Response whose body is a plain ReadableStream fed from the socket with backpressure.
//
// Why: undici's fetch costs about three times the CPU of node:http per streamed request (measured by
// bench/gateway.bench.ts: on 2 shared cores, ~2 ms against ~0.7 ms for a short streamed chat completion), and
// the gateway pays it for every request it forwards; at 50 concurrent streams that CPU is queueing delay.
//
// Behaviour kept from fetch: never follows a redirect (a 3xx is returned as it is, as `redirect: 'manual'`
// does; guardedFetch refuses it); connection failures reject with `TypeError('fetch failed', { cause })`
// carrying the system error (ECONNREFUSED, …), so the backends' isConnectionError/networkCode read it as
// they read undici's; an abort rejects with the signal's reason (an AbortError by default) and errors a body
// being read; gzip/deflate/br bodies are decoded. A request whose keep-alive socket the server had already
// closed (ECONNRESET / socket hang up before any response, on a reused socket) is sent once more on a new one.
// Anything else (a Request object, a stream or form body, a redirect mode other than manual) and a replaced
// global fetch (tests that stub it) go to globalThis.fetch unchanged.
import * as http from 'http';
import * as https from 'https';
import * as zlib from 'zlib';
import type { Readable } from 'stream';

/** Free keep-alive sockets are closed after this long idle (below common server keep-alive timeouts, ~5 s). */
const FREE_SOCKET_TIMEOUT_MS = 4_000;
const httpAgent = new http.Agent({ keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS });
const httpsAgent = new https.Agent({ keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS });
const nativeFetch: typeof fetch | undefined = typeof globalThis.fetch === 'function' ? globalThis.fetch : undefined;

type Init = Parameters<typeof fetch>[1];
type HeadersArg = NonNullable<Init>['headers'];
type BodyArg = NonNullable<Init>['body'];

function headerRecord(h: HeadersArg): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => { out[k] = v; });
  else if (Array.isArray(h)) for (const [k, v] of h) out[k.toLowerCase()] = v;
  else for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

function bodyBytes(body: BodyArg): string | Uint8Array | undefined | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return false; // streams, forms, blobs: fetch's job
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function decoded(res: http.IncomingMessage): Readable {
  const enc = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') return res.pipe(zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  if (enc === 'deflate') return res.pipe(zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  if (enc === 'br') return res.pipe(zlib.createBrotliDecompress());
  return res;
}

/** A web ReadableStream over a node stream: reads only when asked (the socket pauses meanwhile). */
function webBody(res: http.IncomingMessage, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const src = decoded(res);
  let onAbort: (() => void) | undefined;
  const cleanup = (): void => { if (onAbort) signal?.removeEventListener('abort', onAbort); onAbort = undefined; };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      src.pause();
      let done = false;
      const fail = (e: unknown): void => {
        if (done) return;
        done = true;
        cleanup();
        controller.error(e);
        res.destroy();
        if (src !== res) src.destroy();
      };
      src.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if ((controller.desiredSize ?? 1) <= 0) src.pause();
      });
      src.once('end', () => { if (done) return; done = true; cleanup(); controller.close(); });
      src.once('error', (e) => fail(new TypeError('terminated', { cause: e })));
      // A connection cut before the end: `aborted` (older Node) or close without end.
      res.once('aborted', () => fail(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })));
      res.once('close', () => { if (!res.complete) fail(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })); });
      if (signal) {
        if (signal.aborted) fail(abortReason(signal));
        else { onAbort = () => fail(abortReason(signal)); signal.addEventListener('abort', onAbort, { once: true }); }
      }
    },
    pull() { src.resume(); },
    cancel() { cleanup(); res.destroy(); if (src !== res) src.destroy(); },
  }, { highWaterMark: 1 });
}

function send(url: URL, init: Init, headers: Record<string, string>, body: string | Uint8Array | undefined, retried: boolean): Promise<Response> {
  const signal = init?.signal ?? undefined;
  const secure = url.protocol === 'https:';
  const lib = secure ? https : http;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) { reject(abortReason(signal)); return; }
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(abortReason(signal!));
    };
    const req = lib.request({
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: (init?.method ?? 'GET').toUpperCase(),
      headers: { ...(url.username || url.password ? { authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` } : {}), ...headers },
      agent: secure ? httpsAgent : httpAgent,
    }, (res) => {
      if (settled) { res.destroy(); return; }
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      const h = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        try { h.append(res.rawHeaders[i], res.rawHeaders[i + 1]); } catch { /* a header fetch would refuse too */ }
      }
      const status = res.statusCode ?? 0;
      const nullBody = status === 204 || status === 205 || status === 304 || status < 200 || (init?.method ?? 'GET').toUpperCase() === 'HEAD';
      if (nullBody) res.resume();
      try {
        resolve(new Response(nullBody ? null : webBody(res, signal), { status: status < 200 ? 200 : status, statusText: res.statusMessage ?? '', headers: h }));
      } catch (e) {
        res.destroy();
        reject(new TypeError('fetch failed', { cause: e }));
      }
    });
    req.once('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (!retried && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
        send(url, init, headers, body, true).then(resolve, reject);
        return;
      }
      reject(new TypeError('fetch failed', { cause: e }));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

/** fetch for the backends (see the header); same signature as the global one. */
export const nodeFetch: typeof fetch = (input, init) => {
  const global = globalThis.fetch;
  if (global !== nativeFetch || !nativeFetch) return global(input, init);
  const body = bodyBytes(init?.body);
  const redirect = init?.redirect ?? 'follow';
  if (body === false || redirect !== 'manual' || !(typeof input === 'string' || input instanceof URL)) return nativeFetch(input, init);
  let url: URL;
  try { url = new URL(String(input)); } catch (e) { return Promise.reject(new TypeError('Failed to parse URL', { cause: e })); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return nativeFetch(input, init);
  const headers = headerRecord(init?.headers);
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  if (body !== undefined && headers['content-type'] === undefined && typeof body === 'string') headers['content-type'] = 'text/plain;charset=UTF-8';
  if (headers['accept-encoding'] === undefined) headers['accept-encoding'] = 'gzip, deflate, br';
  return send(url, init, headers, body, false);
};
