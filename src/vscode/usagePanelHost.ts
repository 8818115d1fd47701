// Feeds the usage panel: aggregated reports from the ledger (rollups), this session's totals and
// the budget lines with projections. Also the “Export Usage…” command.
import * as vscode from 'vscode';
import { Ledger } from '../core/ledger';
import { buildReport } from '../core/report';
import { BudgetLine, UsageRecord, UsageReport, WorkspaceRef } from '../core/types';
import { exportFileName, exportReport } from './usagePanel/exportReport';
import { projectBudgetLines } from './usagePanel/projection';
import { ExportFormat, LearnedRow, PanelFilter, PanelState } from './usagePanel/protocol';
import { PanelDataSource, UsagePanel } from './usagePanel/usagePanel';
import { saveExport } from './usagePanel/saveExport';

export interface UsagePanelHostDeps {
  ledger(): Ledger;
  workspace(): WorkspaceRef;
  sessionReport(): UsageReport;
  budgets(): BudgetLine[];
  onDidRecord: vscode.Event<UsageRecord>;
  log: vscode.LogOutputChannel;
  /** What routing learned in this workspace, and when that changes. */
  learned?(): LearnedRow[];
  onDidChangeLearning?: vscode.Event<void>;
}

export class UsagePanelHost implements PanelDataSource, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly deps: UsagePanelHostDeps) {
    this.disposables.push(UsagePanel.registerSerializer(context, this));
  }

  async getState(filter: PanelFilter): Promise<PanelState> {
    const ws = this.deps.workspace();
    const report = await buildReport(this.deps.ledger(), {
      kind: filter.range,
      workspace: filter.workspace === 'this' ? ws.id : undefined,
      topN: 10,
    });
    return {
      session: this.deps.sessionReport().totals,
      report,
      budgets: projectBudgetLines(this.deps.budgets(), new Date()),
      filter,
      updatedAt: new Date().toISOString(),
      workspaceName: ws.name,
      ...(this.deps.learned ? { learned: this.deps.learned() } : {}),
    };
  }

  onDidChange(listener: () => void): vscode.Disposable {
    const subs = [this.deps.onDidRecord(() => listener())];
    if (this.deps.onDidChangeLearning) subs.push(this.deps.onDidChangeLearning(() => listener()));
    return vscode.Disposable.from(...subs);
  }

  exportReport(report: UsageReport, format: ExportFormat): string {
    return exportReport(report, format);
  }

  show(): void {
    UsagePanel.createOrShow(this.context, this);
  }

  /** “Export Usage…”: period, format, then a save dialog. */
  async exportInteractive(): Promise<void> {
    const range = await vscode.window.showQuickPick([
      { id: 'week' as const, label: 'This week' }, { id: 'lastWeek' as const, label: 'Last week' }, { id: 'last30Days' as const, label: 'Last 30 days' },
    ], { title: 'Export Usage (1/2): period' });
    if (!range) return;
    const format = await vscode.window.showQuickPick([{ id: 'csv' as const, label: 'CSV' }, { id: 'json' as const, label: 'JSON' }], { title: 'Export Usage (2/2): format' });
    if (!format) return;
    const state = await this.getState({ range: range.id, workspace: 'this' });
    await saveExport(exportFileName(state.report, format.id), format.id, this.exportReport(state.report, format.id));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
