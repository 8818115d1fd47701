// A fake OpenAI-compatible server: POST /v1/chat/completions (SSE streaming and non-streaming) and
// POST /v1/responses (fakeOpenAIResponses.ts) and GET /v1/models, with OpenAI's error shape {"error":{message,type,param,code}}.
// Streaming follows OpenAI's chat.completion.chunk format: a first delta with the role, content deltas,
// tool-call deltas (index, id, type, function.name, then argument string fragments), a last choice chunk
// with `finish_reason`, then — when `stream_options.include_usage` — a chunk with `choices: []` and
// `usage`, then `data: [DONE]`. Token counts follow the rule in common.ts.
import {
  FakeReply, FakeServerBase, FaultFraming, RequestContext, approxTokens, contentText, countImages, echoOf, fakeId, msFor, pace,
  capChunks, sendJson, serveFault, textChunks, write, MESSAGE_OVERHEAD_TOKENS, IMAGE_TOKENS,
} from './common';
import { serveResponses } from './fakeOpenAIResponses';

export interface FakeOpenAIOptions {
  /** The key the server accepts (Bearer). Default `sk-test-openai-0000`. */
  apiKey?: string;
  /** Model ids that exist. Default: a few OpenAI ids. */
  models?: string[];
  /** Generation pace. Default 2000 tokens/s. */
  tokensPerSecond?: number;
}

export const DEFAULT_OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o4-mini'];

export class FakeOpenAI extends FakeServerBase {
  apiKey: string;
  models: string[];
  readonly tokensPerSecond: number;

  constructor(opts: FakeOpenAIOptions = {}) {
    super();
    this.apiKey = opts.apiKey ?? 'sk-test-openai-0000';
    this.models = opts.models ?? [...DEFAULT_OPENAI_MODELS];
    this.tokensPerSecond = opts.tokensPerSecond ?? 2000;
  }

  protected async handle(ctx: RequestContext): Promise<boolean> {
    const { record } = ctx;
    const path = record.path.replace(/\/+$/, '');
    if (path === '/v1/models' && record.method === 'GET') {
      if (!this.authorised(ctx)) return true;
      sendJson(ctx, 200, {
        object: 'list',
        data: this.models.map((id) => ({ id, object: 'model', created: 1_715_367_049, owned_by: 'system' })),
      });
      return true;
    }
    if (path === '/v1/chat/completions' && record.method === 'POST') {
      if (!this.authorised(ctx)) return true;
      await this.completions(ctx);
      return true;
    }
    if (path === '/v1/responses' && record.method === 'POST') {
      if (!this.authorised(ctx)) return true;
      await this.responses(ctx);
      return true;
    }
    return false;
  }

  private authorised(ctx: RequestContext): boolean {
    const auth = ctx.record.headers.authorization;
    if (!auth || !/^Bearer\s+\S/.test(auth)) {
      sendJson(ctx, 401, openaiError(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        'invalid_request_error', null));
      return false;
    }
    const key = auth.replace(/^Bearer\s+/, '');
    if (key !== this.apiKey) {
      // OpenAI echoes a masked form of the key it rejected.
      sendJson(ctx, 401, openaiError(
        `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error', 'invalid_api_key'));
      return false;
    }
    return true;
  }

  private async completions(ctx: RequestContext): Promise<void> {
    const body = ctx.record.body;
    if (!body || typeof body !== 'object') {
      sendJson(ctx, 400, openaiError("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.", 'invalid_request_error', null));
      return;
    }
    if (typeof body.model !== 'string') {
      sendJson(ctx, 400, openaiError('you must provide a model parameter', 'invalid_request_error', null));
      return;
    }
    if (!this.models.includes(body.model)) {
      sendJson(ctx, 404, openaiError(`The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'));
      return;
    }
    const messages: any[] = Array.isArray(body.messages) ? body.messages : [];
    if (messages.length === 0) {
      sendJson(ctx, 400, openaiError("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'invalid_request_error', 'empty_array', 'messages'));
      return;
    }
    // A tool message must answer a tool call of the preceding assistant message (OpenAI validates this).
    const known = new Set<string>();
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m?.role === 'assistant' && Array.isArray(m.tool_calls)) for (const c of m.tool_calls) known.add(c?.id);
      if (m?.role === 'tool' && !known.has(m.tool_call_id)) {
        sendJson(ctx, 400, openaiError(`Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`, 'invalid_request_error', null, `messages.[${i}].role`));
        return;
      }
    }

    const { reply, answered } = await this.scriptedReply(ctx, body.model, CHAT_FRAMING);
    if (answered) return;

    let promptTokens = 0;
    for (const m of messages) {
      promptTokens += MESSAGE_OVERHEAD_TOKENS + approxTokens(contentText(m?.content)) + IMAGE_TOKENS * countImages(m?.content);
      if (Array.isArray(m?.tool_calls)) promptTokens += approxTokens(JSON.stringify(m.tool_calls));
    }
    if (Array.isArray(body.tools)) promptTokens += approxTokens(JSON.stringify(body.tools));
    if (reply?.promptTokens !== undefined) promptTokens = reply.promptTokens;
    const cached = Math.min(reply?.cachedTokens ?? 0, promptTokens);

    const lastUser = [...messages].reverse().find((m) => m?.role === 'user');
    const capped = capChunks(textChunks(reply, echoOf(contentText(lastUser?.content))), body.max_completion_tokens ?? body.max_tokens, reply);
    const chunks = capped.chunks;
    const text = chunks.join('');
    const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
    const toolCalls = hasTools ? (reply?.toolCalls ?? []).map((c) => ({ ...c, id: c.id ?? fakeId('call_') })) : [];
    const reasoning = reply?.thinking ? approxTokens(reply.thinking) : 0;
    const completion = capped.cap !== undefined && reply?.outputTokens !== undefined ? Math.min(reply.outputTokens, capped.cap) : reply?.outputTokens ?? (approxTokens(text) + reasoning +
      (toolCalls.length ? approxTokens(JSON.stringify(toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })))) : 0));
    const finish = toolCalls.length > 0 ? 'tool_calls' : reply?.doneReason === 'length' || capped.cut ? 'length' : 'stop';
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      total_tokens: promptTokens + completion,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      ...reply?.usage,
    };
    ctx.record.reported = { ...usage };
    const id = fakeId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const tps = reply?.tokensPerSecond ?? this.tokensPerSecond;

    if (body.stream !== true) {
      await pace(ctx, msFor(completion, tps));
      if (ctx.gone) return;
      sendJson(ctx, 200, {
        id, object: 'chat.completion', created, model: body.model,
        choices: [{
          index: 0,
          message: {
            role: 'assistant',
            content: text.length > 0 || toolCalls.length === 0 ? text : null,
            refusal: null,
            ...(toolCalls.length ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) } : {}),
            annotations: [],
          },
          logprobs: null,
          finish_reason: finish,
        }],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_fake0000',
      });
      return;
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string => 'data: ' + JSON.stringify({
      id, object: 'chat.completion.chunk', created, model: body.model, service_tier: 'default',
      system_fingerprint: 'fp_fake0000', choices, ...(includeUsage ? { usage: null } : {}), ...extra,
    }) + '\n\n';
    const delta = (d: Record<string, unknown>, finishReason: string | null = null): unknown[] =>
      [{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }];

    ctx.record.status = 200;
    ctx.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${id}` });
    ctx.res.flushHeaders();
    if (!write(ctx, chunk(delta({ role: 'assistant', content: '', refusal: null })))) return;
    if (reply?.thinking) await pace(ctx, msFor(reasoning, tps)); // hidden reasoning takes time, streams nothing
    let sent = 0;
    for (const c of text.length > 0 ? chunks : []) {
      if (reply?.errorAfterChunks !== undefined && sent >= reply.errorAfterChunks) return this.midStreamError(ctx, reply);
      if (reply?.stallAfterChunks !== undefined && sent >= reply.stallAfterChunks) { await ctx.goneSignal; return; }
      if (!write(ctx, chunk(delta({ content: c })))) return;
      sent++;
      await pace(ctx, msFor(approxTokens(c), tps));
      if (ctx.gone) return;
    }
    if (reply?.errorAfterChunks !== undefined) return this.midStreamError(ctx, reply);
    if (reply?.stallAfterChunks !== undefined) { await ctx.goneSignal; return; }
    for (let i = 0; i < toolCalls.length; i++) {
      const c = toolCalls[i];
      if (!write(ctx, chunk(delta({ tool_calls: [{ index: i, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] })))) return;
      const args = JSON.stringify(c.arguments);
      for (let p = 0; p < args.length; p += 7) {
        if (!write(ctx, chunk(delta({ tool_calls: [{ index: i, function: { arguments: args.slice(p, p + 7) } }] })))) return;
        await pace(ctx, msFor(2, tps));
      }
    }
    if (!write(ctx, chunk(delta({}, finish)))) return;
    if (includeUsage && !write(ctx, chunk([], { usage }))) return;
    if (!write(ctx, 'data: [DONE]\n\n')) return;
    ctx.res.end();
  }

  /** OpenAI's Responses API (fakeOpenAIResponses.ts), with the same auth, model check and scripted replies. */
  private async responses(ctx: RequestContext): Promise<void> {
    const body = ctx.record.body;
    if (!body || typeof body !== 'object' || typeof body.model !== 'string') {
      sendJson(ctx, 400, openaiError('Missing required parameter: \'model\'.', 'invalid_request_error', 'missing_required_parameter', 'model'));
      return;
    }
    if (!this.models.includes(body.model)) {
      sendJson(ctx, 400, openaiError(`The requested model '${body.model}' does not exist.`, 'invalid_request_error', 'model_not_found', 'model'));
      return;
    }
    const { reply, answered } = await this.scriptedReply(ctx, body.model, RESPONSES_FRAMING);
    if (!answered) await serveResponses(ctx, reply, this.tokensPerSecond);
  }

  /** The next scripted reply for `model`, after its delay; `answered` when it was an error or a fault (sent) or the client left. */
  private async scriptedReply(ctx: RequestContext, model: string, framing: FaultFraming): Promise<{ reply: FakeReply | undefined; answered: boolean }> {
    const tools = ctx.record.body?.tools;
    const reply = this.takeReply(model, Array.isArray(tools) && tools.length > 0);
    if (reply?.delayMs) await pace(ctx, reply.delayMs);
    if (ctx.gone) return { reply, answered: true };
    if (reply?.fault) {
      await serveFault(ctx, reply.fault, framing);
      return { reply, answered: true };
    }
    if (reply?.status && reply.status >= 400) {
      this.scriptedError(ctx, reply, model);
      return { reply, answered: true };
    }
    return { reply, answered: false };
  }

  private scriptedError(ctx: RequestContext, reply: FakeReply, model: string): void {
    const status = reply.status ?? 500;
    const headers: Record<string, string> = {};
    if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
    let body: unknown;
    if (status === 429) {
      body = openaiError(reply.error ?? `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`,
        reply.errorType ?? 'requests', 'rate_limit_exceeded');
    } else if (status >= 500) {
      body = openaiError(reply.error ?? 'The server had an error while processing your request. Sorry about that!', reply.errorType ?? 'server_error', null);
    } else {
      body = openaiError(reply.error ?? 'Bad request', reply.errorType ?? 'invalid_request_error', null);
    }
    sendJson(ctx, status, body, undefined, headers);
  }

  private midStreamError(ctx: RequestContext, reply: FakeReply): void {
    write(ctx, 'data: ' + JSON.stringify(openaiError(reply.error ?? 'The server had an error while processing your request. Sorry about that!', reply.errorType ?? 'server_error', null)) + '\n\n');
    ctx.res.end();
  }
}

const sse = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
const CHAT_FRAMING: FaultFraming = {
  contentType: 'text/event-stream; charset=utf-8',
  chunk: (text) => sse({ id: 'chatcmpl-fault', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] }),
  lineStart: 'data: {"choices":[{"index":0,"delta":{"content":"',
};
const RESPONSES_FRAMING: FaultFraming = {
  contentType: 'text/event-stream; charset=utf-8',
  chunk: (text) => `event: response.output_text.delta\n${sse({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: text })}`,
  lineStart: 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"',
};

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const fake = new FakeOpenAI(opts);
  await fake.listen();
  return fake;
}

function openaiError(message: string, type: string, code: string | null, param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}

/** OpenAI's masking: first 3 + `*` + last 4 characters. */
function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.max(4, key.length - 7))}${key.slice(-4)}`;
}
