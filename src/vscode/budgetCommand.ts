// “Set Workspace Budget…”: period, unit, amount (validated), then what to do when exceeded. Every value it
// shows is the one in force (the trust-filtered Settings the pipeline uses), and after writing it says
// what is in force now. In an untrusted workspace it says first that workspace budgets are ignored until
// the workspace is trusted, shows the budgets in force (user settings) and offers to set a user budget,
// to save in the workspace for later, or to manage trust.
//
// With an argument `{ period, unit, value, action?, target? }` it runs without asking (keyboard shortcuts,
// other commands, tests); `{ period, unit }` alone presets the first two steps (the budget notification's
// “Raise budget”). It returns what it did (BudgetCommandResult).
import * as vscode from 'vscode';
import { formatAmount, unitSymbol } from '../core/format';
import { BudgetAction, BudgetPeriod, BudgetUnit } from '../core/types';
import type { Settings } from './settings';
import { defaultTarget, MANAGE_TRUST, showWriteMessage, sourcePhrase, UNTRUSTED_SENTENCE, WriteTarget, writeMessage, writeSetting } from './workspaceSettings';

export interface BudgetCommandArgs {
  period?: BudgetPeriod;
  unit?: BudgetUnit;
  /** A number >= 0, or null to remove the limit; present: no questions asked. */
  value?: number | null;
  action?: BudgetAction;
  target?: WriteTarget;
}

export interface BudgetCommandResult {
  /** The setting written, relative to `rightsize.` (absent when cancelled). */
  key?: string;
  target?: WriteTarget;
  /** True when the written limit is the one in force. */
  applied: boolean;
  trusted: boolean;
  /** The message shown at the end (or the untrusted notice when cancelled there). */
  message: string;
}

const PERIODS: Array<{ id: BudgetPeriod; label: string }> = [
  { id: 'session', label: 'Session (this window)' }, { id: 'day', label: 'Day' }, { id: 'week', label: 'Week (from Monday)' }, { id: 'month', label: 'Month' },
];
const UNITS: Array<{ id: BudgetUnit; label: string; example: string }> = [
  { id: 'usd', label: 'US dollars', example: 'e.g. 2.50' }, { id: 'wh', label: 'Watt-hours', example: 'e.g. 50' }, { id: 'tokens', label: 'Tokens (input + output)', example: 'e.g. 2000000' },
];
const ACTIONS: Array<{ id: BudgetAction; label: string; detail: string }> = [
  { id: 'warn', label: 'Warn', detail: 'Notify once per period; keep routing as usual.' },
  { id: 'preferLocal', label: 'Prefer local', detail: 'Route only to local models until the period ends.' },
  { id: 'block', label: 'Block cloud', detail: 'Refuse cloud requests until the period ends.' },
];

function limitText(period: BudgetPeriod, unit: BudgetUnit, v: unknown): string {
  return typeof v === 'number' && v > 0 ? `${period} ${unitSymbol(unit, 'token')} limit ${formatAmount(unit, v)}` : `no ${period} ${unitSymbol(unit, 'token')} limit`;
}

/** The limits in force for a period, with their sources, and any workspace values that are ignored. */
export function describePeriod(settings: Settings, period: BudgetPeriod): { inForce: string; ignored: string } {
  const inForce: string[] = [];
  const ignored: string[] = [];
  for (const u of UNITS) {
    const f = settings.inForce(`budget.${period}.${u.id}`);
    if (typeof f.value === 'number' && f.value > 0) inForce.push(`${formatAmount(u.id, f.value)} (${sourcePhrase(f.source)})`);
    if (typeof f.ignoredWorkspaceValue === 'number' && f.ignoredWorkspaceValue > 0) ignored.push(formatAmount(u.id, f.ignoredWorkspaceValue));
  }
  return { inForce: inForce.length ? inForce.join(', ') : 'no limits', ignored: ignored.join(', ') };
}

export async function setBudget(settings: Settings, arg: unknown): Promise<BudgetCommandResult> {
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as BudgetCommandArgs;
  const trusted = settings.trusted;
  const direct = a.period !== undefined && a.unit !== undefined && 'value' in a;
  let target: WriteTarget | undefined = a.target;
  if (!trusted && !direct && !target) {
    target = await chooseTargetWhenUntrusted(settings);
    if (!target) return { applied: false, trusted, message: UNTRUSTED_SENTENCE };
  }
  target ??= defaultTarget();
  const title = (step: string) => `Set ${target === 'user' ? 'User' : 'Workspace'} Budget (${step})${trusted || target === 'user' ? '' : ' — not in force until you trust this workspace'}`;

  const period = a.period ?? (await vscode.window.showQuickPick(PERIODS.map((p) => {
    const d = describePeriod(settings, p.id);
    return { ...p, description: `in force: ${d.inForce}`, detail: d.ignored ? `ignored workspace limits: ${d.ignored}` : undefined };
  }), { title: title('1/3: period') }))?.id;
  if (!period) return cancelled(trusted);
  const unit = a.unit ?? (await vscode.window.showQuickPick(UNITS.map((u) => {
    const f = settings.inForce(`budget.${period}.${u.id}`);
    const ignored = typeof f.ignoredWorkspaceValue === 'number' ? ` · workspace ${formatAmount(u.id, f.ignoredWorkspaceValue)} ignored` : '';
    return { ...u, description: `in force: ${typeof f.value === 'number' && f.value > 0 ? `${formatAmount(u.id, f.value)} (${sourcePhrase(f.source)})` : 'no limit'}${ignored}` };
  }), { title: title('2/3: unit') }))?.id;
  if (!unit) return cancelled(trusted);
  const key = `budget.${period}.${unit}`;

  let value: number | undefined;
  if (direct) {
    if (a.value !== null && (typeof a.value !== 'number' || !Number.isFinite(a.value) || a.value < 0)) throw new Error(`rightsize.${key} must be a non-negative number or null (got ${JSON.stringify(a.value)})`);
    value = a.value === null || a.value === 0 ? undefined : a.value;
  } else {
    const current = settings.inForce(key);
    const shown = target === 'workspace' ? current.ignoredWorkspaceValue ?? current.value : current.value;
    const input = await vscode.window.showInputBox({
      title: title(`3/3: ${period} limit in ${unitSymbol(unit)}`),
      prompt: `A non-negative number (${UNITS.find((u) => u.id === unit)!.example}). Leave empty to remove the limit.`,
      value: typeof shown === 'number' ? String(shown) : '',
      validateInput: (v) => {
        const t = v.trim();
        if (t === '') return undefined;
        const n = Number(t);
        return Number.isFinite(n) && n >= 0 ? undefined : `rightsize.${key} must be a non-negative number (got "${t}")`;
      },
    });
    if (input === undefined) return cancelled(trusted);
    value = input.trim() === '' || Number(input.trim()) === 0 ? undefined : Number(input.trim());
  }
  const written = await writeSetting(settings, key, value, target);

  const action = direct ? a.action : (await vscode.window.showQuickPick(ACTIONS.map((i) => ({ ...i, description: i.id === settings.value.budget.action ? '(in force)' : undefined })), { title: 'When a budget is exceeded…' }))?.id;
  if (action) await writeSetting(settings, 'budget.action', action, target);

  const where = target === 'user' ? 'your user settings' : "this workspace's settings";
  const done = value === undefined ? `removed the ${period} ${unitSymbol(unit, 'token')} limit from ${where}.` : `${limitText(period, unit, value)} set in ${where}.`;
  const message = writeMessage(written, trusted, done, (v) => limitText(period, unit, v));
  showWriteMessage(written, trusted, message);
  return { key, target, applied: written.applied, trusted, message };
}

/** Untrusted workspace: say so, show what is in force, and ask where the budget should go. */
async function chooseTargetWhenUntrusted(settings: Settings): Promise<WriteTarget | undefined> {
  const inForce = PERIODS.map((p) => `${p.id}: ${describePeriod(settings, p.id).inForce}`).join('; ');
  const pick = await vscode.window.showQuickPick([
    { id: 'user' as const, label: 'Set a user budget', detail: 'In your user settings: in force now, in every workspace.' },
    { id: 'workspace' as const, label: 'Save in this workspace anyway', detail: 'In .vscode/settings.json: ignored until you trust this workspace.' },
    { id: 'trust' as const, label: `${MANAGE_TRUST}…`, detail: 'Trust this workspace so its budgets apply.' },
  ], { title: `${UNTRUSTED_SENTENCE} In force: ${inForce}`, placeHolder: 'Where should the budget go?', ignoreFocusOut: true });
  if (pick?.id === 'trust') {
    void vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
  return pick?.id;
}

function cancelled(trusted: boolean): BudgetCommandResult {
  return { applied: false, trusted, message: 'cancelled' };
}
