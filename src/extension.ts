// Thin activation: wires the VS Code adapters to the core. No heavy work here: the tokenizer and
// model discovery load on first use.
import * as vscode from 'vscode';
import { activateRightsize, RightsizeApi } from './vscode/activation';

export function activate(context: vscode.ExtensionContext): RightsizeApi {
  return activateRightsize(context);
}

export function deactivate(): void {
  // Disposables registered on the context are disposed by VS Code.
}
