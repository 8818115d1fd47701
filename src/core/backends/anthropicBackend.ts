// The Anthropic backend: POST {baseUrl}/v1/messages with `stream: true` (Messages API server-sent events).
// `baseUrl` follows the Anthropic SDK's convention, without the version: `https://api.anthropic.com`
// (a trailing `/v1` is tolerated). Stream contract: see ollamaBackend.ts.
//
// Usage mapping (`source: 'reported'`). Anthropic's `input_tokens` counts only the input that was
// neither read from nor written to the prompt cache, so:
//   input       = input_tokens + cache_read_input_tokens + cache_creation_input_tokens  (all input processed)
//   cachedInput = cache_read_input_tokens                                               (billed at the cache-read price)
//   cacheWrite  = cache_creation_input_tokens                                           (billed at the cache-write price)
//   output      = output_tokens (includes thinking: TokenCounts.output includes reasoning)
//   reasoning   = ceil(chars of `thinking` text seen / 4), capped at output_tokens (Anthropic reports
//                 thinking inside output_tokens and does not split it; this is the estimated share)
// Values come from message_start and are overwritten by any later message_delta that carries them
// (output_tokens there is cumulative).
import { Backend, BackendError, BackendUsage, ChatMessage, ChatRequest, ModelSpec, StreamPart } from '../types';
import { partsOf, redact, shortMessage } from './common';
import type { NetworkLimits } from './guardedFetch';
import { httpStream, StreamParseContext } from './httpStream';
import { readSse } from './sse';
import { settleTokens, UsageCheck } from './usageCheck';
import { nodeFetch } from './nodeFetch';

export const ANTHROPIC_VERSION = '2023-06-01';
/** Cap on max_tokens when the request has none: the model's limit, but at most this. */
export const DEFAULT_MAX_OUTPUT_TOKENS_CAP = 32_000;

export interface AnthropicBackendOptions {
  /** e.g. `https://api.anthropic.com`. */
  baseUrl: string;
  apiKey: () => Promise<string | undefined>;
  fetch?: typeof fetch;
  /** Deadlines and caps of every request (guardedFetch.ts); defaults where absent. */
  limits?: Partial<NetworkLimits>;
  /** Name used in messages. Default `Anthropic`. */
  label?: string;
  /** How the credential travels: `x-api-key` (API keys, the default) or `bearer` (Claude Code's OAuth tokens). */
  auth?: 'x-api-key' | 'bearer';
  /** Extra non-secret headers (e.g. `anthropic-beta`). */
  headers?: Record<string, string>;
}

export class AnthropicBackend implements Backend {
  readonly provider = 'anthropic' as const;
  private readonly baseUrl: string;
  private readonly apiKey: () => Promise<string | undefined>;
  private readonly fetchImpl: typeof fetch;
  private readonly limits: Partial<NetworkLimits> | undefined;
  private readonly label: string;
  private readonly credentialHeaders: (key: string | undefined) => Record<string, string>;

  constructor(opts: AnthropicBackendOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.apiKey = opts.apiKey;
    this.fetchImpl = opts.fetch ?? nodeFetch;
    this.limits = opts.limits;
    this.label = opts.label ?? 'Anthropic';
    const extra = { ...(opts.headers ?? {}) };
    this.credentialHeaders = opts.auth === 'bearer'
      ? (key) => ({ ...extra, authorization: `Bearer ${key ?? ''}`, 'anthropic-version': ANTHROPIC_VERSION })
      : (key) => ({ ...extra, 'x-api-key': key ?? '', 'anthropic-version': ANTHROPIC_VERSION });
  }

  stream(model: ModelSpec, request: ChatRequest, signal: AbortSignal): AsyncGenerator<StreamPart> {
    const { system, messages } = toAnthropicMessages(request.messages);
    const body: Record<string, unknown> = {
      model: model.id,
      max_tokens: maxTokensFor(model, request),
      messages,
      stream: true,
    };
    if (system) body.system = system;
    if (request.tools && request.tools.length > 0) {
      body.tools = request.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.inputSchema ?? { type: 'object', properties: {} },
      }));
    }
    if (request.temperature !== undefined) body.temperature = request.temperature;
    return httpStream({
      provider: 'anthropic',
      label: this.label,
      url: `${this.baseUrl}/v1/messages`,
      apiKey: this.apiKey,
      keyRequired: true,
      headers: this.credentialHeaders,
      body,
      fetchImpl: this.fetchImpl,
      endpointSetting: 'rightsize.anthropic.baseUrl',
      limits: this.limits,
      model,
      request,
      signal,
      parse: (ctx) => this.parse(ctx, model),
    });
  }

  private async *parse(ctx: StreamParseContext, model: ModelSpec): AsyncGenerator<StreamPart, BackendUsage | undefined> {
    const { response, tally, secrets } = ctx;
    const st = newMessagesState();
    for await (const ev of readSse(response.body!)) {
      let json: any;
      try { json = JSON.parse(ev.data); } catch { continue; }
      const type = json?.type ?? ev.event;
      if (type === 'error') throw this.streamError(json.error ?? {}, model, secrets);
      yield* messagesEventParts(type, json, st, tally);
      if (st.stopped) break;
    }
    if (!st.stopped && !st.stopReason) {
      throw new BackendError(`${this.label} ended the stream before "${model.id}" finished answering.`, 'anthropic', 'server');
    }
    if (!st.sawUsage) return undefined;
    return this.settledUsage(st, ctx);
  }

  /** An `error` event mid-stream. */
  private streamError(e: any, model: ModelSpec, secrets: string[]): BackendError {
    const overloaded = e.type === 'overloaded_error';
    return new BackendError(
      overloaded
        ? `${this.label} is overloaded and stopped "${model.id}" mid-answer; try again shortly or pick another model.`
        : `${this.label} reported an error while "${model.id}" was answering: ${shortMessage(redact(String(e.message ?? e.type ?? 'unknown error'), secrets))}.`,
      'anthropic', e.type === 'rate_limit_error' ? 'rateLimit' : 'server');
  }

  /** The reported usage, checked once (usageCheck.ts): input = uncached + cache reads + cache writes. */
  private settledUsage(st: MessagesState, ctx: StreamParseContext): BackendUsage {
    const { tally, secrets } = ctx;
    const { usage } = st;
    const check = new UsageCheck(secrets);
    const uncached = check.count('input_tokens', usage.input, true);
    const cacheRead = check.count('cache_read_input_tokens', usage.cacheRead) ?? 0;
    const cacheWrite = check.count('cache_creation_input_tokens', usage.cacheWrite) ?? 0;
    const output = check.count('output_tokens', usage.output, true);
    const estimated = tally.estimatedUsage(ctx.request).tokens;
    const { tokens, source, warnings } = settleTokens(this.label, {
      input: uncached === undefined ? undefined : uncached + cacheRead + cacheWrite,
      cachedInput: cacheRead,
      cacheWrite,
      output,
      reasoning: Math.min(output ?? estimated.output, Math.ceil(st.thinkingChars / 4)),
    }, check, estimated);
    return {
      tokens,
      source,
      ...(warnings ? { warnings } : {}),
      durationMs: tally.elapsedMs(),
      ...(tally.ttftMs !== undefined ? { ttftMs: tally.ttftMs } : {}),
      ...(st.stopReason ? { doneReason: st.stopReason } : {}),
    };
  }
}

/** What a Messages stream has said so far. */
interface MessagesState {
  blocks: Map<number, { type: string; id: string; name: string; json: string }>;
  /** Raw values as the server sent them; checked once, at the end (usageCheck.ts). */
  usage: Record<'input' | 'cacheRead' | 'cacheWrite' | 'output', unknown>;
  sawUsage: boolean;
  stopReason?: string;
  thinkingChars: number;
  stopped: boolean;
}

function newMessagesState(): MessagesState {
  return { blocks: new Map(), usage: { input: undefined, cacheRead: undefined, cacheWrite: undefined, output: undefined }, sawUsage: false, thinkingChars: 0, stopped: false };
}

function takeUsage(st: MessagesState, u: any): void {
  if (!u || typeof u !== 'object') return;
  if (u.input_tokens !== undefined && u.input_tokens !== null) { st.usage.input = u.input_tokens; st.sawUsage = true; }
  if (u.cache_read_input_tokens !== undefined && u.cache_read_input_tokens !== null) st.usage.cacheRead = u.cache_read_input_tokens;
  if (u.cache_creation_input_tokens !== undefined && u.cache_creation_input_tokens !== null) st.usage.cacheWrite = u.cache_creation_input_tokens;
  if (u.output_tokens !== undefined && u.output_tokens !== null) { st.usage.output = u.output_tokens; st.sawUsage = true; }
}

/** The stream contract's parts of one Messages event (text, finished tool calls); notes usage and stops. */
function* messagesEventParts(type: string, json: any, st: MessagesState, tally: StreamParseContext['tally']): Generator<StreamPart> {
  switch (type) {
    case 'message_start':
      takeUsage(st, json.message?.usage);
      break;
    case 'content_block_start': {
      const b = json.content_block ?? {};
      st.blocks.set(json.index, { type: b.type, id: b.id ?? '', name: b.name ?? '', json: '' });
      if (b.type === 'text' && typeof b.text === 'string' && b.text.length > 0) {
        tally.seeOutput(b.text.length);
        yield { type: 'text', text: b.text };
      }
      break;
    }
    case 'content_block_delta': {
      const d = json.delta ?? {};
      if (d.type === 'text_delta' && typeof d.text === 'string' && d.text.length > 0) {
        tally.seeOutput(d.text.length);
        yield { type: 'text', text: d.text };
      } else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
        const b = st.blocks.get(json.index);
        if (b) b.json += d.partial_json;
      } else if (d.type === 'thinking_delta' && typeof d.thinking === 'string') {
        tally.seeReasoning(d.thinking.length);
        st.thinkingChars += d.thinking.length;
      }
      break;
    }
    case 'content_block_stop': {
      const b = st.blocks.get(json.index);
      if (b && (b.type === 'tool_use' || b.type === 'server_tool_use')) {
        const input = parseInput(b.json);
        tally.seeToolCall({ name: b.name, input });
        yield { type: 'toolCall', callId: b.id, name: b.name, input };
      }
      st.blocks.delete(json.index);
      break;
    }
    case 'message_delta':
      if (json.delta?.stop_reason) st.stopReason = json.delta.stop_reason;
      takeUsage(st, json.usage);
      break;
    case 'message_stop':
      st.stopped = true;
      break;
    default:
      break; // ping and future event types
  }
}

/** max_tokens is required: the caller's cap, else the model's limit capped at DEFAULT_MAX_OUTPUT_TOKENS_CAP. */
export function maxTokensFor(model: ModelSpec, request: ChatRequest): number {
  if (request.maxOutputTokens !== undefined && request.maxOutputTokens >= 1) return Math.floor(request.maxOutputTokens);
  const limit = model.maxOutputTokens > 0 ? model.maxOutputTokens : 4096;
  return Math.max(1, Math.min(limit, DEFAULT_MAX_OUTPUT_TOKENS_CAP));
}

function parseInput(json: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  try {
    const v = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { value: v };
  } catch {
    return { _unparsedArguments: json };
  }
}

type Block = Record<string, unknown>;

/**
 * ChatRequest messages -> Anthropic `system` + alternating messages. Tool results (from `tool` messages or
 * toolResult parts in user messages) become `tool_result` blocks placed first in a user message, as the
 * API requires; consecutive messages of the same role are merged.
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string; messages: Array<{ role: 'user' | 'assistant'; content: Block[] }> } {
  const system: string[] = [];
  const out: Array<{ role: 'user' | 'assistant'; content: Block[] }> = [];
  const push = (role: 'user' | 'assistant', content: Block[]): void => {
    if (content.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) {
      // tool_result blocks must lead a user message.
      const results = [...last.content, ...content].filter((b) => b.type === 'tool_result');
      const rest = [...last.content, ...content].filter((b) => b.type !== 'tool_result');
      last.content = role === 'user' ? [...results, ...rest] : [...last.content, ...content];
    } else {
      out.push({ role, content });
    }
  };
  for (const m of messages) {
    const parts = partsOf(m);
    if (m.role === 'system') {
      const t = parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
      if (t) system.push(t);
      continue;
    }
    if (m.role === 'assistant') {
      const blocks: Block[] = [];
      for (const p of parts) {
        if (p.type === 'text' && p.text.length > 0) blocks.push({ type: 'text', text: p.text });
        else if (p.type === 'toolCall') blocks.push({ type: 'tool_use', id: p.callId, name: p.name, input: p.input });
      }
      push('assistant', blocks);
      continue;
    }
    // user and tool
    const results: Block[] = [];
    const rest: Block[] = [];
    for (const p of parts) {
      if (p.type === 'toolResult') {
        results.push({ type: 'tool_result', tool_use_id: p.callId, content: p.content, ...(p.isError ? { is_error: true } : {}) });
      } else if (p.type === 'text' && p.text.length > 0) {
        rest.push({ type: 'text', text: p.text });
      } else if (p.type === 'image' && p.dataBase64) {
        rest.push({ type: 'image', source: { type: 'base64', media_type: p.mimeType, data: p.dataBase64 } });
      }
    }
    push('user', [...results, ...rest]);
  }
  return { system: system.join('\n\n'), messages: out };
}
