// The stable, non-reversible id of a workspace (never its path): the first 16 hex digits of the
// SHA-256 of its folder URIs (sorted, one per line), or of its .code-workspace file's URI. The VS Code
// side passes `Uri.toString()` values; the CLI builds the same strings for a directory with vscode-uri.
// SHA-256 from @noble/hashes (audited, pure JS): node:crypto would bring the stream modules along, more
// than a status line spends on everything else.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export const NO_FOLDER_ID = 'no-folder';

export function workspaceIdOf(uris: readonly string[]): string {
  if (uris.length === 0) return NO_FOLDER_ID;
  return bytesToHex(sha256(utf8ToBytes([...uris].sort().join('\n')))).slice(0, 16);
}
