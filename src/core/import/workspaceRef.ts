// The workspace a folder belongs to, with the same id the VS Code window computes for it
// (src/vscode/workspaceIdentity.ts): the first 16 hex digits of the SHA-256 of its `file:` URI strings,
// so imported usage of a project lands in that project's workspace.
import { createHash } from 'crypto';
import * as path from 'path';
import type { WorkspaceRef } from '../types';

/** A workspace id from folder (or workspace file) URI strings, as VS Code's `Uri.toString()` spells them. */
export function workspaceIdOfUris(uris: readonly string[]): string {
  return createHash('sha256').update([...uris].sort().join('\n')).digest('hex').slice(0, 16);
}

// vscode-uri's encoding of a path: unreserved characters and '/' stay, everything else is %XX (upper case).
const KEEP = /[A-Za-z0-9\-._~/]/;

/** `vscode.Uri.file(fsPath).toString()` for absolute POSIX and Windows paths. */
export function fileUriString(fsPath: string): string {
  let p = fsPath;
  if (/^[a-zA-Z]:[\\/]/.test(p) || p.includes('\\')) p = p.replace(/\\/g, '/');
  if (/^[a-zA-Z]:/.test(p)) p = `/${p[0].toLowerCase()}${p.slice(1)}`;
  if (!p.startsWith('/')) p = `/${p}`;
  let out = '';
  for (const ch of p) {
    if (KEEP.test(ch)) { out += ch; continue; }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `file://${out}`;
}

/** The workspace of a project folder; `fallback` when the source did not say where it ran. */
export function workspaceOfFolder(folder: string | undefined, fallback: WorkspaceRef): WorkspaceRef {
  if (!folder) return fallback;
  const trimmed = folder.length > 1 ? folder.replace(/[\\/]+$/, '') : folder;
  return { id: workspaceIdOfUris([fileUriString(trimmed)]), name: path.basename(trimmed) || trimmed };
}
