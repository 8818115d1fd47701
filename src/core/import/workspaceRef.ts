// The workspace a folder belongs to, with the same id the VS Code window computes for it
// (src/vscode/workspaceIdentity.ts, src/core/workspaceId.ts), so imported usage of a project lands in
// that project's workspace. File URIs are spelled by vscode-uri, exactly as `vscode.Uri.file` does.
import * as path from 'path';
import { URI } from 'vscode-uri';
import type { WorkspaceRef } from '../types';
import { workspaceIdOf } from '../workspaceId';

/** `vscode.Uri.file(fsPath).toString()`. */
export function fileUriString(fsPath: string): string {
  return URI.file(fsPath).toString();
}

/** The workspace of a project folder; `fallback` when the source did not say where it ran. */
export function workspaceOfFolder(folder: string | undefined, fallback: WorkspaceRef): WorkspaceRef {
  if (!folder) return fallback;
  const trimmed = folder.length > 1 ? folder.replace(/[\\/]+$/, '') : folder;
  return { id: workspaceIdOf([fileUriString(trimmed)]), name: path.basename(trimmed) || trimmed };
}
