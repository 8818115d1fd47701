// A stable, non-reversible id for the open workspace (never its path), and its display name.
import { createHash } from 'crypto';
import * as vscode from 'vscode';
import { WorkspaceRef } from '../core/types';

export function currentWorkspace(): WorkspaceRef {
  const uris = vscode.workspace.workspaceFile
    ? [vscode.workspace.workspaceFile.toString()]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString()).sort();
  if (uris.length === 0) return { id: 'no-folder', name: 'No folder' };
  const id = createHash('sha256').update(uris.join('\n')).digest('hex').slice(0, 16);
  return { id, name: vscode.workspace.name ?? 'Workspace' };
}
