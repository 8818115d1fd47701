// One notification per budget period (not per request) at warn and at exceeded, with
// “Open usage” and “Raise budget” actions.
import * as vscode from 'vscode';
import { BudgetGate } from '../core/budget/budgetGate';
import { BudgetAction } from '../core/types';
import { fmtUnit } from './statusMeter';

export function watchBudgets(gate: BudgetGate, action: () => BudgetAction): vscode.Disposable {
  const off = gate.onDidChangeLevel((e) => {
    const l = e.line;
    const what = `${l.period === 'session' ? 'session' : `${l.period}ly`.replace('dayly', 'daily')} ${l.unit === 'usd' ? 'USD' : l.unit === 'wh' ? 'Wh' : 'token'} budget`;
    const used = `${fmtUnit(l.unit, l.used + l.reserved)} of ${fmtUnit(l.unit, l.limit)}`;
    const consequence = e.level !== 'exceeded' ? '' : {
      warn: '',
      preferLocal: ' Until the period ends, Rightsize routes requests to local models only.',
      block: ' Until the period ends, Rightsize refuses cloud requests.',
    }[action()];
    const text = e.level === 'exceeded'
      ? `Rightsize: this workspace's ${what} is used up (${used}).${consequence}`
      : `Rightsize: this workspace has used ${Math.round(l.fraction * 100)}% of its ${what} (${used}).`;
    const show = e.level === 'exceeded' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(text, 'Open usage', 'Raise budget').then((choice) => {
      if (choice === 'Open usage') void vscode.commands.executeCommand('rightsize.openUsage');
      else if (choice === 'Raise budget') void vscode.commands.executeCommand('rightsize.setBudget', { period: l.period, unit: l.unit });
    });
  });
  return new vscode.Disposable(off);
}
