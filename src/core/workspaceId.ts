// The stable, non-reversible id of a workspace (never its path): the first 16 hex digits of the
// SHA-256 of its folder URIs (sorted, one per line), or of its .code-workspace file's URI. The VS Code
// side passes `Uri.toString()` values; the CLI builds the same strings for a directory with vscode-uri.
import { createHash } from 'crypto';

export const NO_FOLDER_ID = 'no-folder';

export function workspaceIdOf(uris: readonly string[]): string {
  if (uris.length === 0) return NO_FOLDER_ID;
  return createHash('sha256').update([...uris].sort().join('\n')).digest('hex').slice(0, 16);
}
