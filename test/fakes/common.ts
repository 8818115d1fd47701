// Shared plumbing of the fake model servers (Ollama, OpenAI, Anthropic).
// Plain Node `http`, no dependencies: the fakes are required by unit tests, by the integration suite
// inside the VS Code extension host (from out/test/fakes/*.js) and by a standalone CLI (cli.ts).
//
// Token counting rule used by every fake (documented so tests can predict it):
//   tokens(text) = ceil(text.length / 4)   (0 for the empty string)
// A chat message adds 4 tokens of template overhead; tool definitions count as tokens(JSON of them);
// an image counts 256 tokens.
import * as http from 'http';
import type { AddressInfo } from 'net';

export function approxTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

export const MESSAGE_OVERHEAD_TOKENS = 4;
export const IMAGE_TOKENS = 256;

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** Splits text into word-sized chunks (each word keeps its trailing whitespace), like a token stream. */
export function splitWords(text: string): string[] {
  const parts = text.match(/\s*\S+\s*/g);
  return parts && parts.length > 0 ? parts : text.length > 0 ? [text] : [];
}

/** A tool call the fake model makes. */
export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Call id; the OpenAI and Anthropic fakes invent one when absent; the Ollama fake then sends none. */
  id?: string;
}

/** One scripted reply. Replies are queued (`script()`) and consumed by generation requests in order. */
export interface FakeReply {
  /** Answer text. Default: a deterministic echo of the last user message. */
  text?: string;
  /** Explicit streaming chunks of the text (overrides `text`). */
  chunks?: string[];
  /** Tool calls the model makes (after any text). */
  toolCalls?: FakeToolCall[];
  /** Reasoning / thinking text streamed before the answer (Ollama `thinking`, counted as reasoning by OpenAI). */
  thinking?: string;
  /** Respond with this HTTP status and the provider's error body instead of an answer. */
  status?: number;
  /** Message of the error (HTTP error or mid-stream error). */
  error?: string;
  /** Provider error type for HTTP errors (OpenAI `type` / Anthropic `error.type`), when the default is not wanted. */
  errorType?: string;
  /** Send `retry-after` with an error status (seconds). */
  retryAfterSeconds?: number;
  /** Stream this many content chunks, then an error chunk with `error` and end the response. */
  errorAfterChunks?: number;
  /** Stream this many content chunks, then stop writing and hold the response open until the client goes. */
  stallAfterChunks?: number;
  /** Wait this long before sending the response headers. */
  delayMs?: number;
  /** Override the server's generation pace for this reply. */
  tokensPerSecond?: number;
  /** Final reason: `stop` (default) or `length` (Ollama), mapped to each provider's vocabulary. */
  doneReason?: 'stop' | 'length';
  /** Override the counted tokens. */
  promptTokens?: number;
  outputTokens?: number;
  /** Cached input tokens reported (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  cachedTokens?: number;
  /** Anthropic `cache_creation_input_tokens`. */
  cacheCreationTokens?: number;
  /** Only consume this reply for requests to this model. */
  model?: string;
  /** Only consume this reply for requests that offer tools (true) or offer none (false), e.g. so a chat's
   * own tool-less side requests (a conversation title) cannot take an agent's scripted tool call. */
  withTools?: boolean;
  /** Misbehave instead of answering (fault injection; see FakeFault). */
  fault?: FakeFault;
  /**
   * Like the real servers, the fakes stop the answer at the request's output cap (`max_tokens`,
   * `max_completion_tokens`, Ollama `num_predict`) with the provider's "length" reason, and report at
   * most that many output tokens. `ignoreMaxTokens` makes this reply go on regardless (a broken server).
   */
  ignoreMaxTokens?: boolean;
  /**
   * Usage fields sent as given, over the counted ones, in the provider's own names (OpenAI `prompt_tokens`,
   * Anthropic `output_tokens`, Ollama `eval_count`, …): poison values such as `"abc"`, `1e308` or `-5`.
   */
  usage?: Record<string, unknown>;
}

/**
 * How a fake misbehaves (fault injection). Every fake applies it after the scripted delay, in place of the
 * answer:
 *  - `redirect`: the status with `location` (absolute, or relative to the fake) and nothing else;
 *  - `silent`: reads the request and never answers (no status line) until the client goes;
 *  - `headersOnly`: sends `200` and the streaming headers, then nothing, until the client goes;
 *  - `endless`: `200`, then answer text chunks (the provider's framing) every `intervalMs` (default 5) forever;
 *  - `hugeErrorBody`: `status` (default 500) with a `bytes`-long body, written in 64 KiB pieces;
 *  - `longLine`: `200`, then one `data:` line (Ollama: one JSON line) of `bytes` bytes that never ends,
 *    then the connection closes.
 */
export type FakeFault =
  | { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308; location: string }
  | { kind: 'silent' }
  | { kind: 'headersOnly' }
  | { kind: 'endless'; intervalMs?: number }
  | { kind: 'hugeErrorBody'; status?: number; bytes: number }
  | { kind: 'longLine'; bytes: number };

/** The wire framing a fake uses for faults: its streaming content type and one text chunk. */
export interface FaultFraming {
  contentType: string;
  /** One answer chunk carrying `text`, framed as the provider streams it. */
  chunk(text: string): string;
  /** The start of a line that `longLine` then extends without end. */
  lineStart: string;
}

/** Plays `fault` on the response (see FakeFault). Resolves when the response is over. */
export async function serveFault(ctx: RequestContext, fault: FakeFault, framing: FaultFraming): Promise<void> {
  const { res } = ctx;
  switch (fault.kind) {
    case 'redirect':
      ctx.record.status = fault.status;
      res.writeHead(fault.status, { location: fault.location, 'content-length': '0' }).end();
      return;
    case 'silent':
      await ctx.goneSignal;
      return;
    case 'headersOnly':
      ctx.record.status = 200;
      res.writeHead(200, { 'content-type': framing.contentType, 'cache-control': 'no-cache' });
      res.flushHeaders();
      await ctx.goneSignal;
      return;
    case 'endless': {
      ctx.record.status = 200;
      res.writeHead(200, { 'content-type': framing.contentType, 'cache-control': 'no-cache' });
      for (let i = 0; !ctx.gone; i++) {
        if (!write(ctx, framing.chunk(`tok${i} `))) return;
        await pace(ctx, fault.intervalMs ?? 5);
      }
      return;
    }
    case 'hugeErrorBody': {
      const status = fault.status ?? 500;
      ctx.record.status = status;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(fault.bytes) });
      await writeFiller(ctx, fault.bytes, 'x');
      if (!ctx.gone) res.end();
      return;
    }
    case 'longLine': {
      ctx.record.status = 200;
      res.writeHead(200, { 'content-type': framing.contentType, 'cache-control': 'no-cache' });
      if (!write(ctx, framing.lineStart)) return;
      await writeFiller(ctx, fault.bytes, 'a');
      if (!ctx.gone) res.end();
      return;
    }
  }
}

/** Writes `bytes` bytes of `fill` in 64 KiB pieces, respecting backpressure; stops when the client goes. */
async function writeFiller(ctx: RequestContext, bytes: number, fill: string): Promise<void> {
  const piece = Buffer.alloc(64 * 1024, fill);
  ctx.record.faultBytesSent = 0;
  for (let left = bytes; left > 0 && !ctx.gone && !ctx.res.destroyed;) {
    const n = Math.min(left, piece.length);
    left -= n;
    ctx.record.faultBytesSent += n;
    if (!ctx.res.write(n === piece.length ? piece : piece.subarray(0, n))) {
      await Promise.race([new Promise((r) => ctx.res.once('drain', r)), ctx.goneSignal]);
    }
  }
}

/** A request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when empty or not JSON). */
  body: any;
  rawBody: string;
  /** Milliseconds since the epoch when it arrived. */
  at: number;
  /** True when the client went away before the response was complete. */
  aborted: boolean;
  /** HTTP status sent. */
  status?: number;
  /** For generation requests: the usage numbers the fake reported (its own field names). */
  reported?: Record<string, unknown>;
  /** Fake Ollama: the prompt was longer than the window and lost its start (what the client sent, the window). */
  truncated?: { sentTokens: number; numCtx: number };
  /** True when the response was completed normally. */
  completed: boolean;
  /** Bytes of filler a fault wrote (`hugeErrorBody`, `longLine`) before the client went or it was done. */
  faultBytesSent?: number;
}

export interface RequestContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: RecordedRequest;
  /** True once the client has disconnected before the end of the response. */
  readonly gone: boolean;
  /** Resolves when the client disconnects (never, if the response ends first). */
  readonly goneSignal: Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Base of the three fakes: an HTTP server on 127.0.0.1 (OS-assigned port), request recording, a reply
 * script queue, abort accounting and a small loopback control API for tests that run the fake in another
 * process (`POST /_fake/script`, `GET /_fake/requests`, `POST /_fake/reset`).
 */
export abstract class FakeServerBase {
  readonly requests: RecordedRequest[] = [];
  /** Number of responses the client abandoned before they were complete. */
  aborted = 0;
  protected readonly queue: FakeReply[] = [];
  private server?: http.Server;
  private baseUrl = '';
  private readonly abortWaiters: Array<() => void> = [];

  get url(): string { return this.baseUrl; }

  /** Queues replies for the next generation requests. */
  script(...replies: FakeReply[]): void {
    this.queue.push(...replies);
  }

  /** Replies still queued. */
  get pendingReplies(): number { return this.queue.length; }

  /** Forgets recorded requests, queued replies and the abort count. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.aborted = 0;
  }

  /** Recorded requests to one path. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Resolves once `aborted` reaches `count` (default: one more than now), or rejects after `timeoutMs`. */
  waitForAbort(count = this.aborted + 1, timeoutMs = 5000): Promise<void> {
    if (this.aborted >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.abortWaiters.indexOf(check);
        if (i >= 0) this.abortWaiters.splice(i, 1);
        reject(new Error(`fake server: expected ${count} aborted request(s) within ${timeoutMs} ms, saw ${this.aborted}`));
      }, timeoutMs);
      const check = (): void => {
        if (this.aborted >= count) {
          clearTimeout(timer);
          const i = this.abortWaiters.indexOf(check);
          if (i >= 0) this.abortWaiters.splice(i, 1);
          resolve();
        }
      };
      this.abortWaiters.push(check);
    });
  }

  async listen(): Promise<string> {
    const server = http.createServer((req, res) => { void this.dispatch(req, res); });
    server.keepAliveTimeout = 5000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Takes the first queued reply that applies to `model`. */
  protected takeReply(model: string | undefined, offersTools?: boolean): FakeReply | undefined {
    const i = this.queue.findIndex((r) => (r.model === undefined || r.model === model)
      && (r.withTools === undefined || offersTools === undefined || r.withTools === offersTools));
    if (i < 0) return undefined;
    return this.queue.splice(i, 1)[0];
  }

  /** Handles one request; return false when the path is unknown (404). */
  protected abstract handle(ctx: RequestContext): Promise<boolean>;

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let rawBody = '';
    try {
      rawBody = await readBody(req);
    } catch {
      res.writeHead(413, { 'content-type': 'application/json' }).end('{"error":"request body too large"}');
      return;
    }
    let body: any;
    if (rawBody.length > 0) {
      try { body = JSON.parse(rawBody); } catch { body = undefined; }
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      body,
      rawBody,
      at: Date.now(),
      aborted: false,
      completed: false,
    };
    let gone = false;
    let markGone: () => void = () => undefined;
    const goneSignal = new Promise<void>((resolve) => { markGone = resolve; });
    res.on('close', () => {
      if (!res.writableFinished) {
        gone = true;
        record.aborted = true;
        this.aborted++;
        markGone();
        for (const w of [...this.abortWaiters]) w();
      }
    });
    res.on('finish', () => { record.completed = true; });
    const ctx: RequestContext = {
      req, res, record,
      get gone() { return gone; },
      goneSignal,
    };

    if (url.pathname.startsWith('/_fake/')) {
      this.control(url.pathname, body, res);
      return;
    }
    this.requests.push(record);
    try {
      const handled = await this.handle(ctx);
      if (!handled && !res.headersSent) {
        sendJson(ctx, 404, { error: `404 page not found` }, 'text/plain; charset=utf-8');
      }
    } catch (e) {
      if (!res.headersSent) sendJson(ctx, 500, { error: `fake server failure: ${(e as Error).message}` });
      else res.destroy();
    }
  }

  /** Loopback control API for tests that run the fake in another process. */
  private control(path: string, body: any, res: http.ServerResponse): void {
    const reply = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    switch (path) {
      case '/_fake/script':
        this.script(...(Array.isArray(body) ? body : [body]));
        return reply(200, { queued: this.queue.length });
      case '/_fake/requests':
        return reply(200, this.requests.map(({ headers, ...r }) => ({ ...r, headers: redactHeaders(headers) })));
      case '/_fake/reset':
        this.reset();
        return reply(200, { ok: true });
      default:
        if (this.controlExtra(path, body)) return reply(200, { ok: true });
        return reply(404, { error: 'unknown control path' });
    }
  }

  /** Subclass hook for extra control paths. */
  protected controlExtra(_path: string, _body: any): boolean { return false; }
}

/** Headers as recorded, with credentials shortened (for the cross-process control API only). */
function redactHeaders(h: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const out: http.IncomingHttpHeaders = { ...h };
  for (const k of ['authorization', 'x-api-key']) if (out[k]) out[k] = '<present>';
  return out;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) { reject(new Error('too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(
  ctx: RequestContext, status: number, value: unknown,
  contentType = 'application/json; charset=utf-8', extraHeaders: Record<string, string> = {},
): void {
  ctx.record.status = status;
  const text = JSON.stringify(value);
  ctx.res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...extraHeaders });
  ctx.res.end(text);
}

/** Writes if the client is still there; returns false when it has gone. */
export function write(ctx: RequestContext, text: string): boolean {
  if (ctx.gone || ctx.res.destroyed) return false;
  ctx.res.write(text);
  return true;
}

/** Sleeps, but wakes early when the client goes away. */
export async function pace(ctx: RequestContext, ms: number): Promise<void> {
  if (ms <= 0) return;
  await Promise.race([sleep(ms), ctx.goneSignal]);
}

/** Milliseconds it takes to produce `tokens` at `tokensPerSecond`. */
export function msFor(tokens: number, tokensPerSecond: number): number {
  return tokensPerSecond > 0 ? (tokens / tokensPerSecond) * 1000 : 0;
}

/** Plain text of an OpenAI/Anthropic-style content (string or array of blocks). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((b: any) => {
      if (typeof b === 'string') return b;
      if (b && typeof b.text === 'string') return b.text;
      if (b && b.type === 'tool_result') return contentText(b.content);
      if (b && b.type === 'tool_use') return JSON.stringify(b.input ?? {});
      return '';
    }).join('');
  }
  return '';
}

export function countImages(content: unknown): number {
  if (!Array.isArray(content)) return 0;
  return content.filter((b: any) => b && (b.type === 'image' || b.type === 'image_url')).length;
}

/** The default reply: a deterministic echo of the last user text. */
export function echoOf(lastUserText: string): string {
  return `Echo: ${lastUserText.slice(0, 40)}`;
}

let idCounter = 0;
export function fakeId(prefix: string): string {
  idCounter++;
  return `${prefix}${Date.now().toString(36)}${idCounter.toString(36).padStart(4, '0')}`;
}

/**
 * Chunks cut to at most `maxTokens` tokens of text (common.ts's rule), the way a server stops at the
 * request's output cap; `cut` when something was left out. No cap (undefined), or a reply that ignores it:
 * unchanged.
 */
export function capChunks(chunks: string[], maxTokens: unknown, reply: FakeReply | undefined): { chunks: string[]; cut: boolean; cap?: number } {
  if (typeof maxTokens !== 'number' || !(maxTokens > 0) || reply?.ignoreMaxTokens) return { chunks, cut: false };
  const out: string[] = [];
  let chars = 0;
  for (const c of chunks) {
    if (Math.ceil((chars + c.length) / 4) <= maxTokens) { out.push(c); chars += c.length; continue; }
    const room = maxTokens * 4 - chars;
    if (room > 0) out.push(c.slice(0, room));
    return { chunks: out, cut: true, cap: maxTokens };
  }
  return { chunks: out, cut: false, cap: maxTokens };
}

export function textChunks(reply: FakeReply | undefined, fallback: string): string[] {
  if (reply?.chunks) return reply.chunks;
  return splitWords(reply?.text ?? fallback);
}
