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

/** Wraps `base` with the rules in the header. */
export function guardedFetch(base: typeof fetch, opts: GuardOptions): typeof fetch {
  const limits: NetworkLimits = { ...DEFAULT_NETWORK_LIMITS, ...opts.limits };
  const { provider, label } = opts;
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const endpoint = endpointOf(url);
    const local = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, local.signal]) : local.signal;
    let failure: BackendError | undefined;
    let onFailure: ((e: BackendError) => void) | undefined;
    const fail = (e: BackendError): void => {
      if (failure) return;
      failure = e;
      local.abort(e);
      onFailure?.(e);
    };
    const timeout = (what: string, ms: number, setting: string): BackendError => new BackendError(
      `${label} ${what} within ${seconds(ms)} (${endpoint}); Rightsize stopped waiting. Raise ${setting} if this server is that slow.`,
      provider, 'timeout');
    // Timers never keep a process alive by themselves (a CLI exits when its work is done).
    const total = unref(setTimeout(() => fail(timeout('did not finish answering', limits.totalTimeoutMs, NETWORK_SETTINGS.totalTimeoutMs)), limits.totalTimeoutMs));
    const headers = unref(setTimeout(() => fail(timeout('did not start answering', limits.responseTimeoutMs, NETWORK_SETTINGS.responseTimeoutMs)), limits.responseTimeoutMs));
    let response: Response;
    try {
      response = await base(input, { ...init, redirect: 'manual', signal });
    } catch (e) {
      clearTimeout(total);
      throw failure ?? e;
    } finally {
      clearTimeout(headers);
    }
    if (failure) { clearTimeout(total); throw failure; }

    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      clearTimeout(total);
      void response.body?.cancel().catch(() => undefined);
      const where = opts.endpointSetting ? ` If the service has moved, set ${opts.endpointSetting} to its new address.` : '';
      throw new BackendError(
        `${label} answered ${endpoint} with a redirect (${response.status}) to ${targetOrigin(response.headers.get('location'), url)}. ` +
        `Rightsize does not follow redirects from model endpoints, so neither your key nor your prompt was sent there.${where}`,
        provider, 'redirect');
    }
    if (!response.body || NULL_BODY_STATUS.has(response.status)) {
      clearTimeout(total);
      return response;
    }

    const reader = response.body.getReader();
    let bodyBytes = 0;
    let lineBytes = 0;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const finish = (): void => { closed = true; clearTimeout(total); clearTimeout(idle); };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        onFailure = (e) => {
          if (closed) return;
          finish();
          controller.error(e);
          void reader.cancel(e).catch(() => undefined);
        };
        if (failure) onFailure(failure);
      },
      async pull(controller) {
        idle = unref(setTimeout(() => fail(timeout('went silent mid-answer: nothing arrived', limits.idleTimeoutMs, NETWORK_SETTINGS.idleTimeoutMs)), limits.idleTimeoutMs));
        let step: Awaited<ReturnType<typeof reader.read>>;
        try {
          step = await reader.read();
        } catch (e) {
          if (!closed) { finish(); controller.error(failure ?? e); }
          return;
        } finally {
          clearTimeout(idle);
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
          local.abort();
          void reader.cancel().catch(() => undefined);
          return;
        }
        lineBytes = longestLineEnd(chunk, lineBytes, limits.maxLineBytes);
        if (bodyBytes > limits.maxBodyBytes) {
          fail(new BackendError(`${label} sent more than ${mib(limits.maxBodyBytes)} in one answer (${endpoint}); Rightsize stopped reading.`, provider, 'tooLarge'));
        } else if (lineBytes > limits.maxLineBytes) {
          fail(new BackendError(`${label} sent a line longer than ${mib(limits.maxLineBytes)} (${endpoint}); Rightsize stopped reading.`, provider, 'tooLarge'));
        } else {
          controller.enqueue(chunk);
        }
      },
      cancel(reason) {
        finish();
        local.abort(reason);
        return reader.cancel(reason).catch(() => undefined);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
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
