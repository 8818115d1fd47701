// Which models can serve a request right now: the local models Ollama actually has, configured cloud
// models whose provider has a key, and GitHub Copilot's models when the user has them. Discovery is
// lazy (first use) and refreshes when Ollama's model list, the settings or the keys change.
import * as vscode from 'vscode';
import { AnthropicBackend } from '../core/backends/anthropicBackend';
import { OllamaBackend } from '../core/backends/ollamaBackend';
import { withWindowCap } from '../core/backends/ollamaContextWindow';
import { OpenAICompatibleBackend } from '../core/backends/openaiBackend';
import { Catalog } from '../core/catalog/catalog';
import { describeOllamaModel } from '../core/catalog/ollamaModels';
import { RightsizeConfig } from '../core/config';
import { sharedTokenCounter } from '../core/tokens';
import * as os from 'os';
import { isLoopbackUrl } from '../core/energy/powerSampler';
import type { OllamaSnapshot } from '../core/router/residency';
import { Backend, BackendError, ModelSpec } from '../core/types';
import { ApiKeys } from './apiKeys';
import { CopilotBackend, copilotModelSpecs } from './copilotBackend';
import { errorText } from '../core/errorText';
import { runsLocally } from '../core/modelLocation';

export type OllamaStatus = { state: 'unknown' } | { state: 'ok'; version: string; models: number } | { state: 'unreachable'; message: string };

const POLL_MS = 30_000;
/** How long a /api/ps reading is reused, and how long routing waits for one. */
const SNAPSHOT_TTL_MS = 1000;
const SNAPSHOT_TIMEOUT_MS = 500;

export class ModelRegistry implements vscode.Disposable {
  private models: ModelSpec[] | undefined;
  private loading: Promise<ModelSpec[]> | undefined;
  private ollamaFingerprint = '';
  private status: OllamaStatus = { state: 'unknown' };
  private ollama: OllamaBackend;
  private openai: OpenAICompatibleBackend;
  private anthropic: AnthropicBackend;
  private readonly copilot = new CopilotBackend();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private snapshot: { at: number; value: OllamaSnapshot | undefined } | undefined;

  constructor(
    private config: () => RightsizeConfig,
    private readonly keys: ApiKeys,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const c = config();
    this.ollama = this.ollamaBackend(c);
    this.openai = new OpenAICompatibleBackend({ baseUrl: c.openaiBaseUrl, apiKey: () => keys.get('openai'), provider: 'openai', limits: c.network });
    this.anthropic = new AnthropicBackend({ baseUrl: c.anthropicBaseUrl, apiKey: () => keys.get('anthropic'), limits: c.network });
    this.disposables.push(
      keys.onDidChange(() => this.invalidate('API keys changed')),
      vscode.lm.onDidChangeChatModels(() => { if (this.config().useCopilotModels) this.invalidate('Copilot models changed'); }),
      vscode.window.onDidChangeWindowState((s) => { if (s.focused && this.models) void this.pollOllama(); }),
    );
  }

  /** Settings changed: rebuild the backends and rediscover. */
  reconfigure(): void {
    const c = this.config();
    this.ollama = this.ollamaBackend(c);
    this.openai = new OpenAICompatibleBackend({ baseUrl: c.openaiBaseUrl, apiKey: () => this.keys.get('openai'), provider: 'openai', limits: c.network });
    this.anthropic = new AnthropicBackend({ baseUrl: c.anthropicBaseUrl, apiKey: () => this.keys.get('anthropic'), limits: c.network });
    this.invalidate('settings changed');
  }

  /** Ollama with the door's token counts (cached: the pipeline counted the same pieces) and its window cap. */
  private ollamaBackend(c: RightsizeConfig): OllamaBackend {
    return new OllamaBackend({
      host: c.ollamaHost,
      limits: c.network,
      memoryBytes: c.ollamaMemoryGiB !== undefined ? c.ollamaMemoryGiB * 2 ** 30 : 'auto',
      countPromptTokens: (r) => sharedTokenCounter().countMessages(r.messages, r.tools),
      onWarning: (m) => {
        this.log.warn(`Ollama: ${m}`);
        void vscode.window.showWarningMessage(`Rightsize: ${m}`);
      },
    });
  }

  /** Whether models have been discovered (discovery is lazy). */
  get discovered(): boolean {
    return this.models !== undefined;
  }

  get ollamaStatus(): OllamaStatus {
    return this.status;
  }

  /** Models usable now. Discovers on first call; later calls return the cached list. */
  candidates(): Promise<ModelSpec[]> {
    if (this.models) return Promise.resolve(this.models);
    if (!this.loading) {
      this.loading = this.discover().then((m) => {
        this.models = m;
        this.loading = undefined;
        this.startPolling();
        return m;
      }, (e: unknown) => {
        this.loading = undefined;
        throw e;
      });
    }
    return this.loading;
  }

  /** Forces rediscovery now; resolves with the fresh list. */
  async refresh(): Promise<ModelSpec[]> {
    this.models = undefined;
    const models = await this.candidates();
    this.emitter.fire();
    return models;
  }

  /**
   * What Ollama has in memory now (/api/ps), for the router: read at most once a second, given up after
   * SNAPSHOT_TIMEOUT_MS (routing does not wait for a slow Ollama), undefined when Ollama has no local model
   * here or cannot say.
   */
  async ollamaSnapshot(): Promise<OllamaSnapshot | undefined> {
    if (!this.models?.some((m) => m.provider === 'ollama' && runsLocally(m))) return undefined;
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_TTL_MS) return this.snapshot.value;
    try {
      const running = await this.ollama.running(AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS));
      const c = this.config();
      const value: OllamaSnapshot = {
        loaded: running.map((r) => ({ id: r.tag, sizeBytes: r.sizeBytes, sizeVramBytes: r.sizeVramBytes })),
        ...(c.ollamaMemoryGiB !== undefined ? { memoryGB: (c.ollamaMemoryGiB * 2 ** 30) / 1e9 } : {}),
        ...(isLoopbackUrl(c.ollamaHost) ? { hostMemoryGB: os.totalmem() / 1e9 } : {}),
      };
      this.snapshot = { at: now, value };
      return value;
    } catch (e) {
      this.log.debug(`Ollama /api/ps: ${errorText(e)}`);
      this.snapshot = { at: now, value: undefined };
      return undefined;
    }
  }

  /** A request just ran on a local model: Ollama has it loaded now, so read /api/ps afresh next time. */
  forgetSnapshot(): void {
    this.snapshot = undefined;
  }

  backendFor(model: ModelSpec): Backend {
    switch (model.provider) {
      case 'ollama': return this.ollama;
      case 'openai':
      case 'openai-compatible': return this.openai;
      case 'anthropic': return this.anthropic;
      case 'copilot': return this.copilot;
      default: throw new BackendError(`Rightsize has no backend for ${model.provider} models yet; use them through GitHub Copilot.`, model.provider, 'badRequest');
    }
  }

  /**
   * Tells VS Code the model list is worth asking for. VS Code resolves a vendor's models only when
   * someone selects models or the provider signals a change, so without this the chat's model picker
   * would not list Rightsize's models until another extension asked for them.
   */
  announce(): void {
    this.emitter.fire();
  }

  private invalidate(why: string): void {
    this.log.info(`models: ${why}; rediscovering`);
    this.models = undefined;
    this.snapshot = undefined;
    this.emitter.fire();
  }

  private async discover(): Promise<ModelSpec[]> {
    const c = this.config();
    const catalog = Catalog.builtIn();
    const [local, cloud, copilot] = await Promise.all([this.discoverOllama(catalog), this.cloudModels(catalog, c), this.copilotModels(catalog, c)]);
    const all = [...local, ...cloud, ...copilot];
    this.log.info(`models: ${local.length} local, ${cloud.length} cloud, ${copilot.length} Copilot: ${all.map((m) => m.id).join(', ') || '(none)'}`);
    return all;
  }

  private async discoverOllama(catalog: Catalog): Promise<ModelSpec[]> {
    try {
      const [version, found] = await Promise.all([this.ollama.version(), this.ollama.discoverModels()]);
      this.ollamaFingerprint = fingerprint(found.map((f) => f.tag));
      this.status = { state: 'ok', version, models: found.length };
      // The window a model can really use here (context_length, memory) is what the router fits prompts in.
      return found.map((f) => withWindowCap(describeOllamaModel(f.tag, f.show, catalog), this.ollama.contextCap(f.tag)));
    } catch (e) {
      const message = errorText(e);
      if (this.status.state !== 'unreachable') this.log.warn(`Ollama: ${message}`);
      this.status = { state: 'unreachable', message };
      this.ollamaFingerprint = '';
      return [];
    }
  }

  private async cloudModels(catalog: Catalog, c: RightsizeConfig): Promise<ModelSpec[]> {
    const hasOpenAI = await this.keys.has('openai');
    const hasAnthropic = await this.keys.has('anthropic');
    const out: ModelSpec[] = [];
    for (const id of c.cloudModels) {
      const spec = catalog.get(id);
      if (!spec) {
        if (hasOpenAI) out.push(unknownOpenAICompatible(id));
        continue;
      }
      if (spec.location !== 'cloud') continue;
      if ((spec.provider === 'openai' || spec.provider === 'openai-compatible') && hasOpenAI) out.push(spec);
      else if (spec.provider === 'anthropic' && hasAnthropic) out.push(spec);
    }
    return out;
  }

  private async copilotModels(catalog: Catalog, c: RightsizeConfig): Promise<ModelSpec[]> {
    if (!c.useCopilotModels) return [];
    try {
      return await copilotModelSpecs(catalog);
    } catch (e) {
      this.log.debug(`Copilot models unavailable: ${errorText(e)}`);
      return [];
    }
  }

  private startPolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { if (vscode.window.state.focused) void this.pollOllama(); }, POLL_MS);
    this.timer.unref?.();
  }

  /** Cheap check of Ollama's tag list; rediscovers only when it changed. */
  private async pollOllama(): Promise<void> {
    let tags: string[];
    try {
      tags = (await this.ollama.listTags()).sort();
    } catch {
      tags = [];
    }
    if (fingerprint(tags) !== this.ollamaFingerprint) this.invalidate('Ollama models changed');
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

function fingerprint(tags: string[]): string {
  return [...tags].sort().join('\n');
}

/** A model id the catalog does not know, served by the OpenAI-compatible endpoint: conservative guesses, said so. */
function unknownOpenAICompatible(id: string): ModelSpec {
  const assumption = 'assumption: unknown to the catalog; conservative defaults';
  return {
    id, displayName: id, provider: 'openai-compatible', location: 'cloud', derived: true,
    params: { totalB: { min: 7, max: 400 }, activeB: { min: 7, max: 200 } },
    contextTokens: 128_000, maxOutputTokens: 16_384, tools: true,
    capability: { score: 50, benchmark: 'none', source: assumption },
    tokenizer: 'o200k_base', pue: 1.2,
    sources: { params: assumption, contextTokens: assumption, capability: assumption, pue: assumption },
  };
}
