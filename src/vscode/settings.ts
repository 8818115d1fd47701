// Reads Rightsize's settings once per change, validates them in the core (`parseConfig`) and hands
// typed values down. Security: anything that receives a key or prompts (endpoint URLs, the ledger
// directory) is read from user/machine values only — a cloned repository's .vscode/settings.json
// cannot redirect them, whatever VS Code's own scope handling does.
import * as vscode from 'vscode';
import { parseConfig, RightsizeConfig } from '../core/config';

/** Keys (relative to `rightsize.`) read from user-level values only. */
export const USER_ONLY_KEYS: ReadonlySet<string> = new Set([
  'ollama.host', 'ollama.memoryGiB', 'openai.baseUrl', 'anthropic.baseUrl', 'ledger.directory', 'cloudModels', 'useCopilotModels',
  'energy.device', 'energy.devicePowerWatts', 'money.electricityUsdPerKwh', 'money.hardwarePriceUsd',
  'money.hardwareLifetimeHours', 'carbon.gridIntensityGPerKwh', 'carbon.cloudGridIntensityGPerKwh', 'carbon.includeEmbodied',
  'import.background', 'import.intervalMinutes', 'import.claudeCode.directories', 'import.codex.directory', 'import.copilot.file',
  'import.copilot.receiver', 'import.copilot.receiverPort',
  // OTLP export: a cloned repository must not turn it on or send your usage elsewhere.
  'export.otlp.enabled', 'export.otlp.endpoint', 'export.otlp.protocol', 'export.otlp.headers', 'export.otlp.resourceAttributes',
  // The gateway: a cloned repository must not start a listener or put variables into your terminals.
  'gateway.autoStart', 'gateway.port', 'gateway.terminalEnv', 'gateway.autoModelAliases',
]);

/** Where the value in force comes from. */
export type SettingSource = 'workspaceFolder' | 'workspace' | 'user' | 'default';

/** One setting as Rightsize applies it: the value in force, its source, and a workspace value it ignores. */
export interface SettingInForce {
  /** The value in force (undefined: the built-in default). */
  readonly value: unknown;
  readonly source: SettingSource;
  /** A workspace value that is set but ignored (untrusted workspace, or a user-only key). */
  readonly ignoredWorkspaceValue?: unknown;
}

type Inspected = { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown };

/** The trust filter: which of a setting's values Rightsize applies (the pipeline and every command use it). */
export function settingInForce(key: string, info: Inspected, trusted: boolean): SettingInForce {
  const folder = info.workspaceFolderValue;
  const workspace = folder ?? info.workspaceValue;
  const user: SettingInForce = info.globalValue !== undefined ? { value: info.globalValue, source: 'user' } : { value: undefined, source: 'default' };
  if (USER_ONLY_KEYS.has(key) || !trusted) {
    // Untrusted workspaces: workspace budget/routing settings are ignored (manifest says so).
    return workspace !== undefined ? { ...user, ignoredWorkspaceValue: workspace } : user;
  }
  if (workspace !== undefined) return { value: workspace, source: folder !== undefined ? 'workspaceFolder' : 'workspace' };
  return user;
}

export class Settings implements vscode.Disposable {
  private current: RightsizeConfig;
  private lastErrors: string[] = [];
  private readonly emitter = new vscode.EventEmitter<RightsizeConfig>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly keys: readonly string[], private readonly onErrors: (errors: string[]) => void) {
    this.current = this.read();
    const reread = () => {
      this.current = this.read();
      this.emitter.fire(this.current);
    };
    this.subscription = vscode.Disposable.from(
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('rightsize')) reread(); }),
      // Trusting the workspace lets its budget and routing settings apply.
      vscode.workspace.onDidGrantWorkspaceTrust(reread),
    );
  }

  get value(): RightsizeConfig {
    return this.current;
  }

  get errors(): readonly string[] {
    return this.lastErrors;
  }

  /** Whether the workspace's own settings apply (VS Code's workspace trust). */
  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** One setting (relative to `rightsize.`) through the same trust filter as `value`. */
  inForce(key: string): SettingInForce {
    const info = vscode.workspace.getConfiguration('rightsize').inspect(key);
    return info ? settingInForce(key, info, this.trusted) : { value: undefined, source: 'default' };
  }

  private read(): RightsizeConfig {
    const cfg = vscode.workspace.getConfiguration('rightsize');
    const trusted = vscode.workspace.isTrusted;
    const raw: Record<string, unknown> = {};
    for (const key of this.keys) {
      const info = cfg.inspect(key);
      if (info) raw[key] = settingInForce(key, info, trusted).value;
    }
    const { config, errors } = parseConfig(raw);
    const changed = errors.join('\n') !== this.lastErrors.join('\n');
    this.lastErrors = errors;
    if (changed && errors.length > 0) this.onErrors(errors);
    return config;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/** Setting keys (relative to `rightsize.`) declared in the manifest. */
export function manifestSettingKeys(packageJSON: { contributes?: { configuration?: { properties?: Record<string, unknown> } } }): string[] {
  return Object.keys(packageJSON.contributes?.configuration?.properties ?? {})
    .filter((k) => k.startsWith('rightsize.'))
    .map((k) => k.slice('rightsize.'.length));
}
