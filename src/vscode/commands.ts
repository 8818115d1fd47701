// Rightsize's commands (all under the “Rightsize” category in the Command Palette).
import * as vscode from 'vscode';
import { ChatRequest, Objective, RoutingMode } from '../core/types';
import { setBudget } from './budgetCommand';
import type { Settings } from './settings';
import { showWriteMessage, UNTRUSTED_SENTENCE, writeMessage, writeSetting } from './workspaceSettings';
import { suggestItems } from './suggestions';
import type { Services } from './services';
import { errorText } from '../core/errorText';

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
  reg('rightsize.chooseObjective', () => chooseWorkspaceSetting<Objective>(s.settings, 'objective', s.settings.value.objective, 'Rightsize: routing objective for this workspace', [
    { id: 'energy', label: 'Energy', detail: 'Pick the capable model with the lowest watt-hours.' },
    { id: 'money', label: 'Money', detail: 'Pick the capable model with the lowest price.' },
    { id: 'balanced', label: 'Balanced', detail: 'Weigh energy and money together.' },
  ]));
  reg('rightsize.chooseMode', () => chooseWorkspaceSetting<RoutingMode>(s.settings, 'mode', s.settings.value.mode, 'Rightsize: routing mode for this workspace', [
    { id: 'auto', label: 'Auto', detail: 'Route every request to the smallest capable model.' },
    { id: 'suggest', label: 'Suggest', detail: 'Use the model you pick; hint when a smaller one would do.' },
    { id: 'off', label: 'Off', detail: 'Meter only.' },
  ]));
  reg('rightsize.toggleLocalOnly', async () => {
    const next = !s.settings.value.localOnly;
    const w = await writeSetting(s.settings, 'localOnly', next);
    const done = next ? 'this workspace now uses local models only.' : 'this workspace may use cloud models again.';
    const text = writeMessage(w, s.settings.trusted, done, (v) => (v === true ? 'local-only on' : 'local-only off'));
    showWriteMessage(w, s.settings.trusted, text);
    return { applied: w.applied, trusted: s.settings.trusted, message: text };
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
  reg('rightsize.setBudget', (arg?: unknown) => setBudget(s.settings, arg));
  reg('rightsize.suggestModel', (arg?: unknown) => suggestModel(s, typeof arg === 'string' ? arg : undefined));
  reg('rightsize.exportUsage', () => s.exportUsage());
  reg('rightsize.setOtlpHeaders', () => s.editOtlpHeaders());
  reg('rightsize.retryWithBiggerModel', (arg?: unknown) => s.learning.retryWithBiggerModel(isObject(arg) && arg.resend === false ? { resend: false } : {}));
  reg('rightsize.resetLearnedRouting', (arg?: unknown) => resetLearnedRouting(s, arg === 'workspace' || arg === 'all' ? arg : undefined));
}

/** A quick pick of a setting's values (the one in force marked), written to the workspace; says what is in force. */
async function chooseWorkspaceSetting<T extends string>(settings: Settings, key: string, current: T, title: string, items: Array<vscode.QuickPickItem & { id: T }>): Promise<void> {
  const untrusted = settings.trusted ? '' : ` — ${UNTRUSTED_SENTENCE}`;
  const pick = await vscode.window.showQuickPick(items.map((i) => (i.id === current ? { ...i, description: '(in force)' } : i)), { title: `${title}${untrusted}` });
  if (!pick) return;
  const w = await writeSetting(settings, key, pick.id);
  showWriteMessage(w, settings.trusted, writeMessage(w, settings.trusted, `${key} is now ${pick.id}.`, (v) => `${key} ${v === undefined ? current : String(v)}`));
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
    void vscode.window.showWarningMessage(`Rightsize: ${errorText(e)}`);
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
