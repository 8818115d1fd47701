// One notification per budget period (not per request) at warn and at exceeded, with
// “Open usage” and “Raise budget” actions.
import * as vscode from 'vscode';
import { BudgetGate } from '../core/budget/budgetGate';
import { BudgetAction } from '../core/types';
import { formatAmount, unitSymbol } from '../core/format';

export function watchBudgets(gate: BudgetGate, action: () => BudgetAction): vscode.Disposable {
  const off = gate.onDidChangeLevel((e) => {
    const l = e.line;
    const what = `${l.period === 'session' ? 'session' : `${l.period}ly`.replace('dayly', 'daily')} ${unitSymbol(l.unit, 'token')} budget`;
    const used = `${formatAmount(l.unit, l.used + l.reserved, { tokens: 'compact' })} of ${formatAmount(l.unit, l.limit, { tokens: 'compact' })}`;
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
