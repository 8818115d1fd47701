// Wires the VS Code adapters to the core. Activation does no heavy work: the tokenizer, the ledger
// read and model discovery happen on first use (or shortly after startup, off the activation path).
import * as os from 'os';
import * as vscode from 'vscode';
import { BudgetGate } from '../core/budget/budgetGate';
import { SharedBudget } from '../core/budget/sharedBudget';
import { AskConversationLimit, ConversationAnswer, ConversationBudget, ConversationLimitEvent } from '../core/budget/conversationBudget';
import { RightsizeConfig } from '../core/config';
import { EstimateSettings, listDeviceProfiles } from '../core/estimate';
import { toEstimateSettings } from '../core/estimateConfig';
import { GpuPowerSampler, isLoopbackUrl } from '../core/energy/powerSampler';
import { defaultLedgerDir, Ledger } from '../core/ledger';
import { Pipeline, PipelineDeps, PipelineEvent, PipelineSettings } from '../core/pipeline';
import { aggregate, periodTotals, RollupWriter } from '../core/report';
import { COUNT_STORE_FILE_NAME, CountPersistence, pieceTableStatus, sharedTokenCounter, tokenizerLoadCounts } from '../core/tokens';
import { ChatRequest, ModelSpec, UsageRecord, UsageReport, WorkspaceRef } from '../core/types';
import { ApiKeys } from './apiKeys';
import { watchBudgets } from './budgetNotifier';
import { AUTO_MODEL_ID, RightsizeChatProvider } from './chatProvider';
import { registerCommands } from './commands';
import type { Services } from './services';
import { askConversationLimit } from './conversationLimitPrompt';
import { GatewayController } from './gateway';
import { Imports } from './imports';
import { ModelRegistry } from './modelRegistry';
import { OtlpExportController, OtlpExportStatus } from './otlpExport';
import { RecordSink } from './recordSink';
import { RoutingLearning } from './routingLearning';
import { memoryNote } from '../core/router/residency';
import type { RouteDecision } from '../core/router/router';
import { requestCapture } from './requestCapture';
import { manifestSettingKeys, Settings } from './settings';
import { StatusMeter } from './statusMeter';
import { SuggestionHints } from './suggestions';
import { UsagePanel } from './usagePanel/usagePanel';
import { UsagePanelHost } from './usagePanelHost';
import { currentWorkspace } from './workspaceIdentity';
import { errorText } from '../core/errorText';

/** Delay between activation and the tokenizer's background warm-up. */
const TOKENIZER_WARM_UP_DELAY_MS = 4000;
/** How often the token counts learned in this session are written to globalStorage (when there are new ones). */
const TOKEN_COUNTS_SAVE_INTERVAL_MS = 5 * 60_000;

/** What `activate` returns: used by the integration tests and by other extensions. */
export interface RightsizeApi {
  readonly version: string;
  /** The status-bar meter as it is shown now. */
  statusBar(): { text: string; tooltip: string; visible: boolean; background?: string };
  /** This session's totals. */
  sessionReport(): UsageReport;
  /** Fires after each usage record is written (ok, error, cancelled, blocked). */
  readonly onDidRecord: vscode.Event<UsageRecord>;
  readonly ledgerDir: string;
  readonly sessionId: string;
  readonly autoModelId: string;
  /** What activation did and did not load (activation must stay light). */
  /** `tokenizerLoadedDuringActivation`: whether activate() itself loaded it; `tokenizer`: now (not loaded, building, ready). */
  diagnostics(): { activationMs: number; tokenizerLoadedDuringActivation: boolean; tokenizer: string; modelsDiscovered: boolean };
  /** Only in development/test mode: store a key without UI (tests). */
  setApiKeyForTesting?(provider: 'openai' | 'anthropic', key: string | undefined): Promise<void>;
  /** Only in development/test mode: the effective (security-filtered) configuration. */
  effectiveConfigForTesting?(): RightsizeConfig;
  /** Only in development/test mode: forget discovered models now. */
  refreshModelsForTesting?(): Promise<ModelSpec[]>;
  /** Only in development/test mode: answer the next conversation-budget questions with these answers instead
   * of the notification (in order; the notification again when they run out). Returns the questions asked. */
  answerConversationLimitsForTesting?(answers: ConversationAnswer[]): ConversationLimitEvent[];
  /** Only in development/test mode: start the gateway; its URL and token. */
  startGatewayForTesting?(): Promise<{ url: string; token: string }>;
  /** The variables Rightsize puts into integrated terminals now (rightsize.gateway.terminalEnv). */
  terminalEnvForTesting?(): Record<string, string>;
  /** Only in development/test mode: what OTLP export is doing. */
  exportStatusForTesting?(): OtlpExportStatus;
}

/** The window's usage session: its id, every id this window has used (their records are counted by the gate
 *  itself), and the records written in it. */
class WindowSession {
  id = newSessionId();
  readonly ids = new Set<string>([this.id]);
  records: UsageRecord[] = [];

  report(): UsageReport {
    return aggregate(this.records, { kind: 'session', session: this.id });
  }

  reset(): void {
    this.id = newSessionId();
    this.ids.add(this.id);
    this.records = [];
  }
}

/** What every wiring step below may use. */
interface Wiring {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  settings: Settings;
  keys: ApiKeys;
  registry: ModelRegistry;
  ledgerDir: string;
  ledger(): Ledger;
  workspace: WorkspaceRef;
  session: WindowSession;
  testing: boolean;
  /** The energy estimate's settings, rebuilt when the settings change. */
  estimateSettings(): EstimateSettings;
}

/** The budgets: shared with other windows through the ledger, per period and per conversation. */
interface Budgets {
  sharedBudget: SharedBudget;
  gate: BudgetGate;
  conversations: ConversationBudget;
  /** Test mode: scripted answers to the conversation-budget question, and the questions asked. */
  scripted: { answers: ConversationAnswer[]; asked: ConversationLimitEvent[] };
}

/** Where records go: the ledger, this session, the status bar and the record event. */
interface Metering {
  recorded: vscode.EventEmitter<UsageRecord>;
  meter: StatusMeter;
  refreshMeter(): void;
  append(record: UsageRecord): void;
  setGatewayLine(line: () => string | undefined): void;
}

export function activateRightsize(context: vscode.ExtensionContext): RightsizeApi {
  const activationStarted = performance.now();
  const w = wire(context);
  const budgets = createBudgets(w);
  const metering = createMetering(w, budgets.gate);
  const ensureBaseline = watchBudgetBaseline(w, budgets, metering);
  const { pipeline, pipelineDeps, learning } = createPipeline(w, budgets, metering, ensureBaseline);
  registerChatProvider(w, pipeline, learning);
  context.subscriptions.push(w.settings.onDidChange((c) => {
    budgets.gate.setPolicy(c.budget);
    budgets.conversations.setPolicy(c.conversationBudget);
    w.registry.reconfigure();
    metering.refreshMeter();
  }));
  context.subscriptions.push(watchBudgets(budgets.gate, () => w.settings.value.budget.action));
  const panel = registerUsagePanel(w, budgets.gate, metering, learning);
  const otlp = registerOtlpExport(w, metering);
  registerCommands(context, services(w, { pipeline, learning, panel, otlp, gate: budgets.gate, metering }));
  const gateway = new GatewayController({
    settings: w.settings, secrets: context.secrets, environment: context.environmentVariableCollection, pipeline: pipelineDeps, conversationModels: pipeline.conversationModels,
    workspace: () => w.workspace, session: () => w.session.id, log: w.log, onDidChangeStatus: () => metering.refreshMeter(),
  });
  metering.setGatewayLine(() => gateway.statusLine());
  context.subscriptions.push(gateway);
  context.subscriptions.push(new Imports({
    settings: w.settings, secrets: context.secrets, ledger: w.ledger, estimateSettings: w.estimateSettings, log: w.log,
    onDidRecord: metering.recorded.event, onImported: (last) => metering.recorded.fire(last),
  }));

  const activationMs = performance.now() - activationStarted;
  const tokenizerLoadedDuringActivation = tokenizerLoadCounts().wasm > 0;
  scheduleTokenizerWarmUp(w);
  w.log.info(`Rightsize ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms; session ${w.session.id}; workspace ${w.workspace.id}; ledger ${w.ledgerDir}`);
  return rightsizeApi(w, { activationMs, tokenizerLoadedDuringActivation, metering, budgets, otlp, gateway });
}

/** The log, settings, keys, model registry, ledger, workspace and session every later step uses. */
function wire(context: vscode.ExtensionContext): Wiring {
  const log = vscode.window.createOutputChannel('Rightsize', { log: true });
  context.subscriptions.push(log);
  const settingKeys = manifestSettingKeys(context.extension.packageJSON);
  const settings = new Settings(settingKeys, (errors) => {
    for (const e of errors) log.warn(`settings: ${e}`);
    void vscode.window.showWarningMessage(`Rightsize: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more; see the routing log)` : ''}`, 'Open Settings')
      .then((c) => { if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'rightsize'); });
  });
  const keys = new ApiKeys(context.secrets);
  const registry = new ModelRegistry(() => settings.value, keys, log);
  context.subscriptions.push(settings, keys, registry);

  const ledgerDir = settings.value.ledgerDir || defaultLedgerDir(process.env, process.platform, os.homedir());
  let ledger: Ledger | undefined;
  let estimateSettings: EstimateSettings = toEstimateSettings(settings.value.energy, process.platform, process.arch);
  context.subscriptions.push(settings.onDidChange((c) => { estimateSettings = toEstimateSettings(c.energy, process.platform, process.arch); }));
  return {
    context, log, settings, keys, registry, ledgerDir,
    ledger: () => {
      if (!ledger) {
        ledger = new Ledger(ledgerDir, { onWarning: (m) => log.warn(`ledger: ${m}`) });
        // every append also moves this window's rollups on, so the status line and reports read no ledger bytes
        const rollups = new RollupWriter(ledger, { onWarning: (m) => log.warn(`rollups: ${m}`) }).attach();
        context.subscriptions.push({ dispose: () => void rollups.dispose() });
      }
      return ledger;
    },
    workspace: currentWorkspace(),
    session: new WindowSession(),
    testing: context.extensionMode !== vscode.ExtensionMode.Production,
    estimateSettings: () => estimateSettings,
  };
}

function createBudgets(w: Wiring): Budgets {
  // This window's sessions: their records are counted by the gate itself; every other record of the
  // workspace in the ledger, and every other window's request in flight, is seen before admitting.
  const sharedBudget = new SharedBudget({ ledgerDir: w.ledgerDir, workspaceId: w.workspace.id, ownSessions: () => w.session.ids, onWarning: (m) => w.log.warn(`budget: ${m}`) });
  const gate = new BudgetGate(w.settings.value.budget, { shared: sharedBudget });
  const askUser = askConversationLimit(w.log);
  const scripted: Budgets['scripted'] = { answers: [], asked: [] };
  const ask: AskConversationLimit = (e, signal) => {
    if (!w.testing || scripted.answers.length === 0) return askUser(e, signal);
    scripted.asked.push(e);
    return Promise.resolve(scripted.answers.shift()!);
  };
  const conversations = new ConversationBudget(w.settings.value.conversationBudget, { ask });
  return { sharedBudget, gate, conversations, scripted };
}

function createMetering(w: Wiring, gate: BudgetGate): Metering {
  const recorded = new vscode.EventEmitter<UsageRecord>();
  w.context.subscriptions.push(recorded);
  const sink = new RecordSink(w.ledger, (m) => {
    w.log.error(m);
    void vscode.window.showErrorMessage(`Rightsize: ${m}`);
  });
  w.context.subscriptions.push(sink);

  const meter = new StatusMeter();
  w.context.subscriptions.push(meter);
  const ollamaLine = () => {
    const st = w.registry.ollamaStatus;
    return st.state === 'ok' ? `running (v${st.version}, ${st.models} models)` : st.state === 'unreachable' ? st.message : 'not checked yet';
  };
  let gatewayLine = (): string | undefined => undefined;
  const refreshMeter = () => meter.update({ session: w.session.report(), budgets: gate.lines(), ollama: ollamaLine(), gateway: gatewayLine() });
  if (gate.lines().length > 0) refreshMeter();

  const append = (record: UsageRecord) => {
    sink.append(record);
    if (record.model.provider === 'ollama') w.registry.forgetSnapshot();
    if (record.session === w.session.id) w.session.records.push(record);
    refreshMeter();
    recorded.fire(record);
  };
  return { recorded, meter, refreshMeter, append, setGatewayLine: (line) => { gatewayLine = line; } };
}

/** Budget baseline (usage recorded before this window started): read from the ledger's rollups off the
 *  activation path, and again when the window regains focus (other windows spend too). Returns a function
 *  that waits for the first read, starting it when it has not started. */
function watchBudgetBaseline(w: Wiring, budgets: Budgets, metering: Metering): () => Promise<void> {
  let baselineLoaded: Promise<void> | undefined;
  const loadBaseline = () => {
    const tailFromHere = budgets.sharedBudget.beginBaseline();
    return (baselineLoaded = periodTotals(w.ledger(), w.workspace.id, new Date(), w.session.id)
    .then((t) => {
      // Records this window wrote are in the ledger too: subtract them, the gate counts them itself.
      const mine = w.session.report().totals;
      const own = { tokens: mine.tokens.input + mine.tokens.output, wh: mine.wh, usd: mine.usd };
      const minus = (a: { tokens: number; wh: number; usd: number }) => ({ tokens: Math.max(0, a.tokens - own.tokens), wh: Math.max(0, a.wh - own.wh), usd: Math.max(0, a.usd - own.usd) });
      budgets.gate.setBaseline({ day: minus(t.day), week: minus(t.week), month: minus(t.month) }, new Date());
      tailFromHere();
      metering.refreshMeter();
    })
    .catch((e: unknown) => w.log.warn(`could not read budget usage from the ledger: ${errorText(e)}`)));
  };
  const baselineTimer = setTimeout(() => { void loadBaseline(); }, 1500);
  w.context.subscriptions.push({ dispose: () => clearTimeout(baselineTimer) });
  w.context.subscriptions.push(vscode.window.onDidChangeWindowState((s) => { if (s.focused && baselineLoaded) void loadBaseline(); }));
  return async () => { if (!baselineLoaded) await loadBaseline(); };
}

function createPipeline(w: Wiring, budgets: Budgets, metering: Metering, ensureBaseline: () => Promise<void>): { pipeline: Pipeline; pipelineDeps: PipelineDeps; learning: RoutingLearning } {
  // What routing learned from the user (a file in globalStorage: this machine only, never synced).
  let pipeline: Pipeline;
  const learning = new RoutingLearning(w.context.globalStorageUri, { pipeline: () => pipeline, candidates: () => w.registry.candidates(), workspace: () => w.workspace, log: w.log, autoModelId: AUTO_MODEL_ID });
  w.context.subscriptions.push(learning);
  const gpuPower = new GpuPowerSampler();
  const pipelineDeps: PipelineDeps = {
    candidates: async () => {
      await ensureBaseline();
      return w.registry.candidates();
    },
    backendFor: (m) => w.registry.backendFor(m),
    countInputTokens: (r: ChatRequest, m?: ModelSpec) => sharedTokenCounter().countMessages(r.messages, r.tools, m?.tokenizer),
    gate: budgets.gate,
    conversations: budgets.conversations,
    append: metering.append,
    settings: (): PipelineSettings => {
      const c = w.settings.value;
      return { mode: c.mode, objective: c.objective, localOnly: c.localOnly, localPreference: c.localPreference, estimate: w.estimateSettings(), referenceModel: c.referenceModel };
    },
    learned: (r) => learning.learnedFor(r),
    ollamaSnapshot: () => w.registry.ollamaSnapshot(),
    log: (line) => w.log.info(line),
    // Measured GPU power, when the settings leave the device to us and Ollama runs on this machine.
    samplePowerW: () => {
      const c = w.settings.value;
      if (c.energy.device !== 'auto' || c.energy.devicePowerW || !isLoopbackUrl(c.ollamaHost)) return Promise.resolve(undefined);
      return gpuPower.sample();
    },
  };
  pipeline = new Pipeline(pipelineDeps);
  return { pipeline, pipelineDeps, learning };
}

function noModelsHelp(registry: ModelRegistry): string {
  const st = registry.ollamaStatus;
  const cloud = 'Or add an OpenAI or Anthropic key with “Rightsize: Manage API Keys…” (or sign in to GitHub Copilot).';
  if (st.state === 'ok') return `Ollama ${st.version} is running but has no models. Pull one, e.g. \`ollama pull qwen2.5-coder:7b\`, then run “Rightsize: Refresh Models”. ${cloud}`;
  if (st.state === 'unreachable') return `${st.message} ${cloud}`;
  return `Start Ollama (\`ollama serve\`, default address http://127.0.0.1:11434) and pull a model, e.g. \`ollama pull qwen2.5-coder:7b\`. ${cloud}`;
}

/** The chat door: Rightsize's models in VS Code's model picker. */
function registerChatProvider(w: Wiring, pipeline: Pipeline, learning: RoutingLearning): void {
  const hints = new SuggestionHints(w.settings);
  const capture = requestCapture(process.env, w.context.extensionMode !== vscode.ExtensionMode.Production);
  const onEvent = (event: PipelineEvent, request: ChatRequest) => {
    learning.observe(event, request);
    if (event.type === 'decision') capture?.(request);
    if (event.type === 'decision' && event.mode === 'suggest') hints.consider(event.model, event.decision.estimate, event.suggestion);
    else if (event.type === 'notice' && !event.inResponse) void vscode.window.showWarningMessage(event.message);
  };

  const provider = new RightsizeChatProvider({
    pipeline,
    candidates: () => w.registry.candidates(),
    onDidChangeModels: w.registry.onDidChange,
    countTokens: (input, model) => (typeof input === 'string'
      ? sharedTokenCounter().countText(input, model?.tokenizer)
      : sharedTokenCounter().countMessages([input], undefined, model?.tokenizer)),
    workspace: () => w.workspace,
    session: () => w.session.id,
    onEvent,
    responseNote: (e) => learning.responseNote(e) ?? (e.type === 'decision' && e.mode === 'auto' ? memoryNote(e.model, (e.decision as Partial<RouteDecision>).load) : undefined),
    noModelsHelp: () => noModelsHelp(w.registry),
    showModelLine: () => w.settings.value.chatShowModelLine,
    autoWindow: () => w.settings.value.chatAutoWindow,
    log: w.log,
  });
  w.context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider('rightsize', provider));
  // Let the model picker list Rightsize's models (VS Code asks a vendor only after a change event).
  const announceTimer = setTimeout(() => w.registry.announce(), 500);
  w.context.subscriptions.push({ dispose: () => clearTimeout(announceTimer) });
}

function registerUsagePanel(w: Wiring, gate: BudgetGate, metering: Metering, learning: RoutingLearning): UsagePanelHost {
  UsagePanel.log = (m) => w.log.warn(`usage panel: ${m}`);
  const panel = new UsagePanelHost(w.context, {
    ledger: w.ledger,
    workspace: () => w.workspace,
    sessionReport: () => w.session.report(),
    budgets: () => gate.lines(),
    onDidRecord: metering.recorded.event,
    log: w.log,
    learned: () => learning.describe().map((l) => ({ summary: l.summary, above: l.above, escalations: l.escalations, accepted: l.accepted, holdFor: l.holdFor, lapses: l.lapses })),
    onDidChangeLearning: learning.onDidChange,
  });
  w.context.subscriptions.push(panel);
  return panel;
}

/** OTLP export (off unless the user turns it on; the OpenTelemetry code loads only then). */
function registerOtlpExport(w: Wiring, metering: Metering): OtlpExportController {
  const otlp = new OtlpExportController(w.ledger, () => w.settings.value.otlp, metering.recorded.event, w.context.secrets, w.log);
  w.context.subscriptions.push(otlp, w.settings.onDidChange(() => { void otlp.reconfigure(); }));
  void otlp.reconfigure();
  return otlp;
}

function services(w: Wiring, o: { pipeline: Pipeline; learning: RoutingLearning; panel: UsagePanelHost; otlp: OtlpExportController; gate: BudgetGate; metering: Metering }): Services {
  return {
    settings: w.settings, keys: w.keys, registry: w.registry, pipeline: o.pipeline, learning: o.learning, log: w.log,
    noModelsHelp: () => noModelsHelp(w.registry),
    workspace: () => w.workspace,
    session: () => w.session.id,
    resetSession: () => {
      w.session.reset();
      o.gate.resetSession();
      o.metering.refreshMeter();
      w.log.info(`new session ${w.session.id}`);
    },
    deviceProfiles: () => listDeviceProfiles(),
    openUsage: () => o.panel.show(),
    exportUsage: () => o.panel.exportInteractive(),
    editOtlpHeaders: () => o.otlp.editSecretHeaders(),
  };
}

/**
 * Off the activation path, before Copilot's first prompt: load the encoder and build its piece table (a few
 * hundred ms of CPU, the table in slices that yield), so the first prompt's token counts find both ready
 * instead of loading the encoder inside the first provideTokenCount.
 */
function scheduleTokenizerWarmUp(w: Wiring): void {
  // Counts kept from earlier sessions (core/tokens/countStore.ts: keys and counts, no text), loaded after the
  // warm-up and saved every few minutes when new text was counted, and at exit.
  const persisted = new CountPersistence(sharedTokenCounter(), vscode.Uri.joinPath(w.context.globalStorageUri, COUNT_STORE_FILE_NAME).fsPath, (m) => w.log.warn(`token counts: ${m}`));
  let loaded = false;
  let saver: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    const t0 = performance.now();
    void sharedTokenCounter().warmUp().then(() => {
      const t1 = performance.now();
      const added = persisted.load();
      loaded = true;
      w.log.info(`tokenizer warmed up in ${(t1 - t0).toFixed(0)} ms (piece table ${pieceTableStatus()}); ${added} token counts from earlier sessions loaded in ${(performance.now() - t1).toFixed(0)} ms`);
      saver = setInterval(() => persisted.save(), TOKEN_COUNTS_SAVE_INTERVAL_MS);
      saver.unref?.();
    });
  }, TOKENIZER_WARM_UP_DELAY_MS);
  w.context.subscriptions.push({
    dispose: () => {
      clearTimeout(timer);
      if (saver) clearInterval(saver);
      if (loaded) persisted.save();
    },
  });
}

function rightsizeApi(w: Wiring, o: { activationMs: number; tokenizerLoadedDuringActivation: boolean; metering: Metering; budgets: Budgets; otlp: OtlpExportController; gateway: GatewayController }): RightsizeApi {
  const version = String(w.context.extension.packageJSON.version);
  return {
    version,
    statusBar: () => o.metering.meter.snapshot,
    sessionReport: () => w.session.report(),
    onDidRecord: o.metering.recorded.event,
    ledgerDir: w.ledgerDir,
    get sessionId() { return w.session.id; },
    autoModelId: AUTO_MODEL_ID,
    diagnostics: () => ({ activationMs: o.activationMs, tokenizerLoadedDuringActivation: o.tokenizerLoadedDuringActivation, tokenizer: tokenizerLoadCounts().wasm > 0 ? pieceTableStatus() : 'not loaded', modelsDiscovered: w.registry.discovered }),
    ...(w.testing ? {
      setApiKeyForTesting: (p: 'openai' | 'anthropic', key: string | undefined) => (key ? w.keys.set(p, key) : w.keys.delete(p)),
      effectiveConfigForTesting: () => w.settings.value,
      refreshModelsForTesting: () => w.registry.refresh(),
      exportStatusForTesting: () => o.otlp.status(),
      startGatewayForTesting: async () => ({ url: (await o.gateway.start()).url, token: await o.gateway.tokenForTesting() }),
      terminalEnvForTesting: () => o.gateway.terminalEnvForTesting(),
      answerConversationLimitsForTesting: (answers: ConversationAnswer[]) => {
        o.budgets.scripted.answers = [...answers];
        o.budgets.scripted.asked = [];
        return o.budgets.scripted.asked;
      },
    } : {}),
  };
}

function newSessionId(): string {
  return `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
