// Rightsize's commands (all under the “Rightsize” category in the Command Palette).
import * as vscode from 'vscode';
import { BudgetPeriod, BudgetUnit, ChatRequest, Objective, RoutingMode } from '../core/types';
import { suggestItems } from './suggestions';
import type { Services } from './activation';

export function registerCommands(context: vscode.ExtensionContext, s: Services): void {
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg('rightsize.openUsage', () => s.openUsage());
  reg('rightsize.resetSession', () => {
    s.resetSession();
    void vscode.window.showInformationMessage('Rightsize: started a new session.');
  });
  reg('rightsize.manageApiKeys', () => s.keys.manage());
  reg('rightsize.showRoutingLog', () => s.log.show(true));
  reg('rightsize.refreshModels', () => vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Rightsize: discovering models…' },
    async () => {
      const models = await s.registry.refresh();
      const st = s.registry.ollamaStatus;
      const ollama = st.state === 'unreachable' ? ` Ollama: ${st.message}` : '';
      void vscode.window.showInformationMessage(`Rightsize: ${models.length} models available (${models.filter((m) => m.location === 'local').length} local).${ollama}`);
    },
  ));
  reg('rightsize.chooseObjective', () => chooseWorkspaceSetting<Objective>('objective', s.settings.value.objective, 'Rightsize: routing objective for this workspace', [
    { id: 'energy', label: 'Energy', detail: 'Pick the capable model with the lowest watt-hours.' },
    { id: 'money', label: 'Money', detail: 'Pick the capable model with the lowest price.' },
    { id: 'balanced', label: 'Balanced', detail: 'Weigh energy and money together.' },
  ]));
  reg('rightsize.chooseMode', () => chooseWorkspaceSetting<RoutingMode>('mode', s.settings.value.mode, 'Rightsize: routing mode for this workspace', [
    { id: 'auto', label: 'Auto', detail: 'Route every request to the smallest capable model.' },
    { id: 'suggest', label: 'Suggest', detail: 'Use the model you pick; hint when a smaller one would do.' },
    { id: 'off', label: 'Off', detail: 'Meter only.' },
  ]));
  reg('rightsize.toggleLocalOnly', async () => {
    const next = !s.settings.value.localOnly;
    await updateWorkspace('localOnly', next);
    void vscode.window.showInformationMessage(next ? 'Rightsize: this workspace now uses local models only.' : 'Rightsize: this workspace may use cloud models again.');
  });
  reg('rightsize.chooseDevice', async () => {
    const profiles = s.deviceProfiles();
    const pick = await vscode.window.showQuickPick(
      [{ id: 'auto', label: 'Automatic', detail: 'Measure with nvidia-smi when present; else guess from the platform.' },
        ...profiles.map((p) => ({ id: p.id, label: p.name, detail: `${p.powerW.min}–${p.powerW.max} W under inference` }))],
      { title: 'Rightsize: power profile of the machine running Ollama' },
    );
    if (pick) await vscode.workspace.getConfiguration('rightsize').update('energy.device', pick.id, vscode.ConfigurationTarget.Global);
  });
  reg('rightsize.setBudget', (arg?: unknown) => setBudget(arg));
  reg('rightsize.suggestModel', (arg?: unknown) => suggestModel(s, typeof arg === 'string' ? arg : undefined));
  reg('rightsize.exportUsage', () => s.exportUsage());
  reg('rightsize.setOtlpHeaders', () => s.editOtlpHeaders());
  reg('rightsize.retryWithBiggerModel', (arg?: unknown) => s.learning.retryWithBiggerModel(isObject(arg) && arg.resend === false ? { resend: false } : {}));
  reg('rightsize.resetLearnedRouting', (arg?: unknown) => resetLearnedRouting(s, arg === 'workspace' || arg === 'all' ? arg : undefined));
}

/** A quick pick of a setting's values (the current one marked), written to the workspace. */
async function chooseWorkspaceSetting<T extends string>(key: string, current: T, title: string, items: Array<vscode.QuickPickItem & { id: T }>): Promise<void> {
  const pick = await vscode.window.showQuickPick(items.map((i) => (i.id === current ? { ...i, description: '(current)' } : i)), { title });
  if (pick) await updateWorkspace(key, pick.id);
}

async function updateWorkspace(key: string, value: unknown): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('rightsize').update(key, value, target);
}

const PERIODS: Array<{ id: BudgetPeriod; label: string }> = [
  { id: 'session', label: 'Session (this window)' }, { id: 'day', label: 'Day' }, { id: 'week', label: 'Week (from Monday)' }, { id: 'month', label: 'Month' },
];
const UNITS: Array<{ id: BudgetUnit; label: string; example: string }> = [
  { id: 'usd', label: 'US dollars', example: 'e.g. 2.50' }, { id: 'wh', label: 'Watt-hours', example: 'e.g. 50' }, { id: 'tokens', label: 'Tokens (input + output)', example: 'e.g. 2000000' },
];

/** Guided “Set Workspace Budget…”: period, unit, amount (validated), then what to do when exceeded. */
async function setBudget(arg: unknown): Promise<void> {
  const preset = (typeof arg === 'object' && arg !== null ? arg : {}) as { period?: BudgetPeriod; unit?: BudgetUnit };
  const cfg = vscode.workspace.getConfiguration('rightsize');
  const period = preset.period ?? (await vscode.window.showQuickPick(PERIODS.map((p) => ({ ...p, description: describeLimits(cfg, p.id) })), { title: 'Set Workspace Budget (1/3): period' }))?.id;
  if (!period) return;
  const unit = preset.unit ?? (await vscode.window.showQuickPick(UNITS.map((u) => ({ ...u, description: String(cfg.get(`budget.${period}.${u.id}`) ?? 'no limit') })), { title: 'Set Workspace Budget (2/3): unit' }))?.id;
  if (!unit) return;
  const key = `budget.${period}.${unit}`;
  const current = cfg.get<number | null>(key);
  const ex = UNITS.find((u) => u.id === unit)!.example;
  const input = await vscode.window.showInputBox({
    title: `Set Workspace Budget (3/3): ${period} limit in ${unit === 'usd' ? 'USD' : unit === 'wh' ? 'Wh' : 'tokens'}`,
    prompt: `A non-negative number (${ex}). Leave empty to remove the limit.`,
    value: current === null || current === undefined ? '' : String(current),
    validateInput: (v) => {
      const t = v.trim();
      if (t === '') return undefined;
      const n = Number(t);
      return Number.isFinite(n) && n >= 0 ? undefined : `rightsize.${key} must be a non-negative number (got "${t}")`;
    },
  });
  if (input === undefined) return;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const value = input.trim() === '' ? undefined : Number(input.trim());
  await cfg.update(key, value, target);
  const action = await vscode.window.showQuickPick([
    { id: 'warn', label: 'Warn', detail: 'Notify once per period; keep routing as usual.' },
    { id: 'preferLocal', label: 'Prefer local', detail: 'Route only to local models until the period ends.' },
    { id: 'block', label: 'Block cloud', detail: 'Refuse cloud requests until the period ends.' },
  ].map((i) => ({ ...i, description: i.id === cfg.get('budget.action') ? '(current)' : undefined })), { title: 'When a budget is exceeded…' });
  if (action) await cfg.update('budget.action', action.id, target);
  void vscode.window.showInformationMessage(value === undefined ? `Rightsize: removed the ${period} ${unit} limit.` : `Rightsize: ${period} ${unit} limit set to ${value}.`);
}

function describeLimits(cfg: vscode.WorkspaceConfiguration, period: BudgetPeriod): string {
  const parts = UNITS.map((u) => ({ u, v: cfg.get<number | null>(`budget.${period}.${u.id}`) })).filter((x) => typeof x.v === 'number' && x.v > 0)
    .map((x) => `${x.v} ${x.u.id === 'usd' ? 'USD' : x.u.id === 'wh' ? 'Wh' : 'tokens'}`);
  return parts.length ? parts.join(', ') : 'no limits';
}

/** “Suggest a Model…”: on the selection or a typed request, a ranked quick pick with Wh, USD and reasons. */
async function suggestModel(s: Services, given?: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  let text = given ?? '';
  if (!text) {
    const typed = await vscode.window.showInputBox({
      title: 'Rightsize: Suggest a Model',
      prompt: selection ? 'Describe what you want done with the selected code' : 'Describe your request',
      placeHolder: 'e.g. rename this variable to something clearer',
    });
    if (!typed) return;
    text = selection ? `${typed}\n\n\`\`\`\n${selection}\n\`\`\`` : typed;
  }
  const request: ChatRequest = { id: `suggest-${Date.now()}`, messages: [{ role: 'user', content: text }], surface: 'chat', workspace: s.workspace(), session: s.session() };
  let decision;
  try {
    const candidates = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Rightsize: finding models' }, () => s.registry.candidates());
    if (candidates.length === 0) {
      void vscode.window.showWarningMessage(`Rightsize has no model to suggest. ${s.noModelsHelp()}`);
      return;
    }
    decision = await s.pipeline.decide(request);
  } catch (e) {
    void vscode.window.showWarningMessage(`Rightsize: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const cfg = s.settings.value;
  const pick = await vscode.window.showQuickPick(suggestItems(decision), {
    title: `Rightsize: models for this ${decision.task} request (ranked by ${cfg.objective})`,
    placeHolder: 'Choose a model to open the chat with it',
    matchOnDetail: true,
  });
  if (!pick) return;
  await vscode.commands.executeCommand('workbench.action.chat.open', { query: text, isPartialQuery: true, modelSelector: { vendor: 'rightsize', id: pick.model } }).then(undefined, () => undefined);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** “Reset What Routing Learned…”: this workspace (default) or every workspace. */
async function resetLearnedRouting(s: Services, given?: 'workspace' | 'all'): Promise<void> {
  let scope = given;
  if (!scope) {
    const learned = s.learning.describe();
    const pick = await vscode.window.showQuickPick([
      { id: 'workspace' as const, label: 'This workspace', detail: learned.length ? `Forget: ${learned.map((l) => l.summary).join('; ')}` : 'Nothing learned here yet.' },
      { id: 'all' as const, label: 'All workspaces', detail: 'Forget everything routing learned on this machine.' },
    ], { title: 'Rightsize: reset what routing learned from your escalations' });
    if (!pick) return;
    scope = pick.id;
  }
  s.learning.reset(scope);
  void vscode.window.showInformationMessage(scope === 'workspace' ? 'Rightsize: routing forgot what it learned in this workspace.' : 'Rightsize: routing forgot what it learned in every workspace.');
}
