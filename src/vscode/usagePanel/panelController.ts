// The usage panel's logic, free of the `vscode` module so it can be unit-tested: it validates the
// webview's messages, fetches state for the current filter, debounces live updates, and exports the
// very report it last sent to the webview. usagePanel.ts binds it to a real WebviewPanel.
import type { UsageReport } from '../../core/types';
import { exportFileName } from './exportReport';
import {
  parseWebviewMessage, type ExportFormat, type ExtensionMessage, type PanelFilter, type PanelState,
} from './protocol';
import { errorText } from '../../core/errorText';

/** Where the panel's data comes from (the lead wires it to the ledger, the meter and the budgets). */
export interface PanelDataSource {
  getState(filter: PanelFilter): Promise<PanelState>;
  /** Fires when a request completes. */
  onDidChange(listener: () => void): { dispose(): void };
  /** Pure: the report as CSV or JSON (exportReport.ts implements it). */
  exportReport(report: UsageReport, format: 'csv' | 'json'): string;
}

/** What the controller needs from VS Code. */
export interface PanelHost {
  postMessage(msg: ExtensionMessage): PromiseLike<boolean> | void;
  isVisible(): boolean;
  /** Asks where to save and writes the file; resolves to false when the user cancels. */
  saveExport(defaultFileName: string, format: ExportFormat, content: string): PromiseLike<boolean>;
  executeCommand(command: string, ...args: unknown[]): PromiseLike<unknown>;
  log(message: string): void;
  /** A notification for failures that happen outside the webview's view (export, commands). */
  showError(message: string): void;
}

export const SETTINGS_COMMAND = 'workbench.action.openSettings';
export const BUDGET_SETTINGS_QUERY = 'rightsize.budget';
export const SET_BUDGET_COMMAND = 'rightsize.setBudget';
export const RESET_LEARNED_COMMAND = 'rightsize.resetLearnedRouting';
export const DEFAULT_DEBOUNCE_MS = 100;

export class PanelController {
  private current: PanelFilter;
  private shown: PanelState | undefined;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;
  private disposed = false;

  constructor(
    private readonly host: PanelHost,
    private readonly data: PanelDataSource,
    filter: PanelFilter,
    private readonly debounceMs = DEFAULT_DEBOUNCE_MS,
  ) {
    this.current = filter;
  }

  get filter(): PanelFilter { return this.current; }
  /** The state last posted to the webview (what the user sees). */
  get shownState(): PanelState | undefined { return this.shown; }

  /** Handles one message from the webview; anything invalid is logged and ignored. */
  async handleMessage(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) { this.host.log(`usage panel: ignored a message from the webview: ${parsed.reason}`); return; }
    const msg = parsed.value;
    switch (msg.type) {
      case 'ready':
        if (msg.filter) this.current = msg.filter;
        return this.refresh();
      case 'setFilter':
        this.current = msg.filter;
        return this.refresh();
      case 'export':
        return this.export(msg.format);
      case 'openSettings':
        return this.run(SETTINGS_COMMAND, BUDGET_SETTINGS_QUERY);
      case 'setBudget':
        return this.run(SET_BUDGET_COMMAND);
      case 'resetLearned':
        return this.run(RESET_LEARNED_COMMAND, 'workspace');
    }
  }

  /** Fetches state for the current filter and posts it; only the newest fetch is posted. */
  async refresh(): Promise<void> {
    if (this.disposed) return;
    this.dirty = false;
    const mine = ++this.seq;
    const filter = this.current;
    try {
      const state = await this.data.getState(filter);
      if (mine !== this.seq || this.disposed) return;
      // The webview matches states to the filter it asked for: the state carries exactly that filter.
      const posted: PanelState = { ...state, filter };
      this.shown = posted;
      await this.host.postMessage({ type: 'state', state: posted });
    } catch (e) {
      if (mine !== this.seq || this.disposed) return;
      const message = shortErrorText(e);
      this.host.log(`usage panel: could not load usage: ${message}`);
      await this.host.postMessage({ type: 'error', message });
    }
  }

  /** Live update: coalesces bursts of changes into one refresh after `debounceMs`. A hidden panel is
   *  only marked stale; it refreshes when it becomes visible. */
  scheduleRefresh(): void {
    if (this.disposed) return;
    if (!this.host.isVisible()) { this.dirty = true; return; }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, this.debounceMs);
  }

  /** Called when the panel becomes visible again. */
  onVisible(): void {
    if (this.dirty) this.scheduleRefresh();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async export(format: ExportFormat): Promise<void> {
    const state = this.shown;
    if (!state) { this.host.showError('Rightsize: there is no usage shown to export yet.'); return; }
    try {
      // The exported report is the object the webview shows: its totals are the panel's totals.
      const content = this.data.exportReport(state.report, format);
      await this.host.saveExport(exportFileName(state.report, format), format, content);
    } catch (e) {
      const message = shortErrorText(e);
      this.host.log(`usage panel: export failed: ${message}`);
      this.host.showError(`Rightsize: could not export usage: ${message}`);
    }
  }

  private async run(command: string, ...args: unknown[]): Promise<void> {
    try {
      await this.host.executeCommand(command, ...args);
    } catch (e) {
      const message = shortErrorText(e);
      this.host.log(`usage panel: command ${command} failed: ${message}`);
      this.host.showError(`Rightsize: ${message}`);
    }
  }
}

function shortErrorText(e: unknown): string {
  const raw = errorText(e);
  return raw.length > 300 ? `${raw.slice(0, 300)}…` : raw;
}
