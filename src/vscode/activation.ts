// Wires the VS Code adapters to the core. Activation does no heavy work: the tokenizer, the ledger
// read and model discovery happen on first use (or shortly after startup, off the activation path).
import * as os from 'os';
import * as vscode from 'vscode';
import { BudgetGate } from '../core/budget/budgetGate';
import { SharedBudget } from '../core/budget/sharedBudget';
import { AskConversationLimit, ConversationAnswer, ConversationBudget, ConversationLimitEvent } from '../core/budget/conversationBudget';
import { RightsizeConfig } from '../core/config';
import { EstimateSettings, listDeviceProfiles, DeviceProfile } from '../core/estimate';
import { toEstimateSettings } from '../core/estimateConfig';
import { GpuPowerSampler, isLoopbackUrl } from '../core/energy/powerSampler';
import { defaultLedgerDir, Ledger } from '../core/ledger';
import { Pipeline, PipelineDeps, PipelineEvent, PipelineSettings } from '../core/pipeline';
import { aggregate, periodTotals } from '../core/report';
import { pieceTableStatus, sharedTokenCounter, tokenizerLoadCounts } from '../core/tokens';
import { ChatMessage, ChatRequest, ModelSpec, UsageRecord, UsageReport, WorkspaceRef } from '../core/types';
import { ApiKeys } from './apiKeys';
import { watchBudgets } from './budgetNotifier';
import { AUTO_MODEL_ID, RightsizeChatProvider } from './chatProvider';
import { registerCommands } from './commands';
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

/** Delay between activation and the tokenizer's background warm-up. */
const TOKENIZER_WARM_UP_DELAY_MS = 4000;
import { currentWorkspace } from './workspaceIdentity';

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
  /** `tokenizerLoadedDuringActivation`: whether activate() itself loaded it; `tokenizer`: now (none, building, ready). */
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
  /** Only in development/test mode: what OTLP export is doing. */
  exportStatusForTesting?(): OtlpExportStatus;
}

/** The services the commands and doors share. */
export interface Services {
  settings: Settings;
  keys: ApiKeys;
  registry: ModelRegistry;
  pipeline: Pipeline;
  learning: RoutingLearning;
  log: vscode.LogOutputChannel;
  workspace(): WorkspaceRef;
  session(): string;
  resetSession(): void;
  /** How to get a first model (start Ollama, add a key), phrased from what was found. */
  noModelsHelp(): string;
  deviceProfiles(): DeviceProfile[];
  openUsage(): void;
  exportUsage(): Promise<void>;
  editOtlpHeaders(): Promise<void>;
}

export function activateRightsize(context: vscode.ExtensionContext): RightsizeApi {
  const activationStarted = performance.now();
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
  const getLedger = () => (ledger ??= new Ledger(ledgerDir, { onWarning: (m) => log.warn(`ledger: ${m}`) }));
  const workspace = currentWorkspace();
  // This window's sessions: their records are counted by the gate itself; every other record of the
  // workspace in the ledger, and every other window's request in flight, is seen before admitting.
  const mySessions = new Set<string>();
  const sharedBudget = new SharedBudget({ ledgerDir, workspaceId: workspace.id, ownSessions: () => mySessions, onWarning: (m) => log.warn(`budget: ${m}`) });
  const gate = new BudgetGate(settings.value.budget, { shared: sharedBudget });
  const testing = context.extensionMode !== vscode.ExtensionMode.Production;
  const askUser = askConversationLimit(log);
  let scriptedAnswers: ConversationAnswer[] = [];
  let askedForTesting: ConversationLimitEvent[] = [];
  const ask: AskConversationLimit = (e, signal) => {
    if (!testing || scriptedAnswers.length === 0) return askUser(e, signal);
    askedForTesting.push(e);
    return Promise.resolve(scriptedAnswers.shift()!);
  };
  const conversations = new ConversationBudget(settings.value.conversationBudget, { ask });
  let sessionId = newSessionId();
  mySessions.add(sessionId);
  let sessionRecords: UsageRecord[] = [];
  let estimateSettings: EstimateSettings = toEstimateSettings(settings.value.energy, process.platform, process.arch);

  const recorded = new vscode.EventEmitter<UsageRecord>();
  context.subscriptions.push(recorded);
  const sink = new RecordSink(getLedger, (m) => {
    log.error(m);
    void vscode.window.showErrorMessage(`Rightsize: ${m}`);
  });
  context.subscriptions.push(sink);

  const meter = new StatusMeter();
  context.subscriptions.push(meter);
  const sessionReport = (): UsageReport => aggregate(sessionRecords, { kind: 'session', session: sessionId });
  const ollamaLine = () => {
    const st = registry.ollamaStatus;
    return st.state === 'ok' ? `running (v${st.version}, ${st.models} models)` : st.state === 'unreachable' ? st.message : 'not checked yet';
  };
  let gatewayLine = (): string | undefined => undefined;
  const refreshMeter = () => meter.update({ session: sessionReport(), budgets: gate.lines(), ollama: ollamaLine(), gateway: gatewayLine() });
  if (gate.lines().length > 0) refreshMeter();

  const append = (record: UsageRecord) => {
    sink.append(record);
    if (record.model.provider === 'ollama') registry.forgetSnapshot();
    if (record.session === sessionId) sessionRecords.push(record);
    refreshMeter();
    recorded.fire(record);
  };

  const pipelineSettings = (): PipelineSettings => {
    const c = settings.value;
    return { mode: c.mode, objective: c.objective, localOnly: c.localOnly, localPreference: c.localPreference, estimate: estimateSettings, referenceModel: c.referenceModel };
  };
  const countTokens = (messages: ChatMessage[], model?: ModelSpec) => sharedTokenCounter().countMessages(messages, undefined, model?.tokenizer);

  // Budget baseline (usage recorded before this window started): read from the ledger's rollups
  // off the activation path, and again when the window regains focus (other windows spend too).
  let baselineLoaded: Promise<void> | undefined;
  const loadBaseline = () => {
    const tailFromHere = sharedBudget.beginBaseline();
    return (baselineLoaded = periodTotals(getLedger(), workspace.id, new Date(), sessionId)
    .then((t) => {
      // Records this window wrote are in the ledger too: subtract them, the gate counts them itself.
      const mine = sessionReport().totals;
      const own = { tokens: mine.tokens.input + mine.tokens.output, wh: mine.wh, usd: mine.usd };
      const minus = (a: { tokens: number; wh: number; usd: number }) => ({ tokens: Math.max(0, a.tokens - own.tokens), wh: Math.max(0, a.wh - own.wh), usd: Math.max(0, a.usd - own.usd) });
      gate.setBaseline({ day: minus(t.day), week: minus(t.week), month: minus(t.month) }, new Date());
      tailFromHere();
      refreshMeter();
    })
    .catch((e: unknown) => log.warn(`could not read budget usage from the ledger: ${e instanceof Error ? e.message : String(e)}`)));
  };
  const baselineTimer = setTimeout(() => { void loadBaseline(); }, 1500);
  context.subscriptions.push({ dispose: () => clearTimeout(baselineTimer) });
  context.subscriptions.push(vscode.window.onDidChangeWindowState((s) => { if (s.focused && baselineLoaded) void loadBaseline(); }));

  // What routing learned from the user (a file in globalStorage: this machine only, never synced).
  let pipeline: Pipeline;
  const learning = new RoutingLearning(context.globalStorageUri, { pipeline: () => pipeline, candidates: () => registry.candidates(), workspace: () => workspace, log, autoModelId: AUTO_MODEL_ID });
  context.subscriptions.push(learning);
  const gpuPower = new GpuPowerSampler();
  const hints = new SuggestionHints(settings);
  const pipelineDeps: PipelineDeps = {
    candidates: async () => {
      if (!baselineLoaded) await loadBaseline();
      return registry.candidates();
    },
    backendFor: (m) => registry.backendFor(m),
    countInputTokens: (r: ChatRequest, m?: ModelSpec) => sharedTokenCounter().countMessages(r.messages, r.tools, m?.tokenizer),
    gate,
    conversations,
    append,
    settings: pipelineSettings,
    learned: (r) => learning.learnedFor(r),
    ollamaSnapshot: () => registry.ollamaSnapshot(),
    log: (line) => log.info(line),
    // Measured GPU power, when the settings leave the device to us and Ollama runs on this machine.
    samplePowerW: () => {
      const c = settings.value;
      if (c.energy.device !== 'auto' || c.energy.devicePowerW || !isLoopbackUrl(c.ollamaHost)) return Promise.resolve(undefined);
      return gpuPower.sample();
    },
  };
  pipeline = new Pipeline(pipelineDeps);

  const noModelsHelp = (): string => {
    const st = registry.ollamaStatus;
    const cloud = 'Or add an OpenAI or Anthropic key with “Rightsize: Manage API Keys…” (or sign in to GitHub Copilot).';
    if (st.state === 'ok') return `Ollama ${st.version} is running but has no models. Pull one, e.g. \`ollama pull qwen2.5-coder:7b\`, then run “Rightsize: Refresh Models”. ${cloud}`;
    if (st.state === 'unreachable') return `${st.message} ${cloud}`;
    return `Start Ollama (\`ollama serve\`, default address http://127.0.0.1:11434) and pull a model, e.g. \`ollama pull qwen2.5-coder:7b\`. ${cloud}`;
  };

  const capture = requestCapture(process.env, context.extensionMode !== vscode.ExtensionMode.Production);
  const onEvent = (event: PipelineEvent, request: ChatRequest) => {
    learning.observe(event, request);
    if (event.type === 'decision') capture?.(request);
    if (event.type === 'decision' && event.mode === 'suggest') hints.consider(event.model, event.decision.estimate, event.suggestion);
    else if (event.type === 'notice' && !event.inResponse) void vscode.window.showWarningMessage(event.message);
  };

  const provider = new RightsizeChatProvider({
    pipeline,
    candidates: () => registry.candidates(),
    onDidChangeModels: registry.onDidChange,
    countTokens: (input, model) => (typeof input === 'string'
      ? sharedTokenCounter().countText(input, model?.tokenizer)
      : countTokens([input], model)),
    workspace: () => workspace,
    session: () => sessionId,
    onEvent,
    responseNote: (e) => learning.responseNote(e) ?? (e.type === 'decision' && e.mode === 'auto' ? memoryNote(e.model, (e.decision as Partial<RouteDecision>).load) : undefined),
    noModelsHelp,
    showModelLine: () => settings.value.chatShowModelLine,
    autoWindow: () => settings.value.chatAutoWindow,
    log,
  });
  context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider('rightsize', provider));
  // Let the model picker list Rightsize's models (VS Code asks a vendor only after a change event).
  const announceTimer = setTimeout(() => registry.announce(), 500);
  context.subscriptions.push({ dispose: () => clearTimeout(announceTimer) });

  context.subscriptions.push(settings.onDidChange((c) => {
    gate.setPolicy(c.budget);
    conversations.setPolicy(c.conversationBudget);
    estimateSettings = toEstimateSettings(c.energy, process.platform, process.arch);
    registry.reconfigure();
    refreshMeter();
  }));
  context.subscriptions.push(watchBudgets(gate, () => settings.value.budget.action));

  UsagePanel.log = (m) => log.warn(`usage panel: ${m}`);
  const panel = new UsagePanelHost(context, {
    ledger: getLedger,
    workspace: () => workspace,
    sessionReport,
    budgets: () => gate.lines(),
    onDidRecord: recorded.event,
    log,
    learned: () => learning.describe().map((l) => ({ summary: l.summary, above: l.above, escalations: l.escalations, accepted: l.accepted, holdFor: l.holdFor, lapses: l.lapses })),
    onDidChangeLearning: learning.onDidChange,
  });
  context.subscriptions.push(panel);

  // OTLP export (off unless the user turns it on; the OpenTelemetry code loads only then).
  const otlp = new OtlpExportController(getLedger, () => settings.value.otlp, recorded.event, context.secrets, log);
  context.subscriptions.push(otlp, settings.onDidChange(() => { void otlp.reconfigure(); }));
  void otlp.reconfigure();

  const services: Services = {
    settings, keys, registry, pipeline, learning, log, noModelsHelp,
    workspace: () => workspace,
    session: () => sessionId,
    resetSession: () => {
      sessionId = newSessionId();
      mySessions.add(sessionId);
      sessionRecords = [];
      gate.resetSession();
      refreshMeter();
      log.info(`new session ${sessionId}`);
    },
    deviceProfiles: () => listDeviceProfiles(),
    openUsage: () => panel.show(),
    exportUsage: () => panel.exportInteractive(),
    editOtlpHeaders: () => otlp.editSecretHeaders(),
  };
  registerCommands(context, services);
  const gateway = new GatewayController({
    settings, secrets: context.secrets, environment: context.environmentVariableCollection, pipeline: pipelineDeps, conversationModels: pipeline.conversationModels,
    workspace: () => workspace, session: () => sessionId, log, onDidChangeStatus: () => refreshMeter(),
  });
  gatewayLine = () => gateway.statusLine();
  context.subscriptions.push(gateway);
  context.subscriptions.push(new Imports({
    settings, secrets: context.secrets, ledger: getLedger, estimateSettings: () => estimateSettings, log,
    onDidRecord: recorded.event, onImported: (last) => recorded.fire(last),
  }));

  const activationMs = performance.now() - activationStarted;
  const tokenizerLoadedDuringActivation = tokenizerLoadCounts().wasm > 0;
  // Off the activation path, before Copilot's first prompt: load the encoder and build its piece table (a few
  // hundred ms of CPU, the table in slices that yield), so the first prompt's token counts find both ready
  // instead of loading the encoder inside the first provideTokenCount.
  const warmUpTimer = setTimeout(() => {
    const t0 = performance.now();
    void sharedTokenCounter().warmUp().then(() => log.info(`tokenizer warmed up in ${(performance.now() - t0).toFixed(0)} ms (piece table ${pieceTableStatus()})`));
  }, TOKENIZER_WARM_UP_DELAY_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(warmUpTimer) });
  log.info(`Rightsize ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms; session ${sessionId}; workspace ${workspace.id}; ledger ${ledgerDir}`);
  return {
    version: String(context.extension.packageJSON.version),
    statusBar: () => meter.snapshot,
    sessionReport,
    onDidRecord: recorded.event,
    ledgerDir,
    get sessionId() { return sessionId; },
    autoModelId: AUTO_MODEL_ID,
    diagnostics: () => ({ activationMs, tokenizerLoadedDuringActivation, tokenizer: tokenizerLoadCounts().wasm > 0 ? pieceTableStatus() : 'not loaded', modelsDiscovered: registry.discovered }),
    ...(testing ? {
      setApiKeyForTesting: (p: 'openai' | 'anthropic', key: string | undefined) => (key ? keys.set(p, key) : keys.delete(p)),
      effectiveConfigForTesting: () => settings.value,
      refreshModelsForTesting: () => registry.refresh(),
      exportStatusForTesting: () => otlp.status(),
      startGatewayForTesting: async () => ({ url: (await gateway.start()).url, token: await gateway.tokenForTesting() }),
      answerConversationLimitsForTesting: (answers: ConversationAnswer[]) => {
        scriptedAnswers = [...answers];
        askedForTesting = [];
        return askedForTesting;
      },
    } : {}),
  };
}

function newSessionId(): string {
  return `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
