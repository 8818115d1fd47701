// Helpers shared by the HTTP backends: message normalisation, token estimates for partial usage, error
// phrasing (never carrying a secret), Retry-After parsing, and the stream contract's partial usage.
import {
  BackendError, BackendUsage, ChatMessage, ChatRequest, MessagePart, Provider, StreamPart, ToolCallPart,
} from '../types';
import { readCapped } from './guardedFetch';

/** A message's content as parts. */
export function partsOf(message: ChatMessage): MessagePart[] {
  return typeof message.content === 'string'
    ? (message.content.length > 0 ? [{ type: 'text', text: message.content }] : [])
    : message.content;
}

/** Text parts of a message, concatenated. */
export function textOf(message: ChatMessage): string {
  return partsOf(message).map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** Maps tool call ids to tool names across a conversation (Ollama's tool results carry names). */
export function toolNamesById(messages: ChatMessage[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of messages) for (const p of partsOf(m)) if (p.type === 'toolCall') out.set(p.callId, p.name);
  return out;
}

/**
 * A rough token estimate, ceil(chars / 4), used only where the server reported nothing (cancelled or
 * failed streams, servers without usage). Marked `source: 'estimated'` wherever it is used.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Estimated input tokens of a request: the door's count when it has one, else chars / 4 of everything sent. */
export function estimateInputTokens(request: ChatRequest): number {
  if (request.contextTokens !== undefined && request.contextTokens >= 0) return request.contextTokens;
  let chars = 0;
  for (const m of request.messages) {
    chars += 16; // role and template overhead, ~4 tokens a message
    for (const p of partsOf(m)) {
      if (p.type === 'text') chars += p.text.length;
      else if (p.type === 'toolCall') chars += p.name.length + JSON.stringify(p.input).length;
      else if (p.type === 'toolResult') chars += p.content.length;
      else if (p.type === 'image') chars += 1024; // ~256 tokens an image
    }
  }
  if (request.tools) chars += JSON.stringify(request.tools).length;
  if (request.suffix) chars += request.suffix.length;
  return Math.ceil(chars / 4);
}

/** Tracks what a stream has produced, to build the estimated usage of a cancelled or failed stream. */
export class StreamTally {
  readonly startedMs = now();
  ttftMs: number | undefined;
  outputChars = 0;
  reasoningChars = 0;
  /** True once the request left this process (the server may have evaluated the prompt). */
  sent = false;

  seeOutput(chars: number): void {
    if (this.ttftMs === undefined && chars > 0) this.ttftMs = now() - this.startedMs;
    this.outputChars += chars;
  }

  seeReasoning(chars: number): void {
    if (this.ttftMs === undefined && chars > 0) this.ttftMs = now() - this.startedMs;
    this.reasoningChars += chars;
  }

  seeToolCall(call: ToolCallPart | { name: string; input: Record<string, unknown> }): void {
    this.seeOutput(call.name.length + JSON.stringify(call.input).length);
  }

  elapsedMs(): number { return now() - this.startedMs; }

  /** Usage estimated from what was seen (for cancelled / failed streams and servers without usage). */
  estimatedUsage(request: ChatRequest, doneReason?: string): BackendUsage {
    return {
      tokens: {
        input: this.sent ? estimateInputTokens(request) : 0,
        cachedInput: 0,
        output: Math.ceil((this.outputChars + this.reasoningChars) / 4),
        reasoning: Math.ceil(this.reasoningChars / 4),
      },
      source: 'estimated',
      durationMs: this.elapsedMs(),
      ...(this.ttftMs !== undefined ? { ttftMs: this.ttftMs } : {}),
      ...(doneReason ? { doneReason } : {}),
    };
  }
}

export function now(): number {
  return performance.now();
}

export function usagePart(usage: BackendUsage): StreamPart {
  return { type: 'usage', usage };
}

export function cancelledError(provider: Provider, label: string): BackendError {
  return new BackendError(`The request to ${label} was cancelled.`, provider, 'cancelled');
}

/** True for errors that mean the server could not be reached at all. */
export function isConnectionError(e: unknown): boolean {
  const codes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET',
    'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
  let cur: any = e;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (typeof cur.code === 'string' && codes.has(cur.code)) return true;
    if (Array.isArray(cur.errors) && cur.errors.some((x: any) => x && codes.has(x.code))) return true; // AggregateError
    cur = cur.cause;
  }
  return e instanceof TypeError && /fetch failed/i.test(e.message);
}

/** True for an AbortError / the caller's abort. */
export function isAbortError(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  const name = (e as { name?: unknown } | undefined)?.name;
  return name === 'AbortError';
}

/**
 * Seconds to wait from a response's headers: `retry-after-ms`, `retry-after` (seconds or an HTTP date),
 * else OpenAI's `x-ratelimit-reset-requests` / `-tokens` durations (`6m0s`, `20ms`, `1.5s`).
 */
export function retryAfterSeconds(headers: { get(name: string): string | null }, nowMs = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.max(0, Math.ceil(Number(ms) / 1000));
  const ra = headers.get('retry-after');
  if (ra) {
    const t = ra.trim();
    if (/^\d+(\.\d+)?$/.test(t)) return Math.max(0, Math.ceil(Number(t)));
    const date = Date.parse(t);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - nowMs) / 1000));
  }
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']
    .map((h) => parseGoDuration(headers.get(h)))
    .filter((x): x is number => x !== undefined);
  if (resets.length > 0) return Math.ceil(Math.max(...resets));
  return undefined;
}

/** `1h2m3.5s`, `20ms`, `6m0s` -> seconds. */
export function parseGoDuration(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = Number(m[1]);
    total += m[2] === 'h' ? v * 3600 : m[2] === 'm' ? v * 60 : m[2] === 's' ? v : v / 1000;
    matched += m[0];
  }
  return matched.length > 0 && matched === text.trim() ? total : undefined;
}

/**
 * Removes every secret from a server-supplied message: each configured key and what is derived from it —
 * lower/upper case, URL-encoded, hex, base64 and base64url at every alignment (a key inside an encoded
 * header or JSON), Basic-auth forms — and anything that looks like a credential (`Bearer …`, `sk-…`,
 * `sk-ant-…`, GitHub `ghp_…`, Google `AIza…`, Slack `xox…-`, AWS `AKIA…`, JWTs, `api_key=…`).
 */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of derivedForms(s)) if (form.length >= 6) out = out.split(form).join('[redacted]');
  }
  return redactCredentials(out);
}

/** Credential-looking tokens only (no configured key needed): for any text that may reach a log or record. */
export function redactCredentials(text: string): string {
  return text
    .replace(/Bearer\s+[A-Za-z0-9._~+/=\-]+/g, 'Bearer [redacted]')
    .replace(/\bsk-[A-Za-z0-9_\-*]{6,}/g, '[redacted]')
    .replace(/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[redacted]')
    .replace(/\bgithub_pat_[A-Za-z0-9_]{20,}/g, '[redacted]')
    .replace(/\bAIza[0-9A-Za-z_\-]{30,}/g, '[redacted]')
    .replace(/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, '[redacted]')
    .replace(/\bAKIA[0-9A-Z]{16}\b/g, '[redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted]')
    .replace(/((?:api[_-]?key|x-api-key|access[_-]?token|password|secret)["']?\s*[:=]\s*["']?)[^\s"'&,;}]{6,}/gi, '$1[redacted]');
}

/** The forms a key can be echoed in. */
function derivedForms(key: string): string[] {
  const bytes = Buffer.from(key, 'utf8');
  const forms = new Set<string>([key, key.toLowerCase(), key.toUpperCase(), encodeURIComponent(key), bytes.toString('hex')]);
  for (const prefix of ['', ':']) {
    for (const suffix of ['', ':']) {
      const b = Buffer.from(`${prefix}${key}${suffix}`, 'utf8');
      forms.add(b.toString('base64').replace(/=+$/, ''));
      forms.add(b.toString('base64url'));
    }
  }
  // Inside a longer encoded text the key's bytes can start at any of 3 offsets of a base64 group: the
  // characters that depend on the key alone are what is looked for.
  for (let o = 1; o <= 2; o++) {
    const enc = Buffer.concat([Buffer.alloc(o), bytes]).toString('base64');
    const whole = Math.floor((o + bytes.length) / 3) * 4;
    const core = enc.slice(4, whole);
    if (core.length >= 8) { forms.add(core); forms.add(core.replace(/\+/g, '-').replace(/\//g, '_')); }
  }
  const whole = Math.floor(bytes.length / 3) * 4;
  const core0 = bytes.toString('base64').slice(0, whole);
  if (core0.length >= 8) { forms.add(core0); forms.add(core0.replace(/\+/g, '-').replace(/\//g, '_')); }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A short, single-line version of a server message, for inclusion in an error. */
export function shortMessage(text: string, max = 300): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Reads an error response body as text: at most 64 KiB are read (the rest never is), `maxChars` kept. */
export async function readErrorBody(res: Response, maxChars = 16_384): Promise<string> {
  return (await readCapped(res, 64 * 1024)).slice(0, maxChars);
}

/**
 * A controller that also aborts (with the same reason) when `source` does: what AbortSignal.any([source,
 * own]) gives, for a signal the caller owns anyway. AbortSignal.any costs ~70 µs per call in Node 20 (its
 * signals are transferable and weakly tracked); this costs a listener. `unlink` removes the listener from
 * `source` (call it when the work is done, so a long-lived source does not keep this one alive).
 */
export function followSignal(source: AbortSignal | undefined | null, own: AbortController = new AbortController()): { controller: AbortController; signal: AbortSignal; unlink(): void } {
  if (!source) return { controller: own, signal: own.signal, unlink: () => undefined };
  if (source.aborted) {
    own.abort(source.reason);
    return { controller: own, signal: own.signal, unlink: () => undefined };
  }
  const onAbort = (): void => own.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return { controller: own, signal: own.signal, unlink: () => source.removeEventListener('abort', onAbort) };
}

/** Merges two abort signals. */
export function anySignal(a: AbortSignal | undefined | null, b: AbortSignal | undefined | null): AbortSignal | undefined {
  if (!a) return b ?? undefined;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}

/** The message, type and code of an error body (OpenAI, Anthropic and Ollama shapes). */
export function parseErrorBody(text: string): { message?: string; type?: string; code?: string } {
  try {
    const j = JSON.parse(text);
    const e = j?.error;
    if (typeof e === 'string') return { message: e };
    if (e && typeof e === 'object') {
      return {
        message: typeof e.message === 'string' ? e.message : undefined,
        type: typeof e.type === 'string' ? e.type : undefined,
        code: typeof e.code === 'string' ? e.code : undefined,
      };
    }
    if (typeof j?.message === 'string') return { message: j.message };
  } catch { /* not JSON */ }
  return text.trim() ? { message: text.trim() } : {};
}

export const MANAGE_KEYS_HINT = 'Run “Rightsize: Manage API Keys…”';

/**
 * A BackendError for an HTTP error status of a cloud API. The server's message is included (shortened)
 * only after every secret has been removed from it; for 401 it is left out entirely.
 */
export function httpStatusError(args: {
  provider: Provider;
  label: string;
  status: number;
  headers: { get(name: string): string | null };
  bodyText: string;
  modelId: string;
  secrets: Array<string | undefined>;
}): BackendError {
  const { provider, label, status, modelId } = args;
  const parsed = parseErrorBody(args.bodyText);
  const detail = parsed.message ? shortMessage(redact(parsed.message, args.secrets)) : '';
  const withDetail = (s: string): string => (detail ? `${s}: ${detail}` : s);
  const retry = retryAfterSeconds(args.headers);
  if (status === 401) {
    return new BackendError(`${label} rejected the API key (401). ${MANAGE_KEYS_HINT} to re-enter it.`, provider, 'auth');
  }
  if (status === 403) {
    return new BackendError(`${withDetail(`${label} refused access to "${modelId}" (403)`)}. Check that your key's account may use this model, or ${MANAGE_KEYS_HINT.charAt(0).toLowerCase()}${MANAGE_KEYS_HINT.slice(1)} to use another key.`, provider, 'auth');
  }
  if (status === 429) {
    if (parsed.code === 'insufficient_quota') {
      return new BackendError(`${label} says the account has no quota left (429 insufficient_quota). Check the plan and billing of your API account.`, provider, 'rateLimit');
    }
    const when = retry !== undefined ? `retry after ${retry} s` : 'retry in a moment';
    return new BackendError(`${label} rate-limited the request (429); ${when}.`, provider, 'rateLimit', retry);
  }
  if (status === 404) {
    return new BackendError(`${withDetail(`${label} has no model "${modelId}" (404)`)}. Check the model id in Rightsize's cloud model settings.`, provider, 'notFound');
  }
  if (status === 529 || parsed.type === 'overloaded_error') {
    return new BackendError(`${label} is overloaded (${status}); try again shortly or pick another model.`, provider, 'server', retry);
  }
  if (status >= 500) {
    return new BackendError(`${withDetail(`${label} had a server error (${status})`)}. Try again, or pick another model.`, provider, 'server', retry);
  }
  return new BackendError(`${withDetail(`${label} refused the request (${status})`)}.`, provider, 'badRequest');
}

/** Origin of a URL, for messages (never its path or query, which could carry credentials). */
export function originOf(url: string): string {
  try { return new URL(url).origin; } catch { return 'the configured endpoint'; }
}

/** Error codes of a network failure, for messages (`ECONNREFUSED`). */
export function networkCode(e: unknown): string | undefined {
  let cur: any = e;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (typeof cur.code === 'string') return cur.code;
    cur = cur.cause;
  }
  return undefined;
}
