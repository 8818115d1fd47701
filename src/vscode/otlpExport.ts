// OTLP export from VS Code: when `rightsize.export.otlp.enabled` is on (user settings only), the
// ledger is exported to the configured collector a couple of seconds after each record and every
// minute (records other windows and the CLI wrote included). One window exports at a time (the
// exporter's lock); the others retry every minute and take over when it closes. The OpenTelemetry
// code loads only when export is on. Secret headers (a collector token) live in SecretStorage.
import * as vscode from 'vscode';
import type { Ledger } from '../core/ledger';
import type { LedgerExporter } from '../core/export/ledgerExporter';
import { OtlpExportConfig, destinationKey } from '../core/export/otlpConfig';
import type { UsageRecord } from '../core/types';
import { errorText } from '../core/errorText';

const SECRET_HEADERS = 'rightsize.otlp.headers';
const AFTER_RECORD_MS = 2000;
const PERIOD_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface OtlpExportStatus { running: boolean; tracesUrl?: string; exported: number; lastError?: string }

export class OtlpExportController implements vscode.Disposable {
  private exporter: LedgerExporter | undefined;
  private key = '';
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private delayMs = PERIOD_MS;
  private exported = 0;
  private lastError: string | undefined;
  private tracesUrl: string | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly ledger: () => Ledger,
    private readonly config: () => OtlpExportConfig,
    onDidRecord: vscode.Event<UsageRecord>,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(onDidRecord(() => this.schedule(AFTER_RECORD_MS)));
    this.subs.push(secrets.onDidChange((e) => { if (e.key === SECRET_HEADERS) void this.reconfigure(true); }));
  }

  status(): OtlpExportStatus {
    return { running: !!this.exporter, tracesUrl: this.tracesUrl, exported: this.exported, lastError: this.lastError };
  }

  /** Starts, stops or re-targets export after a settings (or secret) change. */
  async reconfigure(force = false): Promise<void> {
    const c = this.config();
    const secret = c.enabled ? await this.secrets.get(SECRET_HEADERS) : undefined;
    const headers = { ...c.headers, ...parseHeaders(secret) };
    const key = c.enabled ? `${destinationKey(c)} ${JSON.stringify(headers)} ${JSON.stringify(c.resourceAttributes)}` : '';
    if (key === this.key && !force) return;
    await this.stop();
    this.key = key;
    if (!c.enabled) return;
    const [{ LedgerExporter: Exporter }, { loadSender }] = await Promise.all([import('../core/export/ledgerExporter'), import('../core/export/loadSender')]);
    const full = { ...c, headers };
    this.exporter = new Exporter(this.ledger(), destinationKey(full), loadSender(full), { log: (m) => this.log.info(`otlp export: ${m}`) });
    this.tracesUrl = c.tracesUrl;
    this.log.info(`otlp export: on, to ${c.tracesUrl} (${c.protocol})`);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (!this.exporter) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.tick(); }, ms);
  }

  private async tick(): Promise<void> {
    const ex = this.exporter;
    if (!ex || this.busy) return;
    this.busy = true;
    try {
      const run = await ex.run();
      this.exported += run.exported;
      if (run.error) {
        if (run.error !== this.lastError) this.log.warn(`otlp export: ${run.error}; ${run.exported} record(s) sent, the rest follow when the collector answers`);
        this.delayMs = Math.min(MAX_BACKOFF_MS, this.delayMs * 2);
      } else {
        if (this.lastError) this.log.info(`otlp export: the collector answers again (${run.exported} record(s) sent)`);
        this.delayMs = PERIOD_MS;
      }
      this.lastError = run.error;
    } catch (e) {
      const m = errorText(e);
      if (m !== this.lastError) this.log.info(`otlp export: ${m}`); // another window exports: retry later
      this.lastError = m;
    } finally {
      this.busy = false;
      if (this.exporter === ex) this.schedule(this.delayMs);
    }
  }

  private async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ex = this.exporter;
    this.exporter = undefined;
    this.tracesUrl = undefined;
    if (ex) await ex.close().catch(() => undefined);
  }

  /** The “Set OpenTelemetry Export Headers (Secret)…” command. */
  async editSecretHeaders(): Promise<void> {
    const current = await this.secrets.get(SECRET_HEADERS);
    const value = await vscode.window.showInputBox({
      title: 'Rightsize: OpenTelemetry export headers (kept in secret storage)',
      prompt: 'name=value pairs separated by commas, e.g. Authorization=Bearer abc123. Empty removes them.',
      password: true,
      value: current ?? '',
      validateInput: (v) => (v.trim() === '' || Object.keys(parseHeaders(v)).length > 0 ? undefined : 'Expected name=value pairs separated by commas'),
    });
    if (value === undefined) return;
    if (value.trim() === '') await this.secrets.delete(SECRET_HEADERS);
    else await this.secrets.store(SECRET_HEADERS, value.trim());
    void vscode.window.showInformationMessage(value.trim() ? 'Rightsize: export headers stored in secret storage.' : 'Rightsize: export headers removed.');
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    void this.stop();
  }
}

/** `name=value,name2=value2` (values may contain '='). */
function parseHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq > 0 && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}
