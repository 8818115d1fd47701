// --workspace for reports and the status line: a workspace id, a workspace name as VS Code shows it,
// or a folder path (its id is computed exactly as the extension computes it for a single-folder
// workspace). Names are matched against the workspaces the loaded usage knows.
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { workspaceIdOf } from '../core/workspaceId';
import { UsageError } from './args';

/** The id the extension gives a single-folder workspace opened at `dir`. */
export function workspaceIdForFolder(dir: string): string {
  return workspaceIdOf([URI.file(path.resolve(dir)).toString()]);
}

/** Resolves `value` against `known` (id → name). Throws a UsageError when a name is ambiguous. */
export function resolveWorkspace(value: string, known: ReadonlyMap<string, string>): string {
  if (known.has(value)) return value;
  const byName = [...known].filter(([, name]) => name.toLowerCase() === value.toLowerCase()).map(([id]) => id);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new UsageError(`--workspace "${value}" names ${byName.length} workspaces (${byName.join(', ')}); give the id`);
  let isDir = false;
  try {
    isDir = fs.statSync(value).isDirectory();
  } catch {
    // not a path
  }
  return isDir ? workspaceIdForFolder(value) : value;
}
