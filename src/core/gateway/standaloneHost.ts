// The gateway's host outside VS Code (`rightsize serve`): the same pipeline the extension builds, from a
// RightsizeConfig and keys given by the caller (environment variables): the local models Ollama has, the
// configured cloud models whose provider has a key, a budget gate with the ledger's earlier usage as its
// baseline, records appended to the ledger. Model discovery is cached briefly and refreshed in the
// background of the next request, so a model pulled into Ollama shows up without a restart.
import { AnthropicBackend } from '../backends/anthropicBackend';
import { OllamaBackend } from '../backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../backends/openaiBackend';
import { BudgetGate } from '../budget/budgetGate';
import { SharedBudget } from '../budget/sharedBudget';
import { Catalog } from '../catalog/catalog';
import { describeOllamaModel } from '../catalog/ollamaModels';
import type { RightsizeConfig } from '../config';
import { GpuPowerSampler, isLoopbackUrl } from '../energy/powerSampler';
import { toEstimateSettings } from '../estimateConfig';
import type { Ledger } from '../ledger';
import type { PipelineDeps } from '../pipeline';
import { periodTotals } from '../report';
import { sharedTokenCounter } from '../tokens';
import { Backend, BackendError, ModelSpec, UsageRecord, WorkspaceRef } from '../types';
import type { GatewayDeps } from './gateway';
import { derivedCloudSpec } from './models';
import { errorText } from '../errorText';

export interface StandaloneKeys { openai?: string; anthropic?: string }

export interface StandaloneHostOptions {
  config: RightsizeConfig;
  keys: StandaloneKeys;
  ledger: Ledger;
  workspace: WorkspaceRef;
  session: string;
  log?(line: string): void;
  onRecord?(record: UsageRecord): void;
  /** How long a model list is reused (ms). Default 30 s. */
  discoveryTtlMs?: number;
}

export interface StandaloneHost {
  deps: GatewayDeps;
  /** Discovers now (what `serve` prints at start). */
  discover(): Promise<ModelSpec[]>;
  /** Ollama's state at the last discovery. */
  readonly ollamaMessage: string;
}

export function standaloneHost(o: StandaloneHostOptions): StandaloneHost {
  const c = o.config;
  const catalog = Catalog.builtIn();
  const ollama = new OllamaBackend({ host: c.ollamaHost, limits: c.network });
  const openai = new OpenAICompatibleBackend({ baseUrl: c.openaiBaseUrl, apiKey: async () => o.keys.openai, provider: 'openai', limits: c.network });
  const anthropic = new AnthropicBackend({ baseUrl: c.anthropicBaseUrl, apiKey: async () => o.keys.anthropic, limits: c.network });
  const estimate = toEstimateSettings(c.energy, process.platform, process.arch);
  // The windows and other processes on this ledger see this gateway's spending and requests in flight, and it theirs.
  const ownSessions = new Set([o.session]);
  const shared = new SharedBudget({ ledgerDir: o.ledger.dir, workspaceId: o.workspace.id, ownSessions: () => ownSessions, onWarning: (m) => o.log?.(`budget: ${m}`) });
  const gate = new BudgetGate(c.budget, { shared });
  const ttl = o.discoveryTtlMs ?? 30_000;
  let ollamaMessage = 'not checked yet';
  let cached: { at: number; models: Promise<ModelSpec[]> } | undefined;
  let baseline: Promise<void> | undefined;

  const discover = async (): Promise<ModelSpec[]> => {
    let local: ModelSpec[] = [];
    try {
      const [version, found] = await Promise.all([ollama.version(), ollama.discoverModels()]);
      local = found.map((f) => describeOllamaModel(f.tag, f.show, catalog));
      ollamaMessage = `Ollama ${version} at ${c.ollamaHost}: ${found.length} models`;
    } catch (e) {
      ollamaMessage = errorText(e);
    }
    const cloud: ModelSpec[] = [];
    for (const id of c.cloudModels) {
      const spec = catalog.get(id);
      if (!spec) { if (o.keys.openai) cloud.push(derivedCloudSpec(id, 'openai-compatible')); continue; }
      if (spec.location !== 'cloud') continue;
      if ((spec.provider === 'openai' || spec.provider === 'openai-compatible') && o.keys.openai) cloud.push(spec);
      else if (spec.provider === 'anthropic' && o.keys.anthropic) cloud.push(spec);
    }
    return [...local, ...cloud];
  };
  const candidates = (): Promise<ModelSpec[]> => {
    const now = Date.now();
    if (!cached || now - cached.at > ttl) {
      const fresh = discover();
      // A failed or slow refresh keeps serving the last list.
      cached = cached ? { at: now, models: fresh.catch(() => cached!.models) } : { at: now, models: fresh };
    }
    return cached.models;
  };
  const loadBaseline = (): Promise<void> => {
    if (baseline) return baseline;
    const tailFromHere = shared.beginBaseline();
    return (baseline = periodTotals(o.ledger, o.workspace.id, new Date(), undefined)
    .then((t) => { gate.setBaseline({ day: t.day, week: t.week, month: t.month }, new Date()); tailFromHere(); })
    .catch((e: unknown) => o.log?.(`could not read budget usage from the ledger: ${errorText(e)}`)));
  };
  const power = new GpuPowerSampler();

  const backendFor = (m: ModelSpec): Backend => {
    switch (m.provider) {
      case 'ollama': return ollama;
      case 'openai':
      case 'openai-compatible': return openai;
      case 'anthropic': return anthropic;
      default: throw new BackendError(`rightsize serve has no backend for ${m.provider} models.`, m.provider, 'badRequest');
    }
  };
  const pipeline: PipelineDeps = {
    candidates: async () => { await loadBaseline(); return candidates(); },
    backendFor,
    countInputTokens: (r, m) => sharedTokenCounter().countMessages(r.messages, r.tools, m?.tokenizer),
    gate,
    append: (r) => { o.ledger.append(r); o.onRecord?.(r); },
    settings: () => ({ mode: c.mode, objective: c.objective, localOnly: c.localOnly, localPreference: c.localPreference, estimate, referenceModel: c.referenceModel }),
    log: o.log,
    samplePowerW: () => (c.energy.device === 'auto' && !c.energy.devicePowerW && isLoopbackUrl(c.ollamaHost) ? power.sample() : Promise.resolve(undefined)),
  };
  return {
    deps: { pipeline, workspace: () => o.workspace, session: () => o.session, cloudModels: () => c.cloudModels, catalog, log: o.log },
    discover: async () => { cached = undefined; return candidates(); },
    get ollamaMessage() { return ollamaMessage; },
  };
}
