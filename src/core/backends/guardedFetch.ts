// The one way backends reach a model server: a fetch that
//  - never follows a redirect (`redirect: 'manual'`; any 3xx becomes a BackendError of kind `redirect`
//    naming the endpoint and the target's origin). Model endpoints never need redirects, and following one
//    would hand the key (Node drops `Authorization` across origins but not `x-api-key`) and, for 307/308,
//    the whole prompt to whoever the server points at;
//  - has deadlines: the response (connecting, then status and headers) within `responseTimeoutMs`; inside
//    the body, at most `idleTimeoutMs` between two chunks; the whole exchange within `totalTimeoutMs`.
//    (Connecting counts against the response deadline: the default transport, nodeFetch.ts, has no
//    connect timeout of its own.);
//  - caps what it reads: an error status's body ends after `maxErrorBodyBytes` (the rest is never read);
//    otherwise at most `maxBodyBytes` of body, and no line (bytes between two `\n`/`\r`; SSE and
//    NDJSON are line formats) longer than `maxLineBytes`, counted as the bytes arrive, so a hostile server
//    cannot make us buffer without bound.
// A broken rule aborts the request (the server sees the connection close) and errors the body with a
// BackendError whose message names the limit and the setting that raises it. Messages carry the
// endpoint's origin and path, never its query or credentials.
import type { Provider } from '../types';
import { BackendError } from './types';

export interface NetworkLimits {
  /** Connecting, then the status line and headers. */
  responseTimeoutMs: number;
  /** Longest silence between two chunks of the body. */
  idleTimeoutMs: number;
  /** The whole exchange, from sending to the last byte. */
  totalTimeoutMs: number;
  /** Whole body. */
  maxBodyBytes: number;
  /** Longest line of the body. */
  maxLineBytes: number;
  /** Body of an error status: what is kept (the rest is not read; the text ends there). */
  maxErrorBodyBytes: number;
}

export const DEFAULT_NETWORK_LIMITS: Readonly<NetworkLimits> = Object.freeze({
  responseTimeoutMs: 300_000,
  idleTimeoutMs: 300_000,
  totalTimeoutMs: 30 * 60_000,
  maxBodyBytes: 64 * 1024 * 1024,
  maxLineBytes: 4 * 1024 * 1024,
  maxErrorBodyBytes: 64 * 1024,
});

/** The settings behind the limits, named in messages. */
export const NETWORK_SETTINGS = {
  responseTimeoutMs: 'rightsize.network.responseTimeoutSeconds',
  idleTimeoutMs: 'rightsize.network.idleTimeoutSeconds',
  totalTimeoutMs: 'rightsize.network.streamTimeoutMinutes',
} as const;

export interface GuardOptions {
  provider: Provider;
  /** Who answers, for messages: `Anthropic`, `Ollama`. */
  label: string;
  /** The setting holding the endpoint, named when a redirect is refused. */
  endpointSetting?: string;
  limits?: Partial<NetworkLimits>;
}

/** Origin and path of a URL (no query, no credentials), for messages. */
export function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'the configured endpoint';
  }
}

function targetOrigin(location: string | null, base: string): string {
  if (!location) return 'an address it did not give';
  try { return new URL(location, base).origin; } catch { return 'an unparseable address'; }
}

const seconds = (ms: number): string => (ms % 60_000 === 0 && ms >= 120_000 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`);
const mib = (bytes: number): string => (bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`);
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** One guarded exchange: its deadlines, the first failure (which aborts the exchange) and who to tell. */
interface Exchange {
  readonly label: string;
  readonly provider: Provider;
  readonly endpoint: string;
  readonly limits: NetworkLimits;
  /** Aborts the request to the server (the caller's signal does too). */
  readonly local: AbortController;
  failure?: BackendError;
  /** Set once the body stream exists: errors it with the failure. */
  onFailure?: (e: BackendError) => void;
  total?: ReturnType<typeof setTimeout>;
  /** Stops following the caller's signal (the exchange is over). */
  unlink(): void;
}

function fail(x: Exchange, e: BackendError): void {
  if (x.failure) return;
  x.failure = e;
  x.local.abort(e);
  x.onFailure?.(e);
}

function timeoutError(x: Exchange, what: string, ms: number, setting: string): BackendError {
  return new BackendError(
    `${x.label} ${what} within ${seconds(ms)} (${x.endpoint}); Rightsize stopped waiting. Raise ${setting} if this server is that slow.`,
    x.provider, 'timeout');
}

/** Wraps `base` with the rules in the header. */
export function guardedFetch(base: typeof fetch, opts: GuardOptions): typeof fetch {
  const limits: NetworkLimits = { ...DEFAULT_NETWORK_LIMITS, ...opts.limits };
  const { provider, label } = opts;
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // `local` follows the caller's signal (as AbortSignal.any of the two would, for a fraction of its cost).
    const caller = init?.signal ?? undefined;
    const local = new AbortController();
    const onCallerAbort = (): void => local.abort(caller!.reason);
    const x: Exchange = { label, provider, endpoint: endpointOf(url), limits, local, unlink: () => caller?.removeEventListener('abort', onCallerAbort) };
    if (caller?.aborted) local.abort(caller.reason);
    else caller?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = local.signal;
    // Timers never keep a process alive by themselves (a CLI exits when its work is done).
    x.total = unref(setTimeout(() => fail(x, timeoutError(x, 'did not finish answering', limits.totalTimeoutMs, NETWORK_SETTINGS.totalTimeoutMs)), limits.totalTimeoutMs));
    const headers = unref(setTimeout(() => fail(x, timeoutError(x, 'did not start answering', limits.responseTimeoutMs, NETWORK_SETTINGS.responseTimeoutMs)), limits.responseTimeoutMs));
    let response: Response;
    try {
      response = await base(input, { ...init, redirect: 'manual', signal });
    } catch (e) {
      clearTimeout(x.total);
      x.unlink();
      throw x.failure ?? e;
    } finally {
      clearTimeout(headers);
    }
    if (x.failure) { clearTimeout(x.total); x.unlink(); throw x.failure; }

    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      clearTimeout(x.total);
      x.unlink();
      void response.body?.cancel().catch(() => undefined);
      throw redirectError(x, response, url, opts.endpointSetting);
    }
    if (!response.body || NULL_BODY_STATUS.has(response.status)) {
      clearTimeout(x.total);
      x.unlink();
      return response;
    }
    return new Response(guardedBody(x, response, response.body.getReader()), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function redirectError(x: Exchange, response: Response, url: string, endpointSetting: string | undefined): BackendError {
  const where = endpointSetting ? ` If the service has moved, set ${endpointSetting} to its new address.` : '';
  return new BackendError(
    `${x.label} answered ${x.endpoint} with a redirect (${response.status}) to ${targetOrigin(response.headers.get('location'), url)}. ` +
    `Rightsize does not follow redirects from model endpoints, so neither your key nor your prompt was sent there.${where}`,
    x.provider, 'redirect');
}

/** The response body read through the idle deadline and the size caps; an error body is cut at its cap. */
function guardedBody(x: Exchange, response: Response, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  const { limits } = x;
  let bodyBytes = 0;
  let lineBytes = 0;
  // The idle deadline runs while a read waits for the server. One timer for the whole body, re-armed when it
  // fires early, instead of a timer set and cleared per chunk (which cost more than the chunk's own handling).
  let idle: ReturnType<typeof setTimeout> | undefined;
  let waitingSince: number | undefined;
  let closed = false;
  const finish = (): void => { closed = true; clearTimeout(x.total); clearTimeout(idle); idle = undefined; x.unlink(); };
  const armIdle = (ms: number): void => {
    idle = unref(setTimeout(() => {
      idle = undefined;
      if (closed) return;
      const waited = waitingSince === undefined ? 0 : Date.now() - waitingSince;
      if (waitingSince !== undefined && waited >= limits.idleTimeoutMs) {
        fail(x, timeoutError(x, 'went silent mid-answer: nothing arrived', limits.idleTimeoutMs, NETWORK_SETTINGS.idleTimeoutMs));
        return;
      }
      armIdle(limits.idleTimeoutMs - waited);
    }, ms));
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      x.onFailure = (e) => {
        if (closed) return;
        finish();
        controller.error(e);
        void reader.cancel(e).catch(() => undefined);
      };
      if (x.failure) x.onFailure(x.failure);
    },
    async pull(controller) {
      waitingSince = Date.now();
      if (idle === undefined && !closed) armIdle(limits.idleTimeoutMs);
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await reader.read();
      } catch (e) {
        if (!closed) { finish(); controller.error(x.failure ?? e); }
        return;
      } finally {
        waitingSince = undefined;
      }
      if (closed) return;
      if (step.done) { finish(); controller.close(); return; }
      const chunk = step.value;
      bodyBytes += chunk.length;
      if (!response.ok) {
        // An error body: keep its start, stop reading (finish() first, so cancelling is no failure).
        const over = bodyBytes - limits.maxErrorBodyBytes;
        if (over < 0) { controller.enqueue(chunk); return; }
        if (over < chunk.length) controller.enqueue(chunk.subarray(0, chunk.length - over));
        finish();
        controller.close();
        x.local.abort();
        void reader.cancel().catch(() => undefined);
        return;
      }
      lineBytes = longestLineEnd(chunk, lineBytes, limits.maxLineBytes);
      if (bodyBytes > limits.maxBodyBytes) {
        fail(x, new BackendError(`${x.label} sent more than ${mib(limits.maxBodyBytes)} in one answer (${x.endpoint}); Rightsize stopped reading.`, x.provider, 'tooLarge'));
      } else if (lineBytes > limits.maxLineBytes) {
        fail(x, new BackendError(`${x.label} sent a line longer than ${mib(limits.maxLineBytes)} (${x.endpoint}); Rightsize stopped reading.`, x.provider, 'tooLarge'));
      } else {
        controller.enqueue(chunk);
      }
    },
    cancel(reason) {
      finish();
      x.local.abort(reason);
      return reader.cancel(reason).catch(() => undefined);
    },
  });
}

/**
 * The length of the line still open after `chunk`, given `open` bytes open before it; returns `max + 1`
 * as soon as any line in the chunk exceeds `max`. Linear in the chunk (each line end is found once).
 */
function longestLineEnd(chunk: Uint8Array, open: number, max: number): number {
  let pos = 0;
  let lf = chunk.indexOf(10);
  let cr = chunk.indexOf(13);
  for (;;) {
    if (lf >= 0 && lf < pos) lf = chunk.indexOf(10, pos);
    if (cr >= 0 && cr < pos) cr = chunk.indexOf(13, pos);
    const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (end < 0) return open + (chunk.length - pos);
    if (open + (end - pos) > max) return max + 1;
    open = 0;
    pos = end + 1;
  }
}

/** Reads at most `maxBytes` of a body as text, then cancels the rest (error bodies). */
export async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value.length > maxBytes - size ? value.subarray(0, maxBytes - size) : value);
      size += value.length;
    }
  } catch {
    // what arrived before the failure is kept
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return new TextDecoder('utf-8').decode(concatBytes(parts));
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
