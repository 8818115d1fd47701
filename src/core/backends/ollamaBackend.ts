// The Ollama backend: the real `ollama` npm client against a local (or remote) Ollama server.
//
// STREAM CONTRACT (the OpenAI and Anthropic backends follow the same one):
//  - Success: `text` and `toolCall` parts as they arrive, then exactly one `usage` part, last.
//  - Cancelled (the AbortSignal fires before or during the stream): the HTTP request is aborted at once
//    (the caller's signal is wired into the client's fetch, and the client's iterator is `abort()`ed, so
//    the server sees the connection close and stops generating). The generator then yields ONE `usage`
//    part with `source: 'estimated'` — input = the door's `contextTokens` or ceil(chars / 4) of the
//    request if the request had left this process (else 0); output = ceil(chars of text and tool calls
//    seen / 4); durationMs up to the abort; ttftMs if a token had arrived — and then throws
//    `BackendError` with kind `'cancelled'`. The pipeline records the request as cancelled with that usage.
//  - Failure after the server accepted the request (HTTP 200, then an error chunk or a dropped
//    connection): the same estimated `usage` part, then a `BackendError` (kind `server`).
//  - Failure before that (server unreachable, error status, unknown model): a `BackendError`, no usage part.
//  - A consumer that stops iterating early (`break`) also aborts the HTTP request; nothing more is yielded.
//
// Usage from Ollama's final chunk (`source: 'reported'`): input = prompt_eval_count, output = eval_count
// (which includes thinking; `reasoning` is the estimated share of `thinking` text), nanosecond durations into
// `usage.ollama`, durationMs and ttftMs measured here. Note: Ollama counts only the prompt tokens it
// evaluated, so a prompt prefix served from its KV cache is not in prompt_eval_count.
//
// Every request names its context window (`options.num_ctx`, ollamaContextWindow.ts): prompt + expected
// output, in steps, kept per conversation, capped by the model's context_length and the memory. A prompt
// that fits no window here is refused before sending (BackendError `badRequest`, no usage part): Ollama
// would otherwise cut its start silently. `usage.ollama` carries the window and the prompt tokens sent;
// when prompt_eval_count falls short of them beyond what the KV cache explains, `onWarning` hears it
// (ollamaPromptCheck.ts). A model's limits come from `discoverModels`; before it, from the spec.
import { randomUUID } from 'crypto';
import * as os from 'os';
import { Ollama } from 'ollama';
import type { AbortableAsyncIterator, ChatResponse, GenerateResponse, Message, Tool } from 'ollama';
import {
  Backend, BackendError, BackendUsage, ChatMessage, ChatRequest, ModelSpec, StreamPart,
} from '../types';
import {
  StreamTally, anySignal, cancelledError, estimateInputTokens, isConnectionError, partsOf, shortMessage, textOf,
  toolNamesById, usagePart,
} from './common';
import type { OllamaShowInfo } from '../catalog/ollamaModels';
import { turnInfo } from '../conversation';
import { guardedFetch, NetworkLimits } from './guardedFetch';
import { ContextWindowChooser, OllamaWindowLimits, WindowCap, windowCap, windowLimitsFromShow } from './ollamaContextWindow';
import { PromptEvalCheck } from './ollamaPromptCheck';
import { settleTokens, UsageCheck } from './usageCheck';
import { nodeFetch } from './nodeFetch';

/** Ollama's model details (from /api/tags and /api/show). */
export interface OllamaModelDetails {
  parent_model?: string;
  format?: string;
  family?: string;
  families?: string[] | null;
  parameter_size?: string;
  quantization_level?: string;
}

/** What /api/show says of a model (the catalog's type; `discoverModels` passes the server's JSON through). */
export type { OllamaShowInfo };

/** One model Ollama has, with what /api/show said of it (undefined when that failed). */
export interface DiscoveredOllamaModel {
  tag: string;
  sizeBytes: number;
  digest: string;
  modifiedAt: string;
  details: OllamaModelDetails;
  /** From /api/tags: the model runs remotely. */
  remote?: { host: string; model: string };
  show: OllamaShowInfo | undefined;
}

/** A model loaded in memory (/api/ps). */
export interface RunningOllamaModel {
  tag: string;
  sizeBytes: number;
  sizeVramBytes: number;
  expiresAt: string;
}

export interface OllamaBackendOptions {
  /** e.g. `http://127.0.0.1:11434`. */
  host: string;
  fetch?: typeof fetch;
  /** Ollama's `keep_alive` for generation requests; the server's default when absent. */
  keepAlive?: string | number;
  /** Parallel /api/show requests in `discoverModels`. Default 4. */
  showConcurrency?: number;
  /** Deadlines and caps of every request (guardedFetch.ts); defaults where absent. */
  limits?: Partial<NetworkLimits>;
  /** Counts a request's prompt tokens (the door's tokenizer); default: its `contextTokens`, else chars / 4. */
  countPromptTokens?(request: ChatRequest): number;
  /**
   * Memory Ollama's machine has for weights and KV cache (bytes); caps the window. `auto` (default): this
   * machine's memory when the host is loopback, else unknown (no memory cap).
   */
  memoryBytes?: number | 'auto';
  /** Hears when Ollama evaluated fewer prompt tokens than were sent, beyond its cache (a cut prompt). */
  onWarning?(message: string): void;
}

export class OllamaBackend implements Backend {
  readonly provider = 'ollama' as const;
  readonly host: string;
  private readonly fetchImpl: typeof fetch;
  private readonly keepAlive: string | number | undefined;
  private readonly showConcurrency: number;
  private readonly opts: OllamaBackendOptions;
  private readonly memoryBytes: number | undefined;
  /** Per tag: what limits its window (from discovery, or one /api/show on first use). */
  private readonly limits = new Map<string, OllamaWindowLimits>();
  private readonly windows = new ContextWindowChooser();
  private readonly promptCheck = new PromptEvalCheck();

  constructor(opts: OllamaBackendOptions) {
    this.host = opts.host.replace(/\/+$/, '');
    const base = opts.fetch ?? nodeFetch;
    // Every request of the client (generation, tags, show, ps) goes through the guard.
    this.fetchImpl = guardedFetch(base, { provider: 'ollama', label: 'Ollama', endpointSetting: 'rightsize.ollama.host', limits: opts.limits });
    this.keepAlive = opts.keepAlive;
    this.showConcurrency = Math.max(1, opts.showConcurrency ?? 4);
    this.opts = opts;
    const memory = opts.memoryBytes ?? 'auto';
    this.memoryBytes = memory === 'auto' ? (isLoopbackHost(this.host) ? os.totalmem() : undefined) : memory > 0 ? memory : undefined;
  }

  /** The largest window a discovered model can use here (undefined before discovery). */
  contextCap(tag: string): WindowCap | undefined {
    const limits = this.limits.get(tag);
    return limits ? windowCap(limits, this.memoryBytes) : undefined;
  }

  /** A model's limits: from discovery (/api/show, /api/tags), else its spec's context window. */
  private limitsOf(model: ModelSpec): OllamaWindowLimits {
    return this.limits.get(model.id) ?? { contextLengthTokens: model.contextTokens };
  }

  /** A client whose every request also stops when `signal` fires. */
  private client(signal?: AbortSignal): Ollama {
    const base = this.fetchImpl;
    const wrapped: typeof fetch = (input, init) => base(input, { ...init, signal: anySignal(init?.signal, signal) });
    return new Ollama({ host: this.host, fetch: wrapped });
  }

  async *stream(model: ModelSpec, request: ChatRequest, signal: AbortSignal): AsyncGenerator<StreamPart> {
    const tally = new StreamTally();
    if (signal.aborted) {
      yield usagePart(tally.estimatedUsage(request));
      throw cancelledError('ollama', `Ollama model "${model.id}"`);
    }
    const client = this.client(signal);
    let iterator: AbortableAsyncIterator<ChatResponse | GenerateResponse> | undefined;
    const onAbort = (): void => { iterator?.abort(); };
    signal.addEventListener('abort', onAbort, { once: true });
    let accepted = false;
    let finished = false;
    let window: { numCtx: number; sentTokens: number; reusableTokens: number } | undefined;
    try {
      const options: Record<string, unknown> = {};
      if (request.temperature !== undefined) options.temperature = request.temperature;
      if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens;
      const keep = this.keepAlive !== undefined ? { keep_alive: this.keepAlive } : {};
      const sentTokens = request.contextTokens ?? this.opts.countPromptTokens?.(request) ?? estimateInputTokens(request);
      const cap = windowCap(this.limitsOf(model), this.memoryBytes);
      const choice = this.windows.choose({
        conversationId: request.conversationId ?? turnInfo(request).conversationId,
        modelId: model.id, promptTokens: sentTokens, maxOutputTokens: request.maxOutputTokens, cap,
      });
      if (!choice.ok) throw new BackendError(choice.message, 'ollama', 'badRequest');
      options.num_ctx = choice.numCtx;
      if (choice.numPredict !== undefined) options.num_predict = choice.numPredict;
      tally.sent = true;
      if (request.suffix !== undefined) {
        const system = request.messages.filter((m) => m.role === 'system').map(textOf).join('\n\n');
        const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
        const prompt = lastUser ? textOf(lastUser) : '';
        window = { numCtx: choice.numCtx, sentTokens, reusableTokens: this.promptCheck.reusableTokens(model.id, `${system}\u0000${prompt}\u0000${request.suffix}`, sentTokens) };
        iterator = await client.generate({
          model: model.id,
          prompt,
          suffix: request.suffix,
          ...(system ? { system } : {}),
          stream: true,
          options,
          ...keep,
        });
      } else {
        const messages = toOllamaMessages(request.messages);
        const tools = request.tools && request.tools.length > 0 ? toOllamaTools(request) : undefined;
        window = { numCtx: choice.numCtx, sentTokens, reusableTokens: this.promptCheck.reusableTokens(model.id, JSON.stringify(tools ?? []) + JSON.stringify(messages), sentTokens) };
        iterator = await client.chat({
          model: model.id,
          messages,
          ...(tools ? { tools } : {}),
          stream: true,
          options,
          ...keep,
        });
      }
      accepted = true;
      if (signal.aborted) iterator.abort();

      let final: ChatResponse | GenerateResponse | undefined;
      let reasoningChars = 0;
      for await (const chunk of iterator) {
        const message = (chunk as ChatResponse).message as Message | undefined;
        const text = message ? message.content : (chunk as GenerateResponse).response;
        const thinking = message ? message.thinking : (chunk as GenerateResponse).thinking;
        if (thinking) {
          tally.seeReasoning(thinking.length);
          reasoningChars += thinking.length;
        }
        if (text) {
          tally.seeOutput(text.length);
          yield { type: 'text', text };
        }
        for (const call of message?.tool_calls ?? []) {
          const withId = call as { id?: string; function: { name: string; arguments: Record<string, unknown> } };
          const input = normaliseArguments(withId.function.arguments);
          const part: StreamPart = {
            type: 'toolCall',
            callId: withId.id || `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
            name: withId.function.name,
            input,
          };
          tally.seeToolCall({ name: part.name, input });
          yield part;
        }
        if (chunk.done) final = chunk;
      }
      if (!final) throw new Error('the stream ended without a final chunk');
      finished = true;
      const usage = reportedUsage(final, tally, reasoningChars, request);
      if (window && usage.ollama) {
        usage.ollama.numCtx = window.numCtx;
        usage.ollama.sentTokens = window.sentTokens;
        const finding = PromptEvalCheck.judge({ modelId: model.id, ...window, evaluatedTokens: usage.tokens.input });
        if (finding.warning) {
          usage.ollama.warning = finding.warning;
          this.opts.onWarning?.(finding.warning);
        }
      }
      yield usagePart(usage);
    } catch (e) {
      if (e instanceof BackendError && !accepted && !signal.aborted) throw e;
      if (signal.aborted) {
        yield usagePart(tally.estimatedUsage(request, 'cancelled'));
        throw cancelledError('ollama', `Ollama model "${model.id}"`);
      }
      const err = this.mapError(e, model, accepted);
      if (accepted) yield usagePart(tally.estimatedUsage(request, 'error'));
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!finished) iterator?.abort();
    }
  }

  /** The server's version (`/api/version`). */
  async version(signal?: AbortSignal): Promise<string> {
    try {
      return (await this.client(signal).version()).version;
    } catch (e) {
      throw this.mapError(e, undefined, false);
    }
  }

  /** Models loaded in memory (`/api/ps`). */
  async running(signal?: AbortSignal): Promise<RunningOllamaModel[]> {
    try {
      const res = await this.client(signal).ps();
      return (res.models ?? []).map((m) => ({
        tag: m.name ?? m.model,
        sizeBytes: Number(m.size ?? 0),
        sizeVramBytes: Number(m.size_vram ?? 0),
        expiresAt: String(m.expires_at ?? ''),
      }));
    } catch (e) {
      throw this.mapError(e, undefined, false);
    }
  }

  /** The tags Ollama has (`/api/tags` only): a cheap check of whether the model list changed. */
  async listTags(signal?: AbortSignal): Promise<string[]> {
    try {
      const res = await this.client(signal).list();
      return (res.models ?? []).map((m) => String(m.name ?? m.model));
    } catch (e) {
      throw this.mapError(e, undefined, false);
    }
  }

  /**
   * Every model Ollama has (`/api/tags`), each with its `/api/show` (fetched in parallel, at most
   * `showConcurrency` at once; a failing show gives `show: undefined`).
   */
  async discoverModels(signal?: AbortSignal): Promise<DiscoveredOllamaModel[]> {
    const client = this.client(signal);
    let tags: Array<Record<string, any>>;
    try {
      tags = ((await client.list()).models ?? []) as unknown as Array<Record<string, any>>;
    } catch (e) {
      throw this.mapError(e, undefined, false);
    }
    const out: DiscoveredOllamaModel[] = tags.map((t) => ({
      tag: String(t.name ?? t.model),
      sizeBytes: Number(t.size ?? 0),
      digest: String(t.digest ?? ''),
      modifiedAt: String(t.modified_at ?? ''),
      details: (t.details ?? {}) as OllamaModelDetails,
      ...(typeof t.remote_host === 'string' && t.remote_host
        ? { remote: { host: t.remote_host, model: String(t.remote_model ?? '') } } : {}),
      show: undefined,
    }));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < out.length) {
        const m = out[next++];
        if (signal?.aborted) return;
        try {
          m.show = (await client.show({ model: m.tag })) as unknown as OllamaShowInfo;
        } catch {
          m.show = undefined;
        }
        this.limits.set(m.tag, windowLimitsFromShow(m.show, m.sizeBytes));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.showConcurrency, out.length) }, worker));
    return out;
  }

  private mapError(e: unknown, model: ModelSpec | undefined, accepted: boolean): BackendError {
    if (e instanceof BackendError) return e; // refused redirect, deadline, cap (guardedFetch)
    const id = model?.id ?? '';
    const status = (e as { status_code?: unknown } | undefined)?.status_code;
    const serverMessage = shortMessage(String((e as { error?: unknown; message?: unknown } | undefined)?.error
      ?? (e as Error | undefined)?.message ?? e));
    if (!accepted && typeof status !== 'number' && isConnectionError(e)) {
      return new BackendError(
        `Ollama is not running at ${this.host}. Start it with \`ollama serve\` (or open the Ollama app), or set rightsize.ollama.host.`,
        'ollama', 'unreachable');
    }
    if (typeof status === 'number') {
      if (status === 404 && id) {
        return new BackendError(`Ollama has no model "${id}". Pull it with \`ollama pull ${id}\`.`, 'ollama', 'notFound');
      }
      if (status === 401 || status === 403) {
        return new BackendError(
          `Ollama could not run "${id}" (${status}: ${serverMessage}). Cloud models need you signed in to ollama.com: run \`ollama signin\`.`,
          'ollama', 'auth');
      }
      if (status === 429) {
        return new BackendError(`Ollama rate-limited the request for "${id}" (429); retry in a moment.`, 'ollama', 'rateLimit');
      }
      if (status >= 400 && status < 500) {
        return new BackendError(`Ollama refused the request for "${id}" (${status}): ${serverMessage}.`, 'ollama', 'badRequest');
      }
      return new BackendError(`Ollama failed while running "${id}" (${status}): ${serverMessage}.`, 'ollama', 'server');
    }
    if (accepted) {
      return new BackendError(`Ollama stopped while "${id}" was answering: ${serverMessage}.`, 'ollama', 'server');
    }
    return new BackendError(`Ollama at ${this.host} failed: ${serverMessage}.`, 'ollama', 'server');
  }
}

/** Ollama sometimes sends tool arguments as a JSON string; the contract wants an object. */
function normaliseArguments(args: unknown): Record<string, unknown> {
  if (args && typeof args === 'object' && !Array.isArray(args)) return args as Record<string, unknown>;
  if (typeof args === 'string') {
    try {
      const v = JSON.parse(args);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch { /* fall through */ }
    return { value: args };
  }
  return {};
}

/** The final chunk's counts and timings, checked (usageCheck.ts): unusable timings are dropped (energy then
 * comes from the measured duration), unusable counts estimated. */
function reportedUsage(final: ChatResponse | GenerateResponse, tally: StreamTally, reasoningChars: number, request: ChatRequest): BackendUsage {
  const raw = final as unknown as Record<string, unknown>;
  const check = new UsageCheck();
  const output = check.count('eval_count', raw.eval_count, true);
  const estimated = tally.estimatedUsage(request).tokens;
  const { tokens, source, warnings } = settleTokens('Ollama', {
    input: check.count('prompt_eval_count', raw.prompt_eval_count) ?? (raw.prompt_eval_count == null ? 0 : undefined),
    cachedInput: 0,
    output,
    reasoning: Math.min(output ?? estimated.output, Math.ceil(reasoningChars / 4)),
  }, check, estimated);
  const timingCheck = new UsageCheck();
  const ns = {
    promptEvalNs: timingCheck.nanoseconds('prompt_eval_duration', raw.prompt_eval_duration),
    evalNs: timingCheck.nanoseconds('eval_duration', raw.eval_duration),
    loadNs: timingCheck.nanoseconds('load_duration', raw.load_duration),
    totalNs: timingCheck.nanoseconds('total_duration', raw.total_duration),
  };
  const timingOk = timingCheck.problems.length === 0;
  const allWarnings = [
    ...(warnings ?? []),
    ...(timingOk ? [] : [`Ollama reported unusable timings (${timingCheck.problems.join('; ')}); Rightsize used the measured duration instead.`]),
  ];
  return {
    tokens,
    source,
    durationMs: tally.elapsedMs(),
    ...(tally.ttftMs !== undefined ? { ttftMs: tally.ttftMs } : {}),
    ...(timingOk ? { ollama: ns as { promptEvalNs: number; evalNs: number; loadNs: number; totalNs: number } } : {}),
    ...(final.done_reason ? { doneReason: final.done_reason } : {}),
    ...(allWarnings.length > 0 ? { warnings: allWarnings } : {}),
  };
}

/** ChatRequest messages -> Ollama messages (tool results become `tool` messages with `tool_name`). */
export function toOllamaMessages(messages: ChatMessage[]): Message[] {
  const names = toolNamesById(messages);
  const out: Message[] = [];
  for (const m of messages) {
    const parts = partsOf(m);
    const text = parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
    for (const p of parts) {
      if (p.type !== 'toolResult') continue;
      const name = names.get(p.callId);
      out.push({ role: 'tool', content: p.isError ? `Error: ${p.content}` : p.content, ...(name ? { tool_name: name } : {}) });
    }
    if (m.role === 'tool') {
      if (text) out.push({ role: 'tool', content: text });
      continue;
    }
    const images = parts.flatMap((p) => (p.type === 'image' && p.dataBase64 ? [p.dataBase64] : []));
    const calls = parts.flatMap((p) => (p.type === 'toolCall' ? [{ function: { name: p.name, arguments: p.input } }] : []));
    if (!text && images.length === 0 && calls.length === 0) continue;
    out.push({
      role: m.role,
      content: text,
      ...(images.length > 0 ? { images } : {}),
      ...(calls.length > 0 && m.role === 'assistant' ? { tool_calls: calls } : {}),
    });
  }
  return out;
}

export function toOllamaTools(request: ChatRequest): Tool[] {
  return (request.tools ?? []).map((t) => ({
    type: 'function',
    function: {
      name: t.name,
      description: t.description,
      parameters: (t.inputSchema ?? { type: 'object', properties: {} }) as Tool['function']['parameters'],
    },
  }));
}

function isLoopbackHost(host: string): boolean {
  try {
    const h = new URL(host).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\./.test(h);
  } catch {
    return false;
  }
}
