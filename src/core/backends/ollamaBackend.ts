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
import type { AbortableAsyncIterator, ChatResponse, GenerateResponse, Message } from 'ollama';
import { Backend, BackendError, ChatRequest, ModelSpec, StreamPart } from '../types';
import { StreamTally, anySignal, cancelledError, estimateInputTokens, textOf, usagePart } from './common';
import type { OllamaShowInfo } from '../catalog/ollamaModels';
import { turnInfo } from '../conversation';
import { guardedFetch, NetworkLimits } from './guardedFetch';
import { ContextWindowChooser, OllamaWindowLimits, WindowCap, windowCap, windowLimitsFromShow } from './ollamaContextWindow';
import { DiscoveredOllamaModel, discoverOllamaModels, RunningOllamaModel } from './ollamaDiscovery';
import { ollamaError } from './ollamaErrors';
import { normaliseArguments, toOllamaMessages, toOllamaTools } from './ollamaMessages';
import { PromptEvalCheck } from './ollamaPromptCheck';
import { reportedUsage } from './ollamaUsage';
import { nodeFetch } from './nodeFetch';

// The backend's parts, in their own modules: discovery, error phrasing, message conversion, usage.
export type { DiscoveredOllamaModel, OllamaModelDetails, RunningOllamaModel } from './ollamaDiscovery';
export { toOllamaMessages, toOllamaTools } from './ollamaMessages';
/** What /api/show says of a model (the catalog's type; `discoverModels` passes the server's JSON through). */
export type { OllamaShowInfo };

/** The window a request was sent with, for the prompt-evaluation check. */
interface SentWindow { numCtx: number; sentTokens: number; reusableTokens: number }
type OllamaChunk = ChatResponse | GenerateResponse;

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
    let iterator: AbortableAsyncIterator<OllamaChunk> | undefined;
    const onAbort = (): void => { iterator?.abort(); };
    signal.addEventListener('abort', onAbort, { once: true });
    let accepted = false;
    let finished = false;
    try {
      const started = await this.send(client, model, request, tally);
      iterator = started.iterator;
      accepted = true;
      if (signal.aborted) iterator.abort();
      const { final, reasoningChars } = yield* partsOfChunks(iterator, tally);
      finished = true;
      yield usagePart(this.checkedUsage(reportedUsage(final, tally, reasoningChars, request), started.window, model));
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

  /** Chooses the context window and sends the request: /api/generate for fill-in-the-middle (a request with a
   *  suffix), /api/chat otherwise. Marks the tally sent once the window is chosen. */
  private async send(client: Ollama, model: ModelSpec, request: ChatRequest, tally: StreamTally): Promise<{ iterator: AbortableAsyncIterator<OllamaChunk>; window: SentWindow }> {
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
    const window = (promptKey: string): SentWindow => ({ numCtx: choice.numCtx, sentTokens, reusableTokens: this.promptCheck.reusableTokens(model.id, promptKey, sentTokens) });
    if (request.suffix !== undefined) {
      const system = request.messages.filter((m) => m.role === 'system').map(textOf).join('\n\n');
      const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
      const prompt = lastUser ? textOf(lastUser) : '';
      const sent = window(`${system}\u0000${prompt}\u0000${request.suffix}`);
      const iterator = await client.generate({
        model: model.id,
        prompt,
        suffix: request.suffix,
        ...(system ? { system } : {}),
        stream: true,
        options,
        ...keep,
      });
      return { iterator, window: sent };
    }
    const messages = toOllamaMessages(request.messages);
    const tools = request.tools && request.tools.length > 0 ? toOllamaTools(request) : undefined;
    const sent = window(JSON.stringify(tools ?? []) + JSON.stringify(messages));
    const iterator = await client.chat({
      model: model.id,
      messages,
      ...(tools ? { tools } : {}),
      stream: true,
      options,
      ...keep,
    });
    return { iterator, window: sent };
  }

  /** The usage with the window it was sent with, and the warning when Ollama evaluated fewer prompt tokens
   *  than were sent beyond what its cache explains (ollamaPromptCheck.ts). */
  private checkedUsage<U extends ReturnType<typeof reportedUsage>>(usage: U, window: SentWindow, model: ModelSpec): U {
    if (!usage.ollama) return usage;
    usage.ollama.numCtx = window.numCtx;
    usage.ollama.sentTokens = window.sentTokens;
    const finding = PromptEvalCheck.judge({ modelId: model.id, ...window, evaluatedTokens: usage.tokens.input });
    if (finding.warning) {
      usage.ollama.warning = finding.warning;
      this.opts.onWarning?.(finding.warning);
    }
    return usage;
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
    return discoverOllamaModels(this.client(signal), this.showConcurrency, signal, (e) => this.mapError(e, undefined, false),
      (m) => this.limits.set(m.tag, windowLimitsFromShow(m.show, m.sizeBytes)));
  }

  private mapError(e: unknown, model: ModelSpec | undefined, accepted: boolean): BackendError {
    return ollamaError(e, this.host, model?.id ?? '', accepted);
  }


}





function isLoopbackHost(host: string): boolean {
  try {
    const h = new URL(host).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\./.test(h);
  } catch {
    return false;
  }
}

/** The stream contract's text and tool-call parts of Ollama's chunks, as they arrive; returns the final
 *  chunk and the characters of thinking seen. */
async function* partsOfChunks(iterator: AsyncIterable<OllamaChunk>, tally: StreamTally): AsyncGenerator<StreamPart, { final: OllamaChunk; reasoningChars: number }> {
  let final: OllamaChunk | undefined;
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
  return { final, reasoningChars };
}
