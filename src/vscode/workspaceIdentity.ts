// A stable, non-reversible id for the open workspace (never its path), and its display name.
import * as vscode from 'vscode';
import { workspaceIdOfUris } from '../core/import/workspaceRef';
import { WorkspaceRef } from '../core/types';

export function currentWorkspace(): WorkspaceRef {
  const uris = vscode.workspace.workspaceFile
    ? [vscode.workspace.workspaceFile.toString()]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
  if (uris.length === 0) return { id: 'no-folder', name: 'No folder' };
  return { id: workspaceIdOfUris(uris), name: vscode.workspace.name ?? 'Workspace' };
}
