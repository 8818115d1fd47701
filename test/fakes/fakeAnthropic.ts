// A fake Anthropic Messages API: POST /v1/messages (SSE streaming and non-streaming), GET /v1/models.
// Requires `x-api-key` and `anthropic-version`; errors in Anthropic's shape
//   {"type":"error","error":{"type":"authentication_error"|"rate_limit_error"|"overloaded_error"|...,"message":...},"request_id":...}
// Streaming events: message_start (usage.input_tokens, cache_read_input_tokens, cache_creation_input_tokens),
// ping, content_block_start (text | tool_use), content_block_delta (text_delta | input_json_delta),
// content_block_stop, message_delta (stop_reason, usage.output_tokens), message_stop.
// As in the real API, `input_tokens` excludes cache reads and cache writes. Token counts follow common.ts.
import {
  FakeReply, FakeServerBase, FaultFraming, RequestContext, approxTokens, contentText, countImages, echoOf, fakeId, msFor, pace,
  capChunks, sendJson, serveFault, textChunks, write, MESSAGE_OVERHEAD_TOKENS, IMAGE_TOKENS,
} from './common';

export interface FakeAnthropicOptions {
  /** The key the server accepts (`x-api-key`). Default `sk-ant-test-0000`. */
  apiKey?: string;
  models?: string[];
  /** Generation pace. Default 2000 tokens/s. */
  tokensPerSecond?: number;
}

export const DEFAULT_ANTHROPIC_MODELS = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-sonnet-4-20250514', 'claude-3-5-haiku-20241022'];

export class FakeAnthropic extends FakeServerBase {
  apiKey: string;
  models: string[];
  readonly tokensPerSecond: number;

  constructor(opts: FakeAnthropicOptions = {}) {
    super();
    this.apiKey = opts.apiKey ?? 'sk-ant-test-0000';
    this.models = opts.models ?? [...DEFAULT_ANTHROPIC_MODELS];
    this.tokensPerSecond = opts.tokensPerSecond ?? 2000;
  }

  protected async handle(ctx: RequestContext): Promise<boolean> {
    const path = ctx.record.path.replace(/\/+$/, '');
    if (path === '/v1/models' && ctx.record.method === 'GET') {
      if (!this.authorised(ctx)) return true;
      const data = this.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-05-22T00:00:00Z' }));
      sendJson(ctx, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
      return true;
    }
    if (path === '/v1/messages' && ctx.record.method === 'POST') {
      if (!this.authorised(ctx)) return true;
      await this.messages(ctx);
      return true;
    }
    return false;
  }

  private authorised(ctx: RequestContext): boolean {
    const key = ctx.record.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0) {
      sendJson(ctx, 401, anthropicError('authentication_error', 'x-api-key header is required'));
      return false;
    }
    if (key !== this.apiKey) {
      sendJson(ctx, 401, anthropicError('authentication_error', 'invalid x-api-key'));
      return false;
    }
    if (!ctx.record.headers['anthropic-version']) {
      sendJson(ctx, 400, anthropicError('invalid_request_error', 'anthropic-version: header is required'));
      return false;
    }
    return true;
  }

  private async messages(ctx: RequestContext): Promise<void> {
    const body = ctx.record.body;
    const bad = (message: string): void => sendJson(ctx, 400, anthropicError('invalid_request_error', message));
    if (!body || typeof body !== 'object') return bad('There was an issue with your request body. Please check that it is valid JSON.');
    if (typeof body.model !== 'string') return bad('model: Field required');
    if (typeof body.max_tokens !== 'number') return bad('max_tokens: Field required');
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return bad('max_tokens: Input should be greater than or equal to 1');
    if (!this.models.includes(body.model)) {
      sendJson(ctx, 404, anthropicError('not_found_error', `model: ${body.model}`));
      return;
    }
    const messages: any[] = Array.isArray(body.messages) ? body.messages : [];
    if (messages.length === 0) return bad('messages: at least one message is required');
    for (let i = 0; i < messages.length; i++) {
      const role = messages[i]?.role;
      if (role !== 'user' && role !== 'assistant') {
        return bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
      }
      // Every tool_result must answer a tool_use of the immediately preceding assistant message.
      const content = messages[i].content;
      if (role === 'user' && Array.isArray(content)) {
        const prev = messages[i - 1];
        const ids = new Set<string>(Array.isArray(prev?.content)
          ? prev.content.filter((b: any) => b?.type === 'tool_use').map((b: any) => b.id) : []);
        for (let j = 0; j < content.length; j++) {
          const b = content[j];
          if (b?.type === 'tool_result' && !ids.has(b.tool_use_id)) {
            return bad(`messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
          }
        }
      }
    }

    const reply = this.takeReply(body.model, Array.isArray(body.tools) && body.tools.length > 0);
    if (reply?.delayMs) await pace(ctx, reply.delayMs);
    if (ctx.gone) return;
    if (reply?.fault) return serveFault(ctx, reply.fault, FRAMING);
    if (reply?.status && reply.status >= 400) {
      this.scriptedError(ctx, reply);
      return;
    }

    let total = approxTokens(systemText(body.system));
    for (const m of messages) total += MESSAGE_OVERHEAD_TOKENS + approxTokens(contentText(m.content)) + IMAGE_TOKENS * countImages(m.content);
    if (Array.isArray(body.tools)) total += approxTokens(JSON.stringify(body.tools));
    if (reply?.promptTokens !== undefined) total = reply.promptTokens;
    const cacheRead = Math.min(reply?.cachedTokens ?? 0, total);
    const cacheWrite = Math.min(reply?.cacheCreationTokens ?? 0, total - cacheRead);
    const inputTokens = total - cacheRead - cacheWrite;

    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const capped = capChunks(textChunks(reply, echoOf(contentText(lastUser?.content))), body.max_tokens, reply);
    const chunks = capped.chunks;
    const text = chunks.join('');
    const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
    const toolCalls = hasTools ? (reply?.toolCalls ?? []).map((c) => ({ ...c, id: c.id ?? fakeId('toolu_') })) : [];
    const output = reply?.outputTokens !== undefined && !reply.ignoreMaxTokens ? Math.min(reply.outputTokens, body.max_tokens) : reply?.outputTokens ?? (approxTokens(text) + approxTokens(reply?.thinking ?? '') +
      (toolCalls.length ? approxTokens(JSON.stringify(toolCalls.map((c) => c.arguments))) : 0));
    const stopReason = toolCalls.length > 0 ? 'tool_use' : reply?.doneReason === 'length' || capped.cut ? 'max_tokens' : 'end_turn';
    const usage = {
      input_tokens: inputTokens,
      cache_creation_input_tokens: cacheWrite,
      cache_read_input_tokens: cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 },
      output_tokens: output as unknown,
      service_tier: 'standard',
      ...reply?.usage,
    };
    ctx.record.reported = { ...usage };
    const id = fakeId('msg_');
    const tps = reply?.tokensPerSecond ?? this.tokensPerSecond;

    if (body.stream !== true) {
      await pace(ctx, msFor(output, tps));
      if (ctx.gone) return;
      sendJson(ctx, 200, {
        id, type: 'message', role: 'assistant', model: body.model,
        content: [
          ...(text.length > 0 ? [{ type: 'text', text }] : []),
          ...toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments })),
        ],
        stop_reason: stopReason, stop_sequence: null, usage,
      });
      return;
    }

    const event = (type: string, data: Record<string, unknown>): string =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    ctx.record.status = 200;
    ctx.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_${id}` });
    ctx.res.flushHeaders();
    if (!write(ctx, event('message_start', {
      message: {
        id, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }))) return;
    if (!write(ctx, event('ping', {}))) return;
    let index = 0;
    if (reply?.thinking) {
      if (!write(ctx, event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }))) return;
      for (const t of textChunks({ text: reply.thinking }, '')) {
        if (!write(ctx, event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: t } }))) return;
        await pace(ctx, msFor(approxTokens(t), tps));
      }
      if (!write(ctx, event('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'ZmFrZQ==' } }))) return;
      if (!write(ctx, event('content_block_stop', { index }))) return;
      index++;
    }
    if (text.length > 0 || toolCalls.length === 0) {
      if (!write(ctx, event('content_block_start', { index, content_block: { type: 'text', text: '' } }))) return;
      let sent = 0;
      for (const c of chunks) {
        if (reply?.errorAfterChunks !== undefined && sent >= reply.errorAfterChunks) return this.midStreamError(ctx, reply);
        if (reply?.stallAfterChunks !== undefined && sent >= reply.stallAfterChunks) { await ctx.goneSignal; return; }
        if (!write(ctx, event('content_block_delta', { index, delta: { type: 'text_delta', text: c } }))) return;
        sent++;
        await pace(ctx, msFor(approxTokens(c), tps));
        if (ctx.gone) return;
      }
      if (reply?.errorAfterChunks !== undefined) return this.midStreamError(ctx, reply);
      if (reply?.stallAfterChunks !== undefined) { await ctx.goneSignal; return; }
      if (!write(ctx, event('content_block_stop', { index }))) return;
      index++;
    }
    for (const c of toolCalls) {
      if (!write(ctx, event('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }))) return;
      if (!write(ctx, event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }))) return;
      const args = JSON.stringify(c.arguments);
      for (let p = 0; p < args.length; p += 9) {
        if (!write(ctx, event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args.slice(p, p + 9) } }))) return;
        await pace(ctx, msFor(2, tps));
      }
      if (!write(ctx, event('content_block_stop', { index }))) return;
      index++;
    }
    if (!write(ctx, event('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }))) return;
    if (!write(ctx, event('message_stop', {}))) return;
    ctx.res.end();
  }

  private scriptedError(ctx: RequestContext, reply: FakeReply): void {
    const status = reply.status ?? 500;
    const headers: Record<string, string> = {};
    if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
    const type = reply.errorType ?? (
      status === 429 ? 'rate_limit_error'
        : status === 529 ? 'overloaded_error'
          : status === 401 ? 'authentication_error'
            : status === 403 ? 'permission_error'
              : status === 404 ? 'not_found_error'
                : status === 413 ? 'request_too_large'
                  : status >= 500 ? 'api_error' : 'invalid_request_error');
    const message = reply.error ?? (
      type === 'rate_limit_error' ? 'This request would exceed the rate limit for your organization of 50 requests per minute.'
        : type === 'overloaded_error' ? 'Overloaded' : type === 'api_error' ? 'Internal server error' : 'Bad request');
    sendJson(ctx, status, anthropicError(type, message), undefined, headers);
  }

  private midStreamError(ctx: RequestContext, reply: FakeReply): void {
    write(ctx, `event: error\ndata: ${JSON.stringify(anthropicError(reply.errorType ?? 'overloaded_error', reply.error ?? 'Overloaded'))}\n\n`);
    ctx.res.end();
  }
}

const FRAMING: FaultFraming = {
  contentType: 'text/event-stream; charset=utf-8',
  chunk: (text) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`,
  lineStart: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"',
};

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const fake = new FakeAnthropic(opts);
  await fake.listen();
  return fake;
}

function anthropicError(type: string, message: string): unknown {
  return { type: 'error', error: { type, message }, request_id: fakeId('req_') };
}

function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  return contentText(system);
}
