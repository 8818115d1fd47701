// The export cursor (how far each ledger file has been exported to one destination, and the
// cumulative metric sums that go with it) and the lock that lets one process at a time export to a
// destination. Both live in `<ledger>/export/`, named by a hash of the destination (never its
// headers). The cursor is written atomically (temp file + rename) after every acknowledged batch, so
// a crash loses nothing and repeats at most the batch in flight.
import { createHash, randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Ledger } from '../ledger/ledger';
import { MetricState, emptyMetricState } from './genaiMapping';

export const CURSOR_VERSION = 1;

export interface CursorState {
  version: number;
  destination: string;
  createdMs: number;
  /** Per ledger file: the byte offset up to which records were exported (a line boundary). */
  files: Record<string, { offset: number; ino: number }>;
  /** Per ledger file: its size when the cursor was made (records before it predate the export). */
  floor: Record<string, number>;
  /** Records before the floor with ts >= this were exported by a backfill (null: none yet). */
  backfilledFrom: number | null;
  /** A backfill in progress: records with sinceMs <= ts < untilMs before the floor; offsets reached. */
  backfill: { sinceMs: number; untilMs: number | null; files: Record<string, number> } | null;
  metrics: MetricState;
  exported: number;
  /**
   * `service.instance.id` of everything sent with this cursor: one cumulative metric stream per cursor
   * (the VS Code windows and the CLI exporting one ledger to one destination share it), so two machines
   * of one developer, or two developers with the same attributes, never overwrite each other's series
   * in a backend such as Prometheus. Absent in cursors written before it existed (then assigned).
   */
  instanceId?: string;
}

export function newInstanceId(): string {
  return randomUUID();
}

export function exportDir(ledger: Ledger): string {
  return path.join(ledger.dir, 'export');
}

function baseName(destination: string): string {
  return `otlp-${createHash('sha256').update(destination).digest('hex').slice(0, 16)}`;
}

export function cursorPath(ledger: Ledger, destination: string): string {
  return path.join(exportDir(ledger), `${baseName(destination)}.cursor.json`);
}

/** A cursor at the current end of every file: export starts with what is appended from now on. */
export function newCursor(ledger: Ledger, destination: string, nowMs: number): CursorState {
  const floor: Record<string, number> = {};
  const files: CursorState['files'] = {};
  for (const f of ledger.files()) {
    const st = fs.statSync(f.path);
    const end = lastLineEnd(f.path, st.size);
    floor[f.name] = end;
    files[f.name] = { offset: end, ino: st.ino || 0 };
  }
  return { version: CURSOR_VERSION, destination, createdMs: nowMs, files, floor, backfilledFrom: null, backfill: null, metrics: emptyMetricState(nowMs), exported: 0, instanceId: newInstanceId() };
}

/** The offset after the last '\n' in the first `size` bytes (an unterminated tail is not "there" yet). */
function lastLineEnd(file: string, size: number): number {
  if (size === 0) return 0;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - buf.length);
      const n = fs.readSync(fd, buf, 0, end - start, start);
      const i = buf.subarray(0, n).lastIndexOf(10);
      if (i >= 0) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

export function loadCursor(ledger: Ledger, destination: string): CursorState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(cursorPath(ledger, destination), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const s = JSON.parse(text) as CursorState;
  if (!s || s.version !== CURSOR_VERSION || s.destination !== destination || typeof s.files !== 'object' || typeof s.floor !== 'object' || !s.metrics) {
    throw new Error(`the export cursor ${cursorPath(ledger, destination)} is not one this version reads; delete it to start exporting from now`);
  }
  return s;
}

export function saveCursor(ledger: Ledger, s: CursorState): void {
  const p = cursorPath(ledger, s.destination);
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
  const tmp = `${p}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
  fs.renameSync(tmp, p);
}

// --- the lock ------------------------------------------------------------------------------------

const STALE_MS = 2 * 60_000;
const HEARTBEAT_MS = 30_000;

export interface ExportLock { release(): void }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the destination's lock, or returns a description of who holds it. Stale locks are taken over. */
export function acquireLock(ledger: Ledger, destination: string): ExportLock | { heldBy: string } {
  const p = path.join(exportDir(ledger), `${baseName(destination)}.lock`);
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
  const me = JSON.stringify({ pid: process.pid, host: os.hostname(), startedMs: Date.now() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(p, me, { flag: 'wx', mode: 0o600 });
      const timer = setInterval(() => { try { fs.utimesSync(p, new Date(), new Date()); } catch { /* released */ } }, HEARTBEAT_MS);
      timer.unref();
      return {
        release: () => {
          clearInterval(timer);
          try { if (fs.readFileSync(p, 'utf8') === me) fs.unlinkSync(p); } catch { /* already gone */ }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: { pid?: number; host?: string } = {};
    let fresh = false;
    try {
      holder = JSON.parse(fs.readFileSync(p, 'utf8')) as typeof holder;
      fresh = Date.now() - fs.statSync(p).mtimeMs < STALE_MS;
    } catch {
      // unreadable or gone: treat as stale
    }
    const sameHost = holder.host === os.hostname();
    const live = typeof holder.pid === 'number' && (sameHost ? alive(holder.pid) : fresh);
    if (live) return { heldBy: `process ${holder.pid} on ${holder.host ?? 'this machine'}` };
    try { fs.unlinkSync(p); } catch { /* someone else took it over */ }
  }
  return { heldBy: 'another process (the lock keeps changing hands)' };
}
