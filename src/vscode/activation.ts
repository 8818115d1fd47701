// Wires the adapters together. Each adapter lives in its own module under src/vscode/.
import * as vscode from 'vscode';

/** What `activate` returns: used by the integration tests and by other extensions. */
export interface RightsizeApi {
  readonly version: string;
  /** The status-bar meter as it is shown now (for tests and other extensions). */
  statusBar(): { text: string; tooltip: string; visible: boolean };
}

export function activateRightsize(context: vscode.ExtensionContext): RightsizeApi {
  const status = vscode.window.createStatusBarItem('rightsize.meter', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Rightsize meter';
  status.text = '$(pulse) Rightsize';
  status.tooltip = 'Rightsize: session usage';
  status.command = 'rightsize.openUsage';
  status.show();
  context.subscriptions.push(status);
  context.subscriptions.push(
    vscode.commands.registerCommand('rightsize.openUsage', () => {
      void vscode.window.showInformationMessage('Rightsize: usage panel not built yet.');
    }),
  );
  return {
    version: String(context.extension.packageJSON.version),
    statusBar: () => ({ text: status.text, tooltip: typeof status.tooltip === 'string' ? status.tooltip : status.tooltip?.value ?? '', visible: true }),
  };
}
