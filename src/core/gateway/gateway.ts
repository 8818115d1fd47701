// The gateway: one loopback HTTP server that speaks Anthropic Messages, OpenAI Chat Completions and
// Responses, and Ollama's API, so terminal and IDE agents (Claude Code, Codex CLI, Cline, Continue,
// Aider) route and meter through the same pipeline as the chat door — same router, budgets, backends,
// meter and ledger. Served by the extension (src/vscode/gateway.ts) and by `rightsize serve`.
//
// Per request: gatekeeping (src/core/loopback/guard.ts: loopback bind, token, Host, Origin, body cap) ->
// the wire format parses the body -> the target: `rightsize-auto` (or an alias) routes (the pipeline keeps
// a turn's model for its tool-loop continuations), any other name passes through to that model -> Pipeline.run
// with the client's own credential for its provider's official endpoint, else Rightsize's keys -> the
// answer in the client's format, streamed or whole. A budget block is the client's own error shape. The
// client hanging up aborts the backend request; a deadline does the same.
import * as http from 'http';
import { AnthropicBackend } from '../backends/anthropicBackend';
import { OpenAICompatibleBackend } from '../backends/openaiBackend';
import { Catalog } from '../catalog/catalog';
import { ConversationMemory } from '../conversation';
import { closeServer, listenLoopback, loopbackRefusal, presentedCredentials, readCappedBody, TokenHeader } from '../loopback/guard';
import { Pipeline, PipelineDeps, Target } from '../pipeline';
import { Backend, ChatRequest, ModelSpec, TokenCounts, UsageRecord, WorkspaceRef } from '../types';
import { clientNameOf } from './clientName';
import { ClientCredential, clientCredentialOf, OFFICIAL_ENDPOINTS } from './credentials';
import { GatewayError, gatewayErrorOf } from './errors';
import { anthropicMessages, parseAnthropicMessages } from './formats/anthropic';
import { modelsListing } from './listing';
import { derivedCloudSpec } from './models';
import { AnswerUsage, ParsedCall, StopReason, StreamWriter, WireFormat } from './wire';

export const AUTO_MODEL = 'rightsize-auto';
export const DEFAULT_AUTO_ALIASES: readonly string[] = [AUTO_MODEL, 'rightsize', 'rightsize/auto'];
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_DEADLINE_MS = 10 * 60_000;

export interface GatewayDeps {
  /** The pipeline's dependencies, shared with the other doors (same gate, ledger, backends, settings). */
  pipeline: PipelineDeps;
  workspace(): WorkspaceRef;
  session(): string;
  /** Configured cloud model ids: with a client's own key, its provider's ones become candidates too. */
  cloudModels(): string[];
  catalog?: Catalog;
  log?(line: string): void;
  /** fetch for backends that use a client's own credential (tests stub the official endpoints with it). */
  fetch?: typeof fetch;
  /** Called after each record the gateway's requests produced (the extension's meter listens). */
  onRecord?(record: UsageRecord): void;
  /** Which model each conversation is on (the extension passes its pipeline's, shared with the chat door). */
  conversationModels?: ConversationMemory;
}

export interface GatewayOptions {
  /** 0: any free port. */
  port: number;
  /** A loopback address only: 127.0.0.1 (default) or ::1. */
  host?: string;
  token: string;
  maxBodyBytes?: number;
  /** Longest a request may take, end to end. */
  deadlineMs?: number;
  /** Model names that mean “route it” (default: rightsize-auto, rightsize, rightsize/auto). */
  autoAliases?: readonly string[];
}

export interface Gateway {
  /** e.g. http://127.0.0.1:4141 */
  readonly url: string;
  readonly port: number;
  /** Requests answered so far, by wire format. */
  readonly served: Record<string, number>;
  close(): Promise<void>;
}

let requestCounter = 0;
const nextId = (): string => `${Date.now().toString(36)}${(++requestCounter).toString(36).padStart(4, '0')}${Math.random().toString(36).slice(2, 6)}`;

/** Header values must be Latin-1: reasons carry arrows and dashes. */
const headerSafe = (s: string): string => s.replace(/[^\x20-\x7e]/g, (c) => (c === '—' || c === '–' ? '-' : c === '→' ? '->' : '')).slice(0, 500);

interface Route {
  format: WireFormat;
  handler: 'generate' | 'countTokens' | 'models' | 'ollamaTags' | 'ollamaShow' | 'ollamaVersion';
}

export class GatewayServer implements Gateway {
  readonly served: Record<string, number> = {};
  private server?: http.Server;
  private boundPort = 0;
  private readonly memory: ConversationMemory;
  /** The pipeline of requests without a client credential: one, so it remembers conversations. */
  private readonly shared: Pipeline;
  private readonly aliases: Set<string>;
  private readonly maxBodyBytes: number;
  private readonly deadlineMs: number;
  private readonly formats: Readonly<Record<string, WireFormat>>;

  constructor(private readonly deps: GatewayDeps, private readonly options: GatewayOptions, formats: Readonly<Record<string, WireFormat>>) {
    this.aliases = new Set((options.autoAliases ?? DEFAULT_AUTO_ALIASES).map((a) => a.toLowerCase()));
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.formats = formats;
    this.memory = deps.conversationModels ?? new ConversationMemory();
    this.shared = new Pipeline(deps.pipeline, this.memory);
  }

  get port(): number { return this.boundPort; }
  get url(): string { return `http://${this.options.host === '::1' ? '[::1]' : '127.0.0.1'}:${this.boundPort}`; }

  async listen(): Promise<this> {
    const server = http.createServer((req, res) => { void this.handle(req, res); });
    server.headersTimeout = 15_000;
    server.requestTimeout = 120_000; // receiving the request; the answer has its own deadline
    server.keepAliveTimeout = 30_000;
    this.server = server;
    this.boundPort = await listenLoopback(server, this.options.port, this.options.host ?? '127.0.0.1',
      (p) => `port ${p} is in use on ${this.options.host ?? '127.0.0.1'} (another Rightsize gateway may be running; choose another port)`);
    return this;
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    return s ? closeServer(s) : Promise.resolve();
  }

  private route(method: string, path: string): Route | undefined {
    const p = path.replace(/\/+$/, '') || '/';
    const f = this.formats;
    if (method === 'POST') {
      if (p === '/v1/messages' || p === '/messages') return { format: anthropicMessages, handler: 'generate' };
      if (p === '/v1/messages/count_tokens' || p === '/messages/count_tokens') return { format: anthropicMessages, handler: 'countTokens' };
      if ((p === '/v1/chat/completions' || p === '/chat/completions') && f['openai-chat']) return { format: f['openai-chat'], handler: 'generate' };
      if ((p === '/v1/responses' || p === '/responses') && f['openai-responses']) return { format: f['openai-responses'], handler: 'generate' };
      if (p === '/api/chat' && f['ollama-chat']) return { format: f['ollama-chat'], handler: 'generate' };
      if (p === '/api/generate' && f['ollama-generate']) return { format: f['ollama-generate'], handler: 'generate' };
      if (p === '/api/show' && f['ollama-chat']) return { format: f['ollama-chat'], handler: 'ollamaShow' };
    }
    if (method === 'GET') {
      if (p === '/v1/models' || p === '/models') return { format: f['openai-chat'] ?? anthropicMessages, handler: 'models' };
      if (p === '/api/tags' && f['ollama-chat']) return { format: f['ollama-chat'], handler: 'ollamaTags' };
      if ((p === '/api/version' || p === '/') && f['ollama-chat']) return { format: f['ollama-chat'], handler: 'ollamaVersion' };
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const route = this.route(req.method ?? 'GET', path);
    // Anthropic's clients send anthropic-version: answer them (models, errors) in Anthropic's shape.
    const anthropicClient = typeof req.headers['anthropic-version'] === 'string';
    const format = anthropicClient && route?.handler === 'models' ? anthropicMessages : route?.format ?? anthropicMessages;
    const fail = (e: GatewayError): void => {
      const { status, body } = format.error(e);
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
      if (e.retryAfterSeconds !== undefined) headers['retry-after'] = String(e.retryAfterSeconds);
      if (!res.headersSent) res.writeHead(status, headers);
      res.end(JSON.stringify(body));
    };
    const guard = loopbackRefusal(req, this.boundPort, this.options.token);
    if ('refusal' in guard) {
      const r = guard.refusal;
      req.resume();
      fail(new GatewayError(`Rightsize gateway: ${r.message}.${r.kind === 'token' ? ' Send the gateway token as "Authorization: Bearer <token>" or "x-api-key: <token>".' : ''}`, r.status === 401 ? 'auth' : 'forbidden'));
      return;
    }
    if (!route) {
      req.resume();
      fail(new GatewayError(`Rightsize gateway: no ${req.method} ${path} here. It serves POST /v1/messages, /v1/chat/completions, /v1/responses, /api/chat, /api/generate and GET /v1/models, /api/tags.`, 'notFound'));
      return;
    }
    try {
      switch (route.handler) {
        case 'models': return this.json(res, modelsListing(anthropicClient ? 'anthropic' : 'openai', await this.deps.pipeline.candidates(), [...this.aliases][0]));
        case 'ollamaVersion': return this.json(res, { version: '0.12.6' });
        case 'ollamaTags': return this.json(res, modelsListing('ollama', await this.deps.pipeline.candidates(), [...this.aliases][0]));
        default: break;
      }
      const body = await this.readJson(req);
      if (route.handler === 'ollamaShow') return this.json(res, this.showModel(body, await this.deps.pipeline.candidates()));
      if (route.handler === 'countTokens') {
        const call = parseAnthropicMessages({ max_tokens: 1, ...(body as object) });
        return this.json(res, { input_tokens: this.deps.pipeline.countInputTokens(this.chatRequest(call, req)) });
      }
      await this.generate(route.format, body, req, res, guard.tokenIn);
    } catch (e) {
      const err = gatewayErrorOf(e);
      this.deps.log?.(`gateway: ${req.method} ${path}: ${err.message}`);
      if (res.headersSent) res.end();
      else fail(err);
    }
  }

  private json(res: http.ServerResponse, value: unknown, status = 200, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }

  private async readJson(req: http.IncomingMessage): Promise<unknown> {
    const raw = await readCappedBody(req, this.maxBodyBytes);
    if (!raw) throw new GatewayError(`Rightsize gateway: the request body is larger than ${Math.round(this.maxBodyBytes / 1048576)} MiB.`, 'tooLarge');
    try { return JSON.parse(raw.toString('utf8')); } catch { throw new GatewayError('Rightsize gateway: the request body is not valid JSON.', 'badRequest'); }
  }

  private chatRequest(call: ParsedCall, req: http.IncomingMessage): ChatRequest {
    const r: ChatRequest = {
      id: `gw-${nextId()}`,
      messages: call.messages,
      surface: 'gateway',
      workspace: this.deps.workspace(),
      session: this.deps.session(),
      client: clientNameOf(req.headers['user-agent']),
    };
    if (call.tools && call.tools.length) r.tools = call.tools;
    if (call.maxOutputTokens !== undefined) r.maxOutputTokens = call.maxOutputTokens;
    if (call.temperature !== undefined) r.temperature = call.temperature;
    if (call.suffix !== undefined) r.suffix = call.suffix;
    return r;
  }

  private showModel(body: unknown, candidates: ModelSpec[]): unknown {
    const name = (body as { model?: unknown; name?: unknown } | undefined)?.model ?? (body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string') throw new GatewayError('Rightsize gateway: /api/show needs "model".', 'badRequest');
    const auto = this.aliases.has(name.toLowerCase());
    const m = auto ? undefined : candidates.find((c) => c.id === name);
    if (!auto && !m) throw new GatewayError(`Rightsize gateway: model '${name}' not found`, 'notFound');
    const context = auto ? Math.max(8192, ...candidates.map((c) => c.contextTokens)) : m!.contextTokens;
    const tools = auto ? candidates.some((c) => c.tools) : m!.tools;
    return {
      modelfile: '', parameters: '', template: '',
      details: { parent_model: '', format: 'gguf', family: auto ? 'rightsize' : m!.family ?? m!.id, families: null, parameter_size: auto ? '' : `${m!.params.totalB.max}B`, quantization_level: '' },
      model_info: { 'general.architecture': 'rightsize', 'rightsize.context_length': context },
      capabilities: ['completion', ...(tools ? ['tools'] : [])],
    };
  }

  /** Candidates and backends of one request: the shared ones, plus the client's own credential's provider. */
  private requestPipeline(credential: ClientCredential | undefined, requested: string | undefined): { pipeline: Pipeline; candidates: () => Promise<ModelSpec[]> } {
    const base = this.deps.pipeline;
    if (!credential) return { pipeline: this.shared, candidates: () => base.candidates() };
    const catalog = this.deps.catalog ?? Catalog.builtIn();
    const ids = new Set(this.deps.cloudModels());
    if (requested) ids.add(requested);
    const own: ModelSpec[] = [];
    for (const id of ids) {
      const spec = catalog.get(id, credential.provider) ?? (id === requested ? derivedCloudSpec(id, credential.provider) : undefined);
      if (spec && spec.location === 'cloud') own.push(spec);
    }
    let cached: Promise<ModelSpec[]> | undefined;
    const candidates = (): Promise<ModelSpec[]> => (cached ??= base.candidates().then((shared) => {
      const rest = shared.filter((m) => m.provider !== credential.provider && !(credential.provider === 'openai' && m.provider === 'openai-compatible'));
      return [...rest, ...own];
    }));
    const fetchImpl = this.deps.fetch;
    const backend: Backend = credential.provider === 'anthropic'
      ? new AnthropicBackend({
        baseUrl: OFFICIAL_ENDPOINTS.anthropic, apiKey: async () => credential.key, auth: credential.auth, fetch: fetchImpl,
        ...(credential.auth === 'bearer' ? { headers: { 'anthropic-beta': 'oauth-2025-04-20' } } : {}),
      })
      : new OpenAICompatibleBackend({ baseUrl: OFFICIAL_ENDPOINTS.openai, apiKey: async () => credential.key, provider: 'openai', fetch: fetchImpl });
    const pipeline = new Pipeline({
      ...base,
      candidates,
      backendFor: (m) => (m.provider === credential.provider ? backend : base.backendFor(m)),
    }, this.memory);
    return { pipeline, candidates };
  }

  /** What to ask the pipeline for: route (it keeps a turn's model for the turn's continuations) or the named model. */
  private async target(call: ParsedCall, request: ChatRequest, candidates: () => Promise<ModelSpec[]>): Promise<Target> {
    if (this.aliases.has(call.model.toLowerCase())) return { kind: 'auto' };
    const list = await candidates();
    const named = list.find((m) => m.id === call.model) ?? list.find((m) => m.id.toLowerCase() === call.model.toLowerCase());
    if (!named) {
      throw new GatewayError(`Rightsize gateway: no model "${call.model}" is available (${list.length ? `available: ${AUTO_MODEL}, ${list.slice(0, 12).map((m) => m.id).join(', ')}${list.length > 12 ? ', …' : ''}` : 'start Ollama or add an API key'}).`, 'notFound');
    }
    return { kind: 'model', modelId: named.id, provider: named.provider, pinned: { mode: 'manual', reason: `${request.client ?? 'The client'} asked for ${named.id}` } };
  }

  private async generate(format: WireFormat, body: unknown, req: http.IncomingMessage, res: http.ServerResponse, tokenIn: TokenHeader): Promise<void> {
    const call = format.parse(body);
    const request = this.chatRequest(call, req);
    const credential = clientCredentialOf(format, presentedCredentials(req.headers), tokenIn);
    const auto = this.aliases.has(call.model.toLowerCase());
    const { pipeline, candidates } = this.requestPipeline(credential, auto ? undefined : call.model);
    const target = await this.target(call, request, candidates);

    const abort = new AbortController();
    let timedOut = false;
    const deadline = setTimeout(() => { timedOut = true; abort.abort(); }, this.deadlineMs);
    const onClose = (): void => { if (!res.writableFinished) abort.abort(); };
    res.on('close', onClose);
    const start = { id: request.id, model: call.model, created: Math.floor(Date.now() / 1000), inputTokens: 0 };
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    const notices: string[] = [];
    let writer: StreamWriter | undefined;
    const open = (): StreamWriter => {
      if (writer) return writer;
      if (notices.length) headers['x-rightsize-notice'] = headerSafe(notices.join(' '));
      res.writeHead(200, { ...headers, 'content-type': format.streamContentType, 'x-accel-buffering': 'no' });
      writer = format.stream((chunk) => { if (!res.destroyed) res.write(chunk); }, start, call);
      return writer;
    };
    const text: string[] = [];
    const toolCalls: Array<{ type: 'toolCall'; callId: string; name: string; input: Record<string, unknown> }> = [];
    try {
      for await (const ev of pipeline.run(request, target, abort.signal)) {
        switch (ev.type) {
          case 'decision':
            start.model = ev.model.id;
            start.inputTokens = ev.decision.estimate.tokens.input;
            headers['x-rightsize-model'] = ev.model.id;
            headers['x-rightsize-provider'] = ev.model.provider;
            headers['x-rightsize-reason'] = headerSafe(ev.decision.reason);
            break;
          case 'notice':
            notices.push(ev.message);
            break;
          case 'text':
            if (call.stream) open().text(ev.text);
            else text.push(ev.text);
            break;
          case 'toolCall':
            toolCalls.push(ev);
            if (call.stream) open().toolCall(ev);
            break;
          case 'blocked':
            this.deps.onRecord?.(ev.record);
            throw new GatewayError(ev.message, 'budget');
          case 'done':
            this.deps.onRecord?.(ev.record);
            if (abort.signal.aborted) throw new GatewayError('cancelled', 'timeout'); // recorded as cancelled; answered below
            this.finishAnswer(format, call, res, ev.doneReason, ev.record, { start, headers, notices, text, toolCalls, open });
            break;
        }
      }
    } catch (e) {
      const rec = (e as { record?: UsageRecord }).record;
      if (rec) this.deps.onRecord?.(rec);
      if (abort.signal.aborted && !timedOut) return; // the client went away: nothing to answer
      const err = timedOut ? new GatewayError(`Rightsize gateway: the request took longer than ${Math.round(this.deadlineMs / 1000)} s and was stopped.`, 'timeout') : gatewayErrorOf(e, credential !== undefined);
      this.deps.log?.(`gateway: ${request.id} (${request.client}) failed: ${err.message}`);
      if (writer) { writer.fail(err); res.end(); return; }
      throw err;
    } finally {
      clearTimeout(deadline);
      res.off('close', onClose);
    }
  }

  /** The end of an answer: the stream's last events, or the whole answer when the client did not stream. */
  private finishAnswer(
    format: WireFormat, call: ParsedCall, res: http.ServerResponse, doneReason: string | undefined, record: UsageRecord,
    a: { start: Parameters<WireFormat['stream']>[1]; headers: Record<string, string>; notices: string[]; text: string[]; toolCalls: Array<{ type: 'toolCall'; callId: string; name: string; input: Record<string, unknown> }>; open(): StreamWriter },
  ): void {
    const stop = stopReasonOf(doneReason, a.toolCalls.length > 0);
    const usage = answerUsage(record.tokens);
    const timing = { durationMs: record.durationMs, ...(record.ttftMs !== undefined ? { ttftMs: record.ttftMs } : {}) };
    if (call.stream) {
      a.open().end(stop, usage, timing);
      res.end();
    } else {
      if (a.notices.length) a.headers['x-rightsize-notice'] = headerSafe(a.notices.join(' '));
      this.json(res, format.complete({ ...a.start, text: a.text.join(''), toolCalls: a.toolCalls, stop, usage, ...timing }, call), 200, a.headers);
    }
    this.served[format.name] = (this.served[format.name] ?? 0) + 1;
  }
}

/** The stop reason in the gateway's vocabulary: tool use wins, then the backend's own length/stop. */
export function stopReasonOf(doneReason: string | undefined, sawToolCalls: boolean): StopReason {
  const r = (doneReason ?? '').toLowerCase();
  if (sawToolCalls || r === 'tool_use' || r === 'tool_calls') return 'toolUse';
  if (r === 'length' || r === 'max_tokens' || r === 'max_output_tokens') return 'length';
  return 'stop';
}

function answerUsage(t: TokenCounts): AnswerUsage {
  return { input: t.input, cachedInput: t.cachedInput, cacheWrite: t.cacheWrite ?? 0, output: t.output, reasoning: t.reasoning };
}
