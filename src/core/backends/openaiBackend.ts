// The OpenAI-compatible backend: POST {baseUrl}/chat/completions with `stream: true` and
// `stream_options.include_usage`, parsed from server-sent events. `baseUrl` follows the OpenAI SDK's
// convention and includes the version segment: `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`.
// Stream contract: see ollamaBackend.ts. Usage (`source: 'reported'`) from the final usage chunk:
//   input = prompt_tokens, cachedInput = prompt_tokens_details.cached_tokens,
//   reasoning = completion_tokens_details.reasoning_tokens, output = completion_tokens (which includes
//   reasoning: TokenCounts.output includes reasoning).
// A server that sends no usage chunk gets an estimated usage part instead.
import { Backend, BackendError, BackendUsage, ChatMessage, ChatRequest, ModelSpec, Provider, StreamPart } from '../types';
import { partsOf, redact, shortMessage } from './common';
import type { NetworkLimits } from './guardedFetch';
import { httpStream, StreamParseContext } from './httpStream';
import { readSse } from './sse';
import { settleTokens, UsageCheck } from './usageCheck';
import { nodeFetch } from './nodeFetch';

export interface OpenAICompatibleBackendOptions {
  /** Including the version segment, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Reads the key from secret storage when a request starts. */
  apiKey: () => Promise<string | undefined>;
  /** Default `openai`. */
  provider?: Provider;
  fetch?: typeof fetch;
  /** Deadlines and caps of every request (guardedFetch.ts); defaults where absent. */
  limits?: Partial<NetworkLimits>;
  /** Name used in messages. Default: `OpenAI`, or `The OpenAI-compatible server` for other providers. */
  label?: string;
  /** False for local servers that need no key (LM Studio, vLLM). Default true. */
  keyRequired?: boolean;
  /** Extra non-secret headers (e.g. OpenRouter's `HTTP-Referer`). */
  headers?: Record<string, string>;
}

export class OpenAICompatibleBackend implements Backend {
  readonly provider: Provider;
  private readonly baseUrl: string;
  private readonly apiKey: () => Promise<string | undefined>;
  private readonly fetchImpl: typeof fetch;
  private readonly limits: Partial<NetworkLimits> | undefined;
  private readonly label: string;
  private readonly keyRequired: boolean;
  private readonly extraHeaders: Record<string, string>;

  constructor(opts: OpenAICompatibleBackendOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.provider = opts.provider ?? 'openai';
    this.fetchImpl = opts.fetch ?? nodeFetch;
    this.limits = opts.limits;
    this.label = opts.label ?? (this.provider === 'openai' ? 'OpenAI' : 'The OpenAI-compatible server');
    this.keyRequired = opts.keyRequired ?? true;
    this.extraHeaders = { ...(opts.headers ?? {}) };
  }

  stream(model: ModelSpec, request: ChatRequest, signal: AbortSignal): AsyncGenerator<StreamPart> {
    const body: Record<string, unknown> = {
      model: model.id,
      messages: toOpenAIMessages(request.messages),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (request.tools && request.tools.length > 0) {
      body.tools = request.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.inputSchema ?? { type: 'object', properties: {} } },
      }));
    }
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxOutputTokens !== undefined) {
      // OpenAI's current name; compatible servers mostly still read `max_tokens`.
      body[this.provider === 'openai' ? 'max_completion_tokens' : 'max_tokens'] = request.maxOutputTokens;
    }
    return httpStream({
      provider: this.provider,
      label: this.label,
      url: `${this.baseUrl}/chat/completions`,
      apiKey: this.apiKey,
      keyRequired: this.keyRequired,
      headers: (key) => ({ ...this.extraHeaders, ...(key ? { authorization: `Bearer ${key}` } : {}) }),
      body,
      fetchImpl: this.fetchImpl,
      endpointSetting: 'rightsize.openai.baseUrl',
      limits: this.limits,
      model,
      request,
      signal,
      parse: (ctx) => this.parse(ctx, model),
    });
  }

  private async *parse(ctx: StreamParseContext, model: ModelSpec): AsyncGenerator<StreamPart, BackendUsage | undefined> {
    const { response, tally, secrets } = ctx;
    const calls = new Map<number, { id: string; name: string; args: string }>();
    let usage: any;
    let finishReason: string | undefined;
    let sawDone = false;
    const flushCalls = function* (): Generator<StreamPart> {
      const ordered = [...calls.entries()].sort((a, b) => a[0] - b[0]);
      calls.clear();
      for (const [index, c] of ordered) {
        const input = parseArguments(c.args);
        tally.seeToolCall({ name: c.name, input });
        yield { type: 'toolCall', callId: c.id || `call_${index}`, name: c.name, input };
      }
    };
    for await (const ev of readSse(response.body!)) {
      if (ev.data === '[DONE]') { sawDone = true; break; }
      let json: any;
      try { json = JSON.parse(ev.data); } catch { continue; }
      if (json && json.error) {
        const msg = typeof json.error === 'string' ? json.error : json.error.message ?? 'unknown error';
        throw new BackendError(`${this.label} reported an error while "${model.id}" was answering: ${shortMessage(redact(String(msg), secrets))}.`, this.provider, 'server');
      }
      const choice = Array.isArray(json?.choices) ? json.choices[0] : undefined;
      if (choice) {
        const d = choice.delta ?? {};
        const reasoning = typeof d.reasoning_content === 'string' ? d.reasoning_content : typeof d.reasoning === 'string' ? d.reasoning : '';
        if (reasoning) tally.seeReasoning(reasoning.length);
        if (typeof d.content === 'string' && d.content.length > 0) {
          tally.seeOutput(d.content.length);
          yield { type: 'text', text: d.content };
        }
        if (Array.isArray(d.tool_calls)) {
          for (const tc of d.tool_calls) {
            const index = typeof tc.index === 'number' ? tc.index : calls.size;
            let entry = calls.get(index);
            if (!entry) { entry = { id: '', name: '', args: '' }; calls.set(index, entry); }
            if (typeof tc.id === 'string' && tc.id) entry.id = tc.id;
            if (typeof tc.function?.name === 'string' && tc.function.name && !entry.name) entry.name = tc.function.name;
            if (typeof tc.function?.arguments === 'string') entry.args += tc.function.arguments;
          }
        }
        if (choice.finish_reason) {
          finishReason = choice.finish_reason;
          yield* flushCalls();
        }
      }
      if (json?.usage) usage = json.usage;
    }
    yield* flushCalls();
    if (!sawDone && !finishReason && !usage) {
      throw new BackendError(`${this.label} ended the stream before "${model.id}" finished answering.`, this.provider, 'server');
    }
    if (!usage) return undefined;
    const check = new UsageCheck(secrets);
    const u = typeof usage === 'object' ? usage : {};
    const { tokens, source, warnings } = settleTokens(this.label, {
      input: check.count('prompt_tokens', u.prompt_tokens, true),
      cachedInput: check.count('prompt_tokens_details.cached_tokens', u.prompt_tokens_details?.cached_tokens),
      output: check.count('completion_tokens', u.completion_tokens, true),
      reasoning: check.count('completion_tokens_details.reasoning_tokens', u.completion_tokens_details?.reasoning_tokens),
    }, check, tally.estimatedUsage(ctx.request).tokens);
    return {
      tokens,
      source,
      ...(warnings ? { warnings } : {}),
      durationMs: tally.elapsedMs(),
      ...(tally.ttftMs !== undefined ? { ttftMs: tally.ttftMs } : {}),
      ...(finishReason ? { doneReason: finishReason } : {}),
    };
  }
}

export function parseArguments(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  try {
    const v = JSON.parse(args);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { value: v };
  } catch {
    return { _unparsedArguments: args };
  }
}

/** ChatRequest messages -> OpenAI chat messages (tool results become `tool` messages with `tool_call_id`). */
export function toOpenAIMessages(messages: ChatMessage[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const m of messages) {
    const parts = partsOf(m);
    const text = parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
    // Tool results first: they must follow the assistant message that made the calls.
    for (const p of parts) {
      if (p.type === 'toolResult') out.push({ role: 'tool', tool_call_id: p.callId, content: p.isError ? `Error: ${p.content}` : p.content });
    }
    if (m.role === 'tool') {
      if (text) out.push({ role: 'user', content: text });
      continue;
    }
    if (m.role === 'assistant') {
      const calls = parts.flatMap((p) => (p.type === 'toolCall'
        ? [{ id: p.callId, type: 'function', function: { name: p.name, arguments: JSON.stringify(p.input) } }] : []));
      if (!text && calls.length === 0) continue;
      out.push({ role: 'assistant', content: text || null, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
      continue;
    }
    const images = parts.flatMap((p) => (p.type === 'image' && p.dataBase64 ? [p] : []));
    if (images.length > 0 && m.role === 'user') {
      out.push({
        role: 'user',
        content: [
          ...(text ? [{ type: 'text', text }] : []),
          ...images.map((p) => ({ type: 'image_url', image_url: { url: `data:${p.mimeType};base64,${p.type === 'image' ? p.dataBase64 : ''}` } })),
        ],
      });
      continue;
    }
    if (!text) continue;
    out.push({ role: m.role, content: text });
  }
  return out;
}
