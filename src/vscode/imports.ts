// Imports in VS Code: “Rightsize: Import Usage From…” (on demand, with progress and cancel), background
// imports (rightsize.import.background, off by default), and the OTLP/HTTP receiver that Copilot Chat's
// telemetry is pointed at by “Rightsize: Meter Copilot Chat's Own Models”. The work is the core's
// (src/core/import); this file only reads settings, shows progress and wires the receiver.
import { randomBytes } from 'crypto';
import * as os from 'os';
import * as vscode from 'vscode';
import { Catalog } from '../core/catalog/catalog';
import type { EstimateSettings } from '../core/estimate';
import { formatBytes } from '../core/format';
import { IMPORT_WORKSPACE, ImportSource, importStateDir, ImportSummary, RightsizeCopilotCalls, runImport, SOURCE_NAMES } from '../core/import';
import { CopilotReceiverSink } from '../core/import/copilotReceiverSink';
import { describeImport } from '../core/import/describe';
import { OtlpReceiver, startOtlpReceiver } from '../core/import/otlpReceiver';
import type { Ledger } from '../core/ledger';
import type { UsageRecord } from '../core/types';
import type { Settings } from './settings';
import { errorText } from '../core/errorText';

export interface ImportDeps {
  settings: Settings;
  secrets: vscode.SecretStorage;
  ledger(): Ledger;
  estimateSettings(): EstimateSettings;
  log: vscode.LogOutputChannel;
  /** Rightsize's own records as they are written (Copilot calls Rightsize made are not imported again). */
  onDidRecord: vscode.Event<UsageRecord>;
  /** Called after records were imported, with the last one (refreshes the panel). */
  onImported(last: UsageRecord): void;
}

const TOKEN_SECRET = 'rightsize.copilotTelemetryToken';
const COPILOT_OTEL = 'github.copilot.chat.otel';
const FIRST_BACKGROUND_DELAY_MS = 20_000;

export class Imports implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private receiver: OtlpReceiver | undefined;
  private own: RightsizeCopilotCalls | undefined;
  private readonly running = new Set<ImportSource>();

  constructor(private readonly deps: ImportDeps) {
    const reg = (id: string, fn: () => unknown) => this.disposables.push(vscode.commands.registerCommand(id, fn));
    reg('rightsize.importUsage', () => this.importInteractive());
    reg('rightsize.connectCopilotTelemetry', () => this.connectCopilot());
    reg('rightsize.disconnectCopilotTelemetry', () => this.disconnectCopilot());
    this.disposables.push(deps.settings.onDidChange(() => { this.schedule(FIRST_BACKGROUND_DELAY_MS); void this.syncReceiver(); }));
    this.disposables.push(deps.onDidRecord((r) => this.own?.add(r)));
    this.schedule(FIRST_BACKGROUND_DELAY_MS);
    void this.syncReceiver();
  }

  private get config() {
    return this.deps.settings.value.imports;
  }

  /** The folders or file to read for a source, from the settings (empty: the source's defaults). */
  private roots(source: ImportSource): string[] {
    const c = this.config;
    if (source === 'claude-code') return c.claudeDirectories;
    if (source === 'codex') return c.codexDirectory ? [c.codexDirectory] : [];
    const copilotOwn = vscode.workspace.getConfiguration(COPILOT_OTEL).inspect<string>('outfile')?.globalValue;
    const file = c.copilotFile || copilotOwn || '';
    return file ? [file] : [];
  }

  /** One import; undefined when the same source is already being imported by this window. */
  private async run(source: ImportSource, signal?: AbortSignal, onProgress?: (done: number, total: number, records: number) => void): Promise<ImportSummary | undefined> {
    if (this.running.has(source)) return undefined;
    this.running.add(source);
    try {
      const ledger = this.deps.ledger();
      let last: UsageRecord | undefined;
      const summary = await runImport({
        source, roots: this.roots(source), ledger, settings: this.deps.estimateSettings(), env: process.env, home: os.homedir(),
        fallbackWorkspace: IMPORT_WORKSPACE, signal,
        onProgress: (p) => onProgress?.(p.bytesDone, p.bytes, p.records),
        onRecords: (records) => { last = records[records.length - 1]; },
      });
      if (last) {
        this.deps.log.info(`import: ${describeImport(summary)}`);
        this.deps.onImported(last);
      }
      return summary;
    } finally {
      this.running.delete(source);
    }
  }

  /** “Rightsize: Import Usage From…”: pick a source, import with progress (cancellable). */
  private async importInteractive(): Promise<void> {
    const items = (['claude-code', 'codex', 'copilot-otel'] as const).map((id) => ({
      id, label: SOURCE_NAMES[id],
      detail: id === 'copilot-otel' ? (this.roots(id)[0] ?? 'No telemetry file set: run “Rightsize: Meter Copilot Chat\'s Own Models” instead, or set rightsize.import.copilot.file')
        : (this.roots(id).join(', ') || 'the default log folders'),
    }));
    const pick = await vscode.window.showQuickPick(items, { title: 'Rightsize: import the usage another assistant logged' });
    if (!pick) return;
    if (pick.id === 'copilot-otel' && this.roots(pick.id).length === 0) {
      void vscode.window.showWarningMessage('Rightsize: Copilot Chat writes no telemetry file. Run “Rightsize: Meter Copilot Chat\'s Own Models” to receive its telemetry instead.');
      return;
    }
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Rightsize: importing ${SOURCE_NAMES[pick.id]} usage`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let shown = 0;
        return this.run(pick.id, abort.signal, (done, total, records) => {
          const pct = total > 0 ? (done / total) * 100 : 0;
          progress.report({ increment: pct - shown, message: `${formatBytes(done)} of ${formatBytes(total)}, ${records} records` });
          shown = pct;
        });
      },
    ).then(undefined, (e: unknown) => {
      void vscode.window.showErrorMessage(`Rightsize: the import failed: ${errorText(e)}`);
      return undefined;
    });
    if (summary) void vscode.window.showInformationMessage(`Rightsize: ${describeImport(summary)}`, ...(summary.records > 0 ? ['Open Usage'] : []))
      .then((c) => { if (c) void vscode.commands.executeCommand('rightsize.openUsage'); });
  }

  /** Background imports: the configured sources, one after the other, every interval. */
  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.config.background.length === 0) return;
    this.timer = setTimeout(() => { void this.backgroundRound(); }, delayMs);
  }

  private async backgroundRound(): Promise<void> {
    for (const source of this.config.background) {
      if (source === 'copilot-otel' && this.roots(source).length === 0) continue;
      try {
        await this.run(source);
      } catch (e) {
        this.deps.log.warn(`background import of ${SOURCE_NAMES[source]} failed: ${errorText(e)}`);
      }
    }
    this.schedule(this.config.intervalMinutes * 60_000);
  }

  private async token(): Promise<string> {
    let token = await this.deps.secrets.get(TOKEN_SECRET);
    if (!token) {
      token = `rsk-otel-${randomBytes(32).toString('base64url')}`;
      await this.deps.secrets.store(TOKEN_SECRET, token);
    }
    return token;
  }

  /** Starts or stops the receiver as rightsize.import.copilot.receiver says. */
  private async syncReceiver(): Promise<void> {
    const want = this.config.copilotReceiver;
    if (this.receiver && (!want || this.receiver.port !== this.config.copilotReceiverPort)) {
      await this.receiver.close();
      this.receiver = undefined;
      this.deps.log.info('Copilot telemetry receiver stopped');
    }
    if (!want || this.receiver) return;
    try {
      await this.startReceiver();
    } catch (e) {
      this.deps.log.warn(`Copilot telemetry receiver not started: ${errorText(e)}`);
    }
  }

  private async startReceiver(): Promise<OtlpReceiver> {
    const ledger = this.deps.ledger();
    this.own ??= await RightsizeCopilotCalls.fromLedger(ledger, new Date(Date.now() - 86_400_000));
    const sink = new CopilotReceiverSink(importStateDir(ledger.dir),
      { catalog: Catalog.builtIn(), settings: this.deps.estimateSettings(), fallbackWorkspace: IMPORT_WORKSPACE },
      (records) => { const { written } = ledger.appendMany(records, { quarantine: true }); if (written.length) this.deps.onImported(written[written.length - 1]); }, this.own);
    this.receiver = await startOtlpReceiver({
      port: this.config.copilotReceiverPort,
      token: await this.token(),
      onItems: (items, signal) => {
        const n = sink.accept(items, signal).length;
        if (n) this.deps.log.info(`Copilot telemetry: ${n} call(s) of Copilot's own models recorded`);
      },
      log: (m) => this.deps.log.warn(m),
    });
    this.deps.log.info(`Copilot telemetry receiver listening on ${this.receiver.url}`);
    return this.receiver;
  }

  /** Starts the receiver and points Copilot Chat's OpenTelemetry export at it (user settings). */
  private async connectCopilot(): Promise<void> {
    try {
      const receiver = this.receiver ?? await this.startReceiver();
      const copilot = vscode.workspace.getConfiguration(COPILOT_OTEL);
      const headers = { ...(copilot.inspect<Record<string, string>>('headers')?.globalValue ?? {}), Authorization: `Bearer ${await this.token()}` };
      await copilot.update('enabled', true, vscode.ConfigurationTarget.Global);
      await copilot.update('exporterType', 'otlp-http', vscode.ConfigurationTarget.Global);
      await copilot.update('otlpEndpoint', receiver.url, vscode.ConfigurationTarget.Global);
      await copilot.update('headers', headers, vscode.ConfigurationTarget.Global);
      await copilot.update('outfile', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('rightsize').update('import.copilot.receiver', true, vscode.ConfigurationTarget.Global);
      const choice = await vscode.window.showInformationMessage(
        `Rightsize: Copilot Chat will send its telemetry to Rightsize (${receiver.url}) after a window reload; its own models' usage is then recorded.`, 'Reload Window');
      if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow');
    } catch (e) {
      void vscode.window.showErrorMessage(`Rightsize: could not connect Copilot Chat's telemetry: ${errorText(e)}`);
    }
  }

  private async disconnectCopilot(): Promise<void> {
    const copilot = vscode.workspace.getConfiguration(COPILOT_OTEL);
    if (this.receiver && copilot.inspect<string>('otlpEndpoint')?.globalValue === this.receiver.url) {
      const { Authorization: _mine, ...rest } = copilot.inspect<Record<string, string>>('headers')?.globalValue ?? {};
      await copilot.update('enabled', undefined, vscode.ConfigurationTarget.Global);
      await copilot.update('otlpEndpoint', undefined, vscode.ConfigurationTarget.Global);
      await copilot.update('headers', Object.keys(rest).length ? rest : undefined, vscode.ConfigurationTarget.Global);
    }
    await vscode.workspace.getConfiguration('rightsize').update('import.copilot.receiver', false, vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage('Rightsize: no longer receiving Copilot Chat\'s telemetry.');
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    void this.receiver?.close();
    for (const d of this.disposables) d.dispose();
  }
}
