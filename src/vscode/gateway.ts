// The gateway in VS Code: Start / Stop commands, the per-install token in SecretStorage, a line in the
// meter's tooltip with the URL, “Copy Gateway Settings For…” (Claude Code, Codex, Cline, Continue, Aider),
// and — opt-in (rightsize.gateway.terminalEnv) — the variables in VS Code's integrated terminals, so a
// `claude` or `codex` started there goes through Rightsize. The gateway itself is the core's
// (src/core/gateway), fed the window's pipeline dependencies: same router, budgets and ledger as the chat.
import * as vscode from 'vscode';
import { clientSettings, Gateway, GATEWAY_CLIENTS, startGateway, terminalEnvironment } from '../core/gateway';
import type { ConversationMemory } from '../core/conversation';
import type { PipelineDeps } from '../core/pipeline';
import { newToken } from '../core/loopback/guard';
import type { WorkspaceRef } from '../core/types';
import type { Settings } from './settings';
import { errorText } from '../core/errorText';

const TOKEN_SECRET = 'rightsize.gatewayToken';

export interface GatewayDeps {
  settings: Settings;
  secrets: vscode.SecretStorage;
  environment: vscode.GlobalEnvironmentVariableCollection;
  pipeline: PipelineDeps;
  /** The chat door's conversation memory, so a conversation keeps its model whichever door it uses. */
  conversationModels: ConversationMemory;
  workspace(): WorkspaceRef;
  session(): string;
  log: vscode.LogOutputChannel;
  /** The meter's tooltip changed (gateway started or stopped). */
  onDidChangeStatus(): void;
}

export class GatewayController implements vscode.Disposable {
  private gateway: Gateway | undefined;
  private starting: Promise<Gateway> | undefined;
  private lastError: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: GatewayDeps) {
    const reg = (id: string, fn: () => unknown) => this.disposables.push(vscode.commands.registerCommand(id, fn));
    reg('rightsize.startGateway', () => this.startInteractive());
    reg('rightsize.stopGateway', () => this.stop(true));
    reg('rightsize.copyGatewaySettings', () => this.copySettings());
    this.disposables.push(deps.settings.onDidChange(() => { void this.syncTerminalEnv(); }));
    this.deps.environment.description = 'Rightsize: routes `claude` and `codex` through the Rightsize gateway';
    if (deps.settings.value.gateway.autoStart) void this.start().catch(() => undefined);
    else void this.syncTerminalEnv();
  }

  /** One line for the meter's tooltip. */
  statusLine(): string {
    if (this.gateway) return `Gateway: ${this.gateway.url} (Anthropic, OpenAI and Ollama APIs; token in secret storage)`;
    if (this.lastError) return `Gateway: not running — ${this.lastError}`;
    return 'Gateway: off (Rightsize: Start Gateway)';
  }

  get url(): string | undefined { return this.gateway?.url; }

  /** What the integrated terminals get from Rightsize now (development/test mode only). */
  terminalEnvForTesting(): Record<string, string> {
    const out: Record<string, string> = {};
    this.deps.environment.forEach((name, m) => { out[name] = m.value; });
    return out;
  }

  /** The token (development/test mode only: activation exposes it to the test suite). */
  tokenForTesting(): Promise<string> { return this.token(); }

  private async token(): Promise<string> {
    let token = await this.deps.secrets.get(TOKEN_SECRET);
    if (!token) {
      token = newToken('rsk-gw-');
      await this.deps.secrets.store(TOKEN_SECRET, token);
    }
    return token;
  }

  async start(): Promise<Gateway> {
    if (this.gateway) return this.gateway;
    this.starting ??= (async () => {
      const c = this.deps.settings.value;
      try {
        const gw = await startGateway({
          pipeline: this.deps.pipeline,
          conversationModels: this.deps.conversationModels,
          workspace: this.deps.workspace,
          session: this.deps.session,
          cloudModels: () => this.deps.settings.value.cloudModels,
          log: (line) => this.deps.log.info(line),
        }, { port: c.gateway.port, token: await this.token(), autoAliases: ['rightsize-auto', 'rightsize', 'rightsize/auto', ...c.gateway.autoModelAliases] });
        this.gateway = gw;
        this.lastError = undefined;
        this.deps.log.info(`gateway listening on ${gw.url}`);
        return gw;
      } catch (e) {
        this.lastError = errorText(e);
        this.deps.log.warn(`gateway not started: ${this.lastError}`);
        throw e;
      } finally {
        this.starting = undefined;
        this.deps.onDidChangeStatus();
        void this.syncTerminalEnv();
      }
    })();
    return this.starting;
  }

  private async startInteractive(): Promise<void> {
    try {
      const gw = await this.start();
      const choice = await vscode.window.showInformationMessage(`Rightsize: the gateway is listening on ${gw.url}.`, 'Copy Settings For…');
      if (choice) await this.copySettings();
    } catch (e) {
      void vscode.window.showErrorMessage(`Rightsize: could not start the gateway: ${errorText(e)}`, 'Open Settings')
        .then((c) => { if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'rightsize.gateway'); });
    }
  }

  async stop(tell = false): Promise<void> {
    const gw = this.gateway;
    this.gateway = undefined;
    if (gw) await gw.close();
    this.deps.log.info('gateway stopped');
    this.deps.onDidChangeStatus();
    await this.syncTerminalEnv();
    if (tell) void vscode.window.showInformationMessage(gw ? 'Rightsize: the gateway is stopped.' : 'Rightsize: the gateway was not running.');
  }

  private async copySettings(): Promise<void> {
    const pick = await vscode.window.showQuickPick(GATEWAY_CLIENTS.map((c) => ({ label: c.label, detail: c.detail, id: c.id })),
      { title: 'Rightsize: copy the gateway settings for…', placeHolder: 'The client to point at the gateway' });
    if (!pick) return;
    let gw: Gateway;
    try {
      gw = await this.start();
    } catch (e) {
      void vscode.window.showErrorMessage(`Rightsize: could not start the gateway: ${errorText(e)}`);
      return;
    }
    await vscode.env.clipboard.writeText(clientSettings(pick.id, gw.url, await this.token()));
    void vscode.window.showInformationMessage(`Rightsize: the settings for ${pick.label} are on the clipboard (they contain the gateway's token: keep them private).`);
  }

  /** Puts the gateway's variables into integrated terminals while it runs, when the user opted in. */
  private async syncTerminalEnv(): Promise<void> {
    const env = this.deps.environment;
    env.clear();
    if (!this.gateway || !this.deps.settings.value.gateway.terminalEnv) return;
    for (const [k, v] of Object.entries(terminalEnvironment(this.gateway.url, await this.token()))) env.replace(k, v);
  }

  dispose(): void {
    this.deps.environment.clear();
    void this.gateway?.close();
    for (const d of this.disposables) d.dispose();
  }
}
