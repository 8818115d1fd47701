// A stable, non-reversible id for the open workspace (never its path), and its display name.
import * as vscode from 'vscode';
import { WorkspaceRef } from '../core/types';
import { workspaceIdOf } from '../core/workspaceId';

export function currentWorkspace(): WorkspaceRef {
  const uris = vscode.workspace.workspaceFile
    ? [vscode.workspace.workspaceFile.toString()]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
  if (uris.length === 0) return { id: workspaceIdOf([]), name: 'No folder' };
  return { id: workspaceIdOf(uris), name: vscode.workspace.name ?? 'Workspace' };
}
