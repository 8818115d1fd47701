// A fake Ollama server speaking Ollama's HTTP API (docs/api.md of ollama/ollama; checked against the
// server's routes: error strings, `remote_host`/`remote_model` of `-cloud` models, `tool_name` on tool
// messages, nanosecond durations).
//
// Endpoints: GET /api/version, GET /api/tags, POST /api/show, GET /api/ps, POST /api/chat, POST /api/generate.
// Generation streams NDJSON unless `stream:false`. Pace and reported durations follow the configured rates:
//   prompt_eval_duration = prompt_eval_count / promptTokensPerSecond,
//   eval_duration        = eval_count / tokensPerSecond,
//   load_duration        = loadMs the first time a model is used, ~0.5 ms after (it stays loaded, see /api/ps),
//   total_duration       = wall-clock time of the request (>= the sum of the above).
// Token counts follow the rule in common.ts (ceil(chars / 4) per text, +4 per chat message).
// The context window is Ollama's: `options.num_ctx`, else `defaultNumCtx` (4096, Ollama's default). A
// prompt longer than the window is cut like Ollama cuts it (the start is dropped): prompt_eval_count is
// the window, and the request's record says `truncated: { sentTokens, numCtx }`. Nothing else tells the
// client, as with the real server.
import {
  FakeServerBase, FaultFraming, RequestContext, approxTokens, echoOf, msFor, pace, capChunks, sendJson, serveFault, sleep, textChunks, write,
  MESSAGE_OVERHEAD_TOKENS, IMAGE_TOKENS,
} from './common';

export interface FakeOllamaModel {
  /** The tag, e.g. `qwen2.5-coder:7b`. */
  name: string;
  family: string;
  families?: string[];
  /** As Ollama prints it, e.g. `7.6B`. */
  parameterSize: string;
  /** e.g. `Q4_K_M`. */
  quantization: string;
  /** Size on disk in bytes (a few hundred bytes for `-cloud` models). */
  sizeBytes: number;
  /** `general.parameter_count`. */
  parameterCount: number;
  /** `<arch>.context_length`. */
  contextLength: number;
  /** `general.architecture`; defaults to `family`. */
  architecture?: string;
  /** e.g. `["completion", "tools", "insert"]`. */
  capabilities: string[];
  /** For models that Ollama runs remotely. */
  remote?: { host: string; model: string };
  license?: string;
  digest?: string;
  modifiedAt?: string;
}

export interface FakeOllamaOptions {
  models?: FakeOllamaModel[];
  /** Generation pace and the rate reported in eval_duration. Default 1000 tokens/s (fast tests). */
  tokensPerSecond?: number;
  /** Prompt processing rate (prompt_eval_duration, and the delay before the first chunk). Default 10 000. */
  promptTokensPerSecond?: number;
  /** Load time the first time a model is used. Default 5 ms. */
  loadMs?: number;
  /** Reported by /api/version. */
  version?: string;
  /** The window when a request sets no `options.num_ctx` (Ollama's default). Default 4096. */
  defaultNumCtx?: number;
}

export const DEFAULT_OLLAMA_MODELS: FakeOllamaModel[] = [
  {
    name: 'qwen2.5-coder:1.5b', family: 'qwen2', parameterSize: '1.5B', quantization: 'Q4_K_M',
    sizeBytes: 986_062_089, parameterCount: 1_543_714_304, contextLength: 32_768,
    capabilities: ['completion', 'tools', 'insert'], license: 'Apache License 2.0',
  },
  {
    name: 'qwen2.5-coder:7b', family: 'qwen2', parameterSize: '7.6B', quantization: 'Q4_K_M',
    sizeBytes: 4_683_087_019, parameterCount: 7_615_616_512, contextLength: 32_768,
    capabilities: ['completion', 'tools', 'insert'], license: 'Apache License 2.0',
  },
  {
    name: 'llama3.1:8b', family: 'llama', parameterSize: '8.0B', quantization: 'Q4_K_M',
    sizeBytes: 4_920_753_328, parameterCount: 8_030_261_248, contextLength: 131_072,
    capabilities: ['completion', 'tools'], license: 'LLAMA 3.1 COMMUNITY LICENSE AGREEMENT',
  },
  {
    // Not in any catalog: tests that the router derives a spec from /api/show.
    name: 'mystery-coder:6.7b', family: 'llama', parameterSize: '6.7B', quantization: 'Q4_0',
    sizeBytes: 3_825_910_662, parameterCount: 6_738_546_688, contextLength: 16_384,
    capabilities: ['completion', 'insert'],
  },
  {
    name: 'gpt-oss:20b-cloud', family: 'gptoss', architecture: 'gptoss', parameterSize: '20.9B', quantization: 'MXFP4',
    sizeBytes: 384, parameterCount: 20_914_757_184, contextLength: 131_072,
    capabilities: ['completion', 'tools', 'thinking'], remote: { host: 'https://ollama.com:443', model: 'gpt-oss:20b' },
    license: 'Apache License 2.0',
  },
];

/** A fake Ollama; start it with `startFakeOllama`. */
export class FakeOllama extends FakeServerBase {
  private models: FakeOllamaModel[];
  readonly tokensPerSecond: number;
  readonly promptTokensPerSecond: number;
  readonly loadMs: number;
  readonly versionString: string;
  readonly defaultNumCtx: number;
  /** Models loaded in memory (used at least once), with the time they expire. */
  private readonly loaded = new Map<string, number>();

  constructor(opts: FakeOllamaOptions = {}) {
    super();
    this.models = (opts.models ?? DEFAULT_OLLAMA_MODELS).map((m) => ({ ...m }));
    this.tokensPerSecond = opts.tokensPerSecond ?? 1000;
    this.promptTokensPerSecond = opts.promptTokensPerSecond ?? 10_000;
    this.loadMs = opts.loadMs ?? 5;
    this.versionString = opts.version ?? '0.12.6';
    this.defaultNumCtx = opts.defaultNumCtx ?? 4096;
  }

  /** Replaces the model list (what /api/tags and /api/show answer). */
  setModels(models: FakeOllamaModel[]): void {
    this.models = models.map((m) => ({ ...m }));
    for (const name of [...this.loaded.keys()]) if (!this.find(name)) this.loaded.delete(name);
  }

  getModels(): FakeOllamaModel[] { return this.models.map((m) => ({ ...m })); }

  protected override controlExtra(path: string, body: any): boolean {
    if (path === '/_fake/models' && Array.isArray(body)) { this.setModels(body); return true; }
    return false;
  }

  private find(name: unknown): FakeOllamaModel | undefined {
    if (typeof name !== 'string' || name.length === 0) return undefined;
    const full = normalizeName(name);
    return this.models.find((m) => normalizeName(m.name) === full);
  }

  protected async handle(ctx: RequestContext): Promise<boolean> {
    const { record } = ctx;
    const route = `${record.method} ${record.path}`;
    switch (route) {
      case 'GET /': case 'HEAD /':
        ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Ollama is running');
        return true;
      case 'GET /api/version': case 'HEAD /api/version':
        sendJson(ctx, 200, { version: this.versionString });
        return true;
      case 'GET /api/tags':
        sendJson(ctx, 200, { models: this.models.map((m) => this.tagEntry(m)) });
        return true;
      case 'GET /api/ps':
        sendJson(ctx, 200, { models: this.running() });
        return true;
      case 'POST /api/show':
        this.show(ctx);
        return true;
      case 'POST /api/chat':
        await this.generate(ctx, 'chat');
        return true;
      case 'POST /api/generate':
        await this.generate(ctx, 'generate');
        return true;
      default:
        if (record.path.startsWith('/api/')) {
          sendJson(ctx, 405, { error: 'method not allowed' });
          return true;
        }
        return false;
    }
  }

  private tagEntry(m: FakeOllamaModel): Record<string, unknown> {
    return {
      name: m.name,
      model: m.name,
      ...(m.remote ? { remote_model: m.remote.model, remote_host: m.remote.host } : {}),
      modified_at: m.modifiedAt ?? '2025-09-30T10:12:44.123456789+02:00',
      size: m.sizeBytes,
      digest: m.digest ?? digestOf(m.name),
      details: this.details(m),
    };
  }

  private details(m: FakeOllamaModel): Record<string, unknown> {
    return {
      parent_model: '',
      format: m.remote ? '' : 'gguf',
      family: m.family,
      families: m.families ?? [m.family],
      parameter_size: m.parameterSize,
      quantization_level: m.quantization,
    };
  }

  private running(): Array<Record<string, unknown>> {
    const now = Date.now();
    const out: Array<Record<string, unknown>> = [];
    for (const [name, expires] of this.loaded) {
      const m = this.find(name);
      if (!m || expires < now || m.remote) continue;
      out.push({
        name: m.name, model: m.name, size: m.sizeBytes, digest: m.digest ?? digestOf(m.name),
        details: this.details(m), expires_at: new Date(expires).toISOString(), size_vram: m.sizeBytes,
        context_length: Math.min(4096, m.contextLength),
      });
    }
    return out;
  }

  private show(ctx: RequestContext): void {
    const body = ctx.record.body ?? {};
    const name = body.model ?? body.name;
    const m = this.find(name);
    if (!m) {
      sendJson(ctx, 404, { error: `model '${String(name ?? '')}' not found` });
      return;
    }
    const arch = m.architecture ?? m.family;
    sendJson(ctx, 200, {
      ...(m.license ? { license: m.license } : {}),
      modelfile: `# Modelfile generated by "ollama show"\n# To build a new Modelfile based on this, replace FROM with:\n# FROM ${m.name}\n\nFROM ${m.remote ? m.name : `/root/.ollama/models/blobs/sha256-${digestOf(m.name)}`}\nTEMPLATE """{{ .Prompt }}"""\n`,
      parameters: 'stop                           "<|endoftext|>"',
      template: m.capabilities.includes('insert')
        ? '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- else }}{{ .Prompt }}{{- end }}'
        : '{{ .Prompt }}',
      details: this.details(m),
      model_info: {
        'general.architecture': arch,
        'general.file_type': 15,
        'general.parameter_count': m.parameterCount,
        'general.quantization_version': 2,
        [`${arch}.context_length`]: m.contextLength,
        [`${arch}.block_count`]: 28,
        [`${arch}.embedding_length`]: 3584,
        [`${arch}.attention.head_count`]: 28,
        [`${arch}.attention.head_count_kv`]: 4,
      },
      capabilities: [...m.capabilities],
      modified_at: m.modifiedAt ?? '2025-09-30T10:12:44.123456789+02:00',
      ...(m.remote ? { remote_model: m.remote.model, remote_host: m.remote.host } : {}),
    });
  }

  private async generate(ctx: RequestContext, kind: 'chat' | 'generate'): Promise<void> {
    const started = process.hrtime.bigint();
    const body = ctx.record.body;
    if (body === undefined || typeof body !== 'object') {
      sendJson(ctx, 400, { error: 'invalid request body' });
      return;
    }
    if (typeof body.model !== 'string' || body.model === '') {
      sendJson(ctx, 400, { error: 'model is required' });
      return;
    }
    const m = this.find(body.model);
    if (!m) {
      sendJson(ctx, 404, { error: `model "${body.model}" not found, try pulling it first` });
      return;
    }
    const qualified = qualifiedName(m.name);
    if (kind === 'chat' && Array.isArray(body.tools) && body.tools.length > 0 && !m.capabilities.includes('tools')) {
      sendJson(ctx, 400, { error: `${qualified} does not support tools` });
      return;
    }
    if (kind === 'generate') {
      if (body.raw && (body.template || body.system || (Array.isArray(body.context) && body.context.length > 0))) {
        sendJson(ctx, 400, { error: 'raw mode does not support template, system, or context' });
        return;
      }
      if (typeof body.suffix === 'string' && body.suffix !== '' && !m.capabilities.includes('insert')) {
        sendJson(ctx, 400, { error: `${qualified} does not support insert` });
        return;
      }
    }
    const messages: any[] = Array.isArray(body.messages) ? body.messages : [];
    // Empty chat / empty prompt: load the model (Ollama answers done_reason "load").
    if ((kind === 'chat' && messages.length === 0) || (kind === 'generate' && !body.prompt && !body.suffix)) {
      const wasLoaded = this.markLoaded(m);
      if (!wasLoaded) await sleep(this.loadMs);
      const reason = body.keep_alive === 0 ? 'unload' : 'load';
      if (reason === 'unload') this.loaded.delete(normalizeName(m.name));
      const done = kind === 'chat'
        ? { model: body.model, created_at: nowIso(), message: { role: 'assistant', content: '' }, done_reason: reason, done: true }
        : { model: body.model, created_at: nowIso(), response: '', done: true, done_reason: reason };
      sendJson(ctx, 200, done);
      return;
    }

    const reply = this.takeReply(body.model, Array.isArray(body.tools) && body.tools.length > 0);
    if (reply?.delayMs) await pace(ctx, reply.delayMs);
    if (ctx.gone) return;
    if (reply?.fault) return serveFault(ctx, reply.fault, ndjsonFraming(kind, body.model));
    if (reply?.status && reply.status >= 400) {
      sendJson(ctx, reply.status, { error: reply.error ?? 'fake server error' },
        undefined, reply.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.retryAfterSeconds) } : {});
      return;
    }

    // What the model "sees".
    let promptTokens: number;
    let fallback: string;
    if (kind === 'chat') {
      promptTokens = 0;
      for (const msg of messages) {
        promptTokens += MESSAGE_OVERHEAD_TOKENS + approxTokens(String(msg?.content ?? ''));
        if (Array.isArray(msg?.tool_calls)) promptTokens += approxTokens(JSON.stringify(msg.tool_calls));
        if (Array.isArray(msg?.images)) promptTokens += IMAGE_TOKENS * msg.images.length;
      }
      if (Array.isArray(body.tools)) promptTokens += approxTokens(JSON.stringify(body.tools));
      const lastUser = [...messages].reverse().find((x) => x?.role === 'user');
      fallback = echoOf(String(lastUser?.content ?? ''));
    } else {
      const prompt = String(body.prompt ?? '');
      const suffix = typeof body.suffix === 'string' ? body.suffix : '';
      const system = typeof body.system === 'string' ? body.system : '';
      promptTokens = approxTokens(system) + approxTokens(prompt) + approxTokens(suffix) + (body.raw ? 0 : MESSAGE_OVERHEAD_TOKENS);
      if (Array.isArray(body.images)) promptTokens += IMAGE_TOKENS * body.images.length;
      fallback = suffix
        ? `/* fill: after "${prompt.slice(-20)}" before "${suffix.slice(0, 20)}" */`
        : echoOf(prompt);
    }
    if (reply?.promptTokens !== undefined) promptTokens = reply.promptTokens;
    // Ollama's window: a longer prompt loses its start, silently.
    const requested = Number(body.options?.num_ctx);
    const numCtx = Number.isFinite(requested) && requested > 0 ? Math.min(requested, m.contextLength) : Math.min(this.defaultNumCtx, m.contextLength);
    if (promptTokens > numCtx) {
      ctx.record.truncated = { sentTokens: promptTokens, numCtx };
      promptTokens = numCtx;
    }

    const capped = capChunks(textChunks(reply, fallback), body.options?.num_predict, reply);
    const chunks = capped.chunks;
    // Like Ollama, no thinking is produced when the request turns it off (`think: false`).
    const thinking = body.think !== false ? reply?.thinking : undefined;
    const thinkingChunks = thinking ? textChunks({ text: thinking }, '') : [];
    const toolCalls = kind === 'chat' && Array.isArray(body.tools) && body.tools.length > 0 ? reply?.toolCalls ?? [] : [];
    const text = chunks.join('');
    const evalCount = capped.cap !== undefined && reply?.outputTokens !== undefined ? Math.min(reply.outputTokens, capped.cap) : reply?.outputTokens ?? (
      approxTokens(text) + approxTokens(thinking ?? '') +
      (toolCalls.length > 0 ? approxTokens(JSON.stringify(toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })))) : 0));
    const tps = reply?.tokensPerSecond ?? this.tokensPerSecond;

    const wasLoaded = this.markLoaded(m);
    const loadMs = wasLoaded ? 0.5 : this.loadMs;
    const promptMs = msFor(promptTokens, this.promptTokensPerSecond);
    const evalMs = msFor(evalCount, tps);
    const stream = body.stream !== false;
    const doneReason = reply?.doneReason ?? (capped.cut ? 'length' : 'stop');
    const toolCallJson = toolCalls.map((c, i) => ({
      ...(c.id ? { id: c.id } : {}),
      function: { index: i, name: c.name, arguments: c.arguments },
    }));

    const finalStats = (): Record<string, unknown> => {
      const elapsedNs = Number(process.hrtime.bigint() - started);
      const loadNs = Math.round(loadMs * 1e6);
      const promptNs = Math.round(promptMs * 1e6);
      const evalNs = Math.round(evalMs * 1e6);
      const stats = {
        done_reason: doneReason,
        total_duration: Math.max(elapsedNs, loadNs + promptNs + evalNs + 100_000),
        load_duration: loadNs,
        prompt_eval_count: promptTokens,
        prompt_eval_duration: promptNs,
        eval_count: evalCount,
        eval_duration: evalNs,
        ...reply?.usage,
      };
      ctx.record.reported = { ...stats };
      return stats;
    };

    if (!stream) {
      await pace(ctx, loadMs + promptMs + evalMs);
      if (ctx.gone) return;
      const base = { model: body.model, created_at: nowIso() };
      const msg = kind === 'chat'
        ? { message: { role: 'assistant', content: text, ...(thinking ? { thinking } : {}), ...(toolCallJson.length ? { tool_calls: toolCallJson } : {}) } }
        : { response: text, ...(thinking ? { thinking } : {}) };
      const context = kind === 'generate' && !body.raw ? { context: fakeContext(promptTokens + evalCount) } : {};
      const stats = finalStats();
      sendJson(ctx, 200, { ...base, ...msg, done: true, ...context, ...stats });
      return;
    }

    ctx.record.status = 200;
    ctx.res.writeHead(200, { 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' });
    ctx.res.flushHeaders();
    await pace(ctx, loadMs + promptMs);
    const piece = (content: { content?: string; thinking?: string; tool_calls?: unknown[] }): string => JSON.stringify(
      kind === 'chat'
        ? { model: body.model, created_at: nowIso(), message: { role: 'assistant', content: content.content ?? '', ...(content.thinking !== undefined ? { thinking: content.thinking } : {}), ...(content.tool_calls ? { tool_calls: content.tool_calls } : {}) }, done: false }
        : { model: body.model, created_at: nowIso(), response: content.content ?? '', ...(content.thinking !== undefined ? { thinking: content.thinking } : {}), done: false },
    ) + '\n';

    for (const t of thinkingChunks) {
      if (!write(ctx, piece({ thinking: t }))) return;
      await pace(ctx, msFor(approxTokens(t), tps));
    }
    let sent = 0;
    for (const c of chunks) {
      if (reply?.errorAfterChunks !== undefined && sent >= reply.errorAfterChunks) {
        write(ctx, JSON.stringify({ error: reply.error ?? 'an error was encountered while running the model' }) + '\n');
        ctx.res.end();
        return;
      }
      if (reply?.stallAfterChunks !== undefined && sent >= reply.stallAfterChunks) {
        await ctx.goneSignal;
        return;
      }
      if (!write(ctx, piece({ content: c }))) return;
      sent++;
      await pace(ctx, msFor(approxTokens(c), tps));
      if (ctx.gone) return;
    }
    // Error / stall points beyond the last chunk apply after all chunks.
    if (reply?.errorAfterChunks !== undefined) {
      write(ctx, JSON.stringify({ error: reply.error ?? 'an error was encountered while running the model' }) + '\n');
      ctx.res.end();
      return;
    }
    if (reply?.stallAfterChunks !== undefined) {
      await ctx.goneSignal;
      return;
    }
    if (toolCallJson.length > 0) {
      if (!write(ctx, piece({ tool_calls: toolCallJson }))) return;
    }
    const done = kind === 'chat'
      ? { model: body.model, created_at: nowIso(), message: { role: 'assistant', content: '' }, done: true, ...finalStats() }
      : { model: body.model, created_at: nowIso(), response: '', done: true, ...(body.raw ? {} : { context: fakeContext(promptTokens + evalCount) }), ...finalStats() };
    if (!write(ctx, JSON.stringify(done) + '\n')) return;
    ctx.res.end();
  }

  /** Marks a model loaded for 5 minutes; returns whether it already was. */
  private markLoaded(m: FakeOllamaModel): boolean {
    const key = normalizeName(m.name);
    const was = (this.loaded.get(key) ?? 0) > Date.now();
    this.loaded.set(key, Date.now() + 5 * 60_000);
    return was;
  }
}

/** Ollama's NDJSON framing, for faults. */
function ndjsonFraming(kind: 'chat' | 'generate', model: string): FaultFraming {
  const piece = (content: string): Record<string, unknown> => (kind === 'chat'
    ? { model, created_at: nowIso(), message: { role: 'assistant', content }, done: false }
    : { model, created_at: nowIso(), response: content, done: false });
  return {
    contentType: 'application/x-ndjson',
    chunk: (text) => JSON.stringify(piece(text)) + '\n',
    lineStart: `{"model":${JSON.stringify(model)},"created_at":"${nowIso()}",${kind === 'chat' ? '"message":{"role":"assistant","content":"' : '"response":"'}`,
  };
}

/** Starts a fake Ollama on 127.0.0.1 with an OS-assigned port. */
export async function startFakeOllama(opts: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const fake = new FakeOllama(opts);
  await fake.listen();
  return fake;
}

/** `llama3` -> `llama3:latest`. */
function normalizeName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  return name.slice(lastSlash + 1).includes(':') ? name : `${name}:latest`;
}

/** How Ollama names a model in capability errors: `registry.ollama.ai/library/<name>`. */
function qualifiedName(name: string): string {
  const n = normalizeName(name);
  return n.includes('/') ? `registry.ollama.ai/${n}` : `registry.ollama.ai/library/${n}`;
}

function nowIso(): string { return new Date().toISOString(); }

/** A deterministic 64-hex digest from a name. */
function digestOf(name: string): string {
  let h1 = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < name.length; i++) {
      h1 ^= name.charCodeAt(i) + round;
      h1 = Math.imul(h1, 0x01000193) >>> 0;
    }
    out += h1.toString(16).padStart(8, '0');
  }
  return out;
}

function fakeContext(n: number): number[] {
  const out: number[] = new Array(Math.max(0, n));
  for (let i = 0; i < out.length; i++) out[i] = 100 + ((i * 7919) % 30000);
  return out;
}
