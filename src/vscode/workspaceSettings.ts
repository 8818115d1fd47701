// Writes from commands to Rightsize's workspace settings, through the same trust filter the pipeline uses
// (Settings.inForce): after each write the command says what is in force now. In an untrusted workspace the
// workspace's budget and routing settings are ignored until it is trusted, so a write there is saved but
// not applied, and the message says so (with “Manage Workspace Trust”).
import * as vscode from 'vscode';
import type { SettingInForce, SettingSource, Settings } from './settings';

export type WriteTarget = 'workspace' | 'user';

export interface SettingWrite {
  /** Relative to `rightsize.`. */
  readonly key: string;
  /** What was written (undefined: removed). */
  readonly value: unknown;
  readonly target: WriteTarget;
  /** What Rightsize applies after the write. */
  readonly inForce: SettingInForce;
  /** True when the written value is the one in force. */
  readonly applied: boolean;
}

export const MANAGE_TRUST = 'Manage Workspace Trust';

/** The sentence every command shows in an untrusted workspace. */
export const UNTRUSTED_SENTENCE = 'This workspace is not trusted, so Rightsize ignores its workspace settings (budgets, routing) until you trust it.';

/** The workspace when a folder is open, else the user settings (the only place a setting can go then). */
export function defaultTarget(): WriteTarget {
  return vscode.workspace.workspaceFolders?.length ? 'workspace' : 'user';
}

export async function writeSetting(settings: Settings, key: string, value: unknown, target: WriteTarget = defaultTarget()): Promise<SettingWrite> {
  await vscode.workspace.getConfiguration('rightsize').update(key, value, target === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  const inForce = settings.inForce(key);
  return { key, value, target, inForce, applied: sameValue(inForce.value, value) };
}

/** “(workspace settings)”, “(user settings)”, “(default)”. */
export function sourcePhrase(source: SettingSource): string {
  switch (source) {
    case 'workspaceFolder': return 'folder settings';
    case 'workspace': return 'workspace settings';
    case 'user': return 'user settings';
    case 'default': return 'default';
  }
}

/**
 * The message after a write: `done` when it is in force; otherwise where it was saved, why it does not
 * apply, and what does. `describe` phrases a value of the setting (undefined = not set).
 */
export function writeMessage(w: SettingWrite, trusted: boolean, done: string, describe: (value: unknown) => string): string {
  if (w.applied) return `Rightsize: ${done}`;
  const where = w.target === 'workspace' ? "this workspace's settings" : 'your user settings';
  const why = !trusted && w.target === 'workspace' ? ` ${UNTRUSTED_SENTENCE}` : '';
  return `Rightsize: saved ${describe(w.value)} in ${where}, but it is not in force.${why} In force now: ${describe(w.inForce.value)} (${sourcePhrase(w.inForce.source)}).`;
}

/** Shows the message after a write, with “Manage Workspace Trust” when trust is what stands in the way. */
export function showWriteMessage(w: SettingWrite, trusted: boolean, text: string): void {
  if (w.applied) {
    void vscode.window.showInformationMessage(text);
    return;
  }
  const actions = !trusted && w.target === 'workspace' ? [MANAGE_TRUST] : [];
  void vscode.window.showWarningMessage(text, ...actions).then((c) => {
    if (c === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
