// Saving an export: the save dialog, the file write and the confirmation. One function for the panel's
// Export button and the “Export Usage…” command, so both behave the same.
import * as os from 'os';
import * as vscode from 'vscode';
import type { ExportFormat } from './protocol';

/** Asks where to save `content` (suggesting `defaultFileName` in the first workspace folder, else the home
 *  folder), writes it, and offers to open it. False when the user cancelled. */
export async function saveExport(defaultFileName: string, format: ExportFormat, content: string): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const uri = await vscode.window.showSaveDialog({
    title: 'Export Rightsize usage',
    saveLabel: 'Export',
    defaultUri: vscode.Uri.joinPath(folder, defaultFileName),
    filters: format === 'csv' ? { 'CSV': ['csv'] } : { 'JSON': ['json'] },
  });
  if (!uri) return false;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  void vscode.window.showInformationMessage(`Rightsize: usage exported to ${uri.scheme === 'file' ? uri.fsPath : uri.toString()}.`, 'Open').then((pick) => {
    if (pick === 'Open') void vscode.window.showTextDocument(uri);
  });
  return true;
}
