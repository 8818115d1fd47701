// Configuration is read and validated in one place and handed down as typed values. The VS Code
// adapter (src/vscode/settings.ts) and the CLI both turn their raw input into a flat object of
// keys relative to `rightsize.` and call `parseConfig`. Nothing deep in the core reads settings.
import { DEFAULT_NETWORK_LIMITS } from './backends/guardedFetch';
import { parseBudgetPolicy } from './budget/budgetConfig';
import { DEFAULT_ELECTRICITY_USD_PER_KWH, DEFAULT_LOCAL_PREFERENCE } from './defaults';
import { ConversationPolicy, defaultConversationPolicy, parseConversationPolicy } from './budget/conversationBudgetConfig';
import { OtlpExportConfig, defaultOtlpConfig, parseOtlpSettings } from './export/otlpConfig';
import { BudgetPolicy, ImportSource, Objective, Bounds, RoutingMode, TaskClass } from './types';

export interface EnergyConfig {
  /** Device profile id, or `auto`. */
  device: string;
  /** Custom [min, max] watts; overrides the profile. */
  devicePowerW?: Bounds;
  electricityUsdPerKwh: number;
  hardwarePriceUsd: number;
  hardwareLifetimeHours: number;
  gridGPerKwh: number;
  /** Cloud electricity's intensity; undefined: each provider's data-centre region. */
  cloudGridGPerKwh?: number;
  /** Add embodied emissions to the headline CO2e (always recorded separately). */
  includeEmbodied: boolean;
}

/** Imports of other assistants' usage (user/machine settings only). */
export interface ImportConfig {
  /** Sources imported in the background, every `intervalMinutes`. */
  background: ImportSource[];
  intervalMinutes: number;
  /** Empty: Claude Code's defaults ($CLAUDE_CONFIG_DIR, ~/.config/claude, ~/.claude). */
  claudeDirectories: string[];
  /** Empty: $CODEX_HOME/sessions or ~/.codex/sessions. */
  codexDirectory: string;
  /** Copilot Chat's JSON-lines telemetry file; empty: Copilot's own `github.copilot.chat.otel.outfile`. */
  copilotFile: string;
  /** Run the OTLP/HTTP receiver Copilot Chat sends its telemetry to. */
  copilotReceiver: boolean;
  copilotReceiverPort: number;
}

/** The loopback gateway for terminal and IDE agents (user/machine settings only). */
export interface GatewayConfig {
  /** Start it when VS Code starts. */
  autoStart: boolean;
  port: number;
  /** Put the gateway's environment variables into VS Code's integrated terminals. */
  terminalEnv: boolean;
  /** Model names that mean “route it”, besides `rightsize-auto`. */
  autoModelAliases: string[];
}

/** Deadlines of every request to a model server (src/core/backends/guardedFetch.ts). */
export interface NetworkConfig {
  /** Connecting, then the status line and headers. */
  responseTimeoutMs: number;
  /** Longest silence inside an answer. */
  idleTimeoutMs: number;
  /** The whole answer. */
  totalTimeoutMs: number;
}

export interface RightsizeConfig {
  mode: RoutingMode;
  objective: Objective;
  localOnly: boolean;
  /** Prefer a capable local model unless cloud is more than this many times cheaper (router). */
  localPreference: number;
  ollamaHost: string;
  /** Memory of the machine Ollama runs on, GiB (caps num_ctx); absent: this machine's when Ollama is local. */
  ollamaMemoryGiB?: number;
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  cloudModels: string[];
  /** Empty: the most capable configured model. */
  referenceModel: string;
  useCopilotModels: boolean;
  /** The chat answer's first line names the model Auto chose and why. */
  chatShowModelLine: boolean;
  /** The window Rightsize Auto advertises to the chat (core/chat/autoWindow.ts). */
  chatAutoWindow: 'local' | 'largest';
  budget: BudgetPolicy;
  /** Limits for one chat conversation (`rightsize.budget.conversation.*`). */
  conversationBudget: ConversationPolicy;
  energy: EnergyConfig;
  /** Empty: the per-user default. */
  ledgerDir: string;
  mutedTasks: TaskClass[];
  imports: ImportConfig;
  /** OTLP export (user/machine settings only). */
  otlp: OtlpExportConfig;
  gateway: GatewayConfig;
  network: NetworkConfig;
}

export const DEFAULT_CONFIG: Readonly<RightsizeConfig> = Object.freeze({
  mode: 'suggest',
  objective: 'balanced',
  localOnly: false,
  localPreference: DEFAULT_LOCAL_PREFERENCE,
  ollamaHost: 'http://127.0.0.1:11434',
  openaiBaseUrl: 'https://api.openai.com/v1',
  anthropicBaseUrl: 'https://api.anthropic.com',
  cloudModels: ['gpt-5-mini', 'gpt-5', 'claude-sonnet-4-5', 'claude-haiku-4-5'],
  referenceModel: '',
  useCopilotModels: true,
  chatShowModelLine: true,
  chatAutoWindow: 'largest',
  budget: { limits: {}, warnAt: 0.8, action: 'warn' },
  conversationBudget: defaultConversationPolicy(),
  energy: {
    device: 'auto',
    electricityUsdPerKwh: DEFAULT_ELECTRICITY_USD_PER_KWH,
    hardwarePriceUsd: 0,
    hardwareLifetimeHours: 8000,
    gridGPerKwh: 473,
    includeEmbodied: false,
  },
  ledgerDir: '',
  mutedTasks: [],
  imports: { background: [], intervalMinutes: 10, claudeDirectories: [], codexDirectory: '', copilotFile: '', copilotReceiver: false, copilotReceiverPort: 4328 },
  otlp: defaultOtlpConfig(),
  gateway: { autoStart: false, port: 4242, terminalEnv: false, autoModelAliases: [] },
  network: {
    responseTimeoutMs: DEFAULT_NETWORK_LIMITS.responseTimeoutMs,
    idleTimeoutMs: DEFAULT_NETWORK_LIMITS.idleTimeoutMs,
    totalTimeoutMs: DEFAULT_NETWORK_LIMITS.totalTimeoutMs,
  },
} as RightsizeConfig);

const IMPORT_SOURCE_IDS: readonly ImportSource[] = ['claude-code', 'codex', 'copilot-otel'];

const TASKS: readonly TaskClass[] = ['completion', 'explain', 'document', 'test', 'fix', 'refactor', 'multiFile', 'design', 'agentic'];

/**
 * Parses a flat settings object (keys relative to `rightsize.`, e.g. `mode`, `budget.day.usd`).
 * Invalid values fall back to the default and produce a message naming the full setting.
 */
/** The settings whose keys start with `prefix`, with the prefix taken off (`budget.day.usd` → `day.usd`);
 *  keys starting with `except` are left out. */
function settingsUnder(raw: Readonly<Record<string, unknown>>, prefix: string, except?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (k.startsWith(prefix) && !(except && k.startsWith(except))) out[k.slice(prefix.length)] = v;
  return out;
}

function energySettings(p: FieldReader, d: RightsizeConfig): RightsizeConfig['energy'] {
  return {
    device: p.string('energy.device', d.energy.device) || 'auto',
    electricityUsdPerKwh: p.number('money.electricityUsdPerKwh', d.energy.electricityUsdPerKwh, 0, 5),
    hardwarePriceUsd: p.number('money.hardwarePriceUsd', d.energy.hardwarePriceUsd, 0, 1e7),
    hardwareLifetimeHours: p.number('money.hardwareLifetimeHours', d.energy.hardwareLifetimeHours, 1, 1e7),
    gridGPerKwh: p.number('carbon.gridIntensityGPerKwh', d.energy.gridGPerKwh, 0, 2000),
    includeEmbodied: p.bool('carbon.includeEmbodied', d.energy.includeEmbodied),
  };
}

function importSettings(p: FieldReader, d: RightsizeConfig, errors: string[]): RightsizeConfig['imports'] {
  return {
    background: p.stringArray('import.background', d.imports.background).filter((s): s is ImportSource => {
      if ((IMPORT_SOURCE_IDS as readonly string[]).includes(s)) return true;
      errors.push(`rightsize.import.background: unknown source "${s}" (known: ${IMPORT_SOURCE_IDS.join(', ')})`);
      return false;
    }),
    intervalMinutes: p.number('import.intervalMinutes', d.imports.intervalMinutes, 1, 1440),
    claudeDirectories: p.stringArray('import.claudeCode.directories', d.imports.claudeDirectories),
    codexDirectory: p.string('import.codex.directory', d.imports.codexDirectory),
    copilotFile: p.string('import.copilot.file', d.imports.copilotFile),
    copilotReceiver: p.bool('import.copilot.receiver', d.imports.copilotReceiver),
    copilotReceiverPort: Math.round(p.number('import.copilot.receiverPort', d.imports.copilotReceiverPort, 1024, 65535)),
  };
}

function networkSettings(p: FieldReader, d: RightsizeConfig): RightsizeConfig['network'] {
  return {
    responseTimeoutMs: 1000 * p.number('network.responseTimeoutSeconds', d.network.responseTimeoutMs / 1000, 5, 3600),
    idleTimeoutMs: 1000 * p.number('network.idleTimeoutSeconds', d.network.idleTimeoutMs / 1000, 5, 3600),
    totalTimeoutMs: 60_000 * p.number('network.streamTimeoutMinutes', d.network.totalTimeoutMs / 60_000, 1, 1440),
  };
}

export function parseConfig(raw: Readonly<Record<string, unknown>>): { config: RightsizeConfig; errors: string[] } {
  const errors: string[] = [];
  const d = DEFAULT_CONFIG;
  const p = new FieldReader(raw, errors);

  const budget = parseBudgetPolicy(settingsUnder(raw, 'budget.', 'budget.conversation.'), 'rightsize.budget');
  errors.push(...budget.errors);
  const conversationBudget = parseConversationPolicy(settingsUnder(raw, 'budget.conversation.'));
  errors.push(...conversationBudget.errors);

  const config: RightsizeConfig = {
    mode: p.oneOf('mode', ['auto', 'suggest', 'off'] as const, d.mode),
    objective: p.oneOf('objective', ['energy', 'money', 'balanced'] as const, d.objective),
    localOnly: p.bool('localOnly', d.localOnly),
    localPreference: p.number('localPreference', d.localPreference, 1, 100),
    ollamaHost: p.httpUrl('ollama.host', d.ollamaHost),
    openaiBaseUrl: p.httpUrl('openai.baseUrl', d.openaiBaseUrl),
    anthropicBaseUrl: p.httpUrl('anthropic.baseUrl', d.anthropicBaseUrl),
    cloudModels: p.stringArray('cloudModels', d.cloudModels),
    referenceModel: p.string('referenceModel', d.referenceModel),
    useCopilotModels: p.bool('useCopilotModels', d.useCopilotModels),
    chatShowModelLine: p.bool('chat.showModelLine', d.chatShowModelLine),
    chatAutoWindow: p.oneOf('chat.autoWindow', ['local', 'largest'] as const, d.chatAutoWindow),
    budget: budget.policy,
    conversationBudget: conversationBudget.policy,
    energy: energySettings(p, d),
    ledgerDir: p.string('ledger.directory', d.ledgerDir),
    mutedTasks: p.stringArray('suggestions.mutedTasks', d.mutedTasks).filter((t): t is TaskClass => {
      if ((TASKS as readonly string[]).includes(t)) return true;
      errors.push(`rightsize.suggestions.mutedTasks: unknown kind of request "${t}" (known: ${TASKS.join(', ')})`);
      return false;
    }),
    imports: importSettings(p, d, errors),
    otlp: parseOtlpSettings(settingsUnder(raw, 'export.otlp.'), errors),
    gateway: {
      autoStart: p.bool('gateway.autoStart', d.gateway.autoStart),
      port: Math.round(p.number('gateway.port', d.gateway.port, 1024, 65535)),
      terminalEnv: p.bool('gateway.terminalEnv', d.gateway.terminalEnv),
      autoModelAliases: p.stringArray('gateway.autoModelAliases', d.gateway.autoModelAliases),
    },
    network: networkSettings(p, d),
  };
  const devicePowerW = p.wattRange('energy.devicePowerWatts');
  if (devicePowerW) config.energy.devicePowerW = devicePowerW;
  const ollamaMemoryGiB = p.optionalNumber('ollama.memoryGiB', 1, 65_536);
  if (ollamaMemoryGiB !== undefined) config.ollamaMemoryGiB = ollamaMemoryGiB;
  const cloudGrid = p.optionalNumber('carbon.cloudGridIntensityGPerKwh', 0, 2000);
  if (cloudGrid !== undefined) config.energy.cloudGridGPerKwh = cloudGrid;
  return { config, errors };
}

class FieldReader {
  constructor(private readonly raw: Readonly<Record<string, unknown>>, private readonly errors: string[]) {}

  private get(key: string): unknown {
    return this.raw[key];
  }

  private bad(key: string, what: string, value: unknown): void {
    this.errors.push(`rightsize.${key} ${what} (got ${describe(value)}); using the default`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.bad(key, `must be one of ${allowed.join(', ')}`, v);
    return fallback;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    this.bad(key, 'must be true or false', v);
    return fallback;
  }

  string(key: string, fallback: string): string {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string') return v.trim();
    this.bad(key, 'must be a string', v);
    return fallback;
  }

  httpUrl(key: string, fallback: string): string {
    const v = this.string(key, fallback);
    if (v === fallback) return fallback;
    try {
      const u = new URL(v);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password) return v.replace(/\/+$/, '');
    } catch { /* fall through */ }
    this.errors.push(`rightsize.${key} must be an http(s) URL without credentials; using the default`);
    return fallback;
  }

  number(key: string, fallback: number, min: number, max: number): number {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
    this.bad(key, `must be a number from ${min} to ${max}`, v);
    return fallback;
  }

  /** A number when set (null or absent: undefined, meaning "use the built-in rule"). */
  optionalNumber(key: string, min: number, max: number): number | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
    this.bad(key, `must be a number from ${min} to ${max}, or empty`, v);
    return undefined;
  }

  stringArray(key: string, fallback: readonly string[]): string[] {
    const v = this.get(key);
    if (v === undefined || v === null) return [...fallback];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...new Set(v.map((x: string) => x.trim()).filter(Boolean))];
    this.bad(key, 'must be a list of strings', v);
    return [...fallback];
  }

  wattRange(key: string): Bounds | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 5000) && v[0] <= v[1]) {
      return { min: v[0], max: v[1] };
    }
    this.bad(key, 'must be [min, max] watts with 0 < min ≤ max ≤ 5000', v);
    return undefined;
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'a list';
  return typeof v;
}
