// Where the ledger lives and how its monthly files are named.
import * as path from 'path';

/**
 * The per-user ledger directory. `RIGHTSIZE_LEDGER_DIR` wins; otherwise
 *  - linux and other unixes: `$XDG_DATA_HOME/rightsize/ledger` (when XDG_DATA_HOME is absolute, as the
 *    XDG spec requires) else `~/.local/share/rightsize/ledger`;
 *  - darwin: `~/Library/Application Support/Rightsize/ledger`;
 *  - win32: `%APPDATA%\Rightsize\ledger` (else `~\AppData\Roaming\Rightsize\ledger`).
 */
export function defaultLedgerDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, homedir: string): string {
  const explicit = env.RIGHTSIZE_LEDGER_DIR?.trim();
  if (explicit) return explicit;
  if (platform === 'win32') {
    const appData = env.APPDATA?.trim() || path.win32.join(homedir, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Rightsize', 'ledger');
  }
  if (platform === 'darwin') return path.posix.join(homedir, 'Library', 'Application Support', 'Rightsize', 'ledger');
  const xdg = env.XDG_DATA_HOME?.trim();
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(homedir, '.local', 'share');
  return path.posix.join(base, 'rightsize', 'ledger');
}

export const LEDGER_FILE_RE = /^usage-(\d{4})-(\d{2})\.jsonl$/;

/** `usage-YYYY-MM.jsonl` for the UTC month of `ms`. */
export function ledgerFileName(ms: number): string {
  const d = new Date(ms);
  return `usage-${d.getUTCFullYear().toString().padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}.jsonl`;
}

export interface LedgerFile {
  /** `YYYY-MM` (UTC). */
  month: string;
  name: string;
  path: string;
  /** The UTC month the file holds: [startMs, endMs). */
  startMs: number;
  endMs: number;
}

export function ledgerFileInfo(dir: string, name: string): LedgerFile | undefined {
  const m = LEDGER_FILE_RE.exec(name);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return undefined;
  return { month: `${m[1]}-${m[2]}`, name, path: path.join(dir, name), startMs: Date.UTC(y, mo - 1, 1), endMs: Date.UTC(y, mo, 1) };
}
