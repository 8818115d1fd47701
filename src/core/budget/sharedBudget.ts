// What the other windows and processes of a workspace spend, for a budget gate that must see it before it
// admits a request (a hard `block` budget is shared by every VS Code window, the CLI and the gateway).
//
//  - Settled spending: the ledger is shared, so its tail is read (incrementally, from the offsets taken when
//    the gate's baseline was read: `beginBaseline`) and every record of this workspace that is not this
//    window's own (`ownSessions`) counts in the period instances that contain its `ts`. A record appended
//    while the baseline was being read may be counted twice: never zero times.
//  - In-flight spending: a small reservation file per workspace, `<ledger>/budget/<workspace>.json`, holds
//    every process's reservations, ONE entry per owner (the sum of its requests in flight, `at` the oldest's
//    start: the others only ever add them up), so a write stays small however many requests are in flight;
//    `exclusive` runs the gate's decision and rewrites this owner's entry
//    under a lock file (`.lock`, created with O_EXCL). The file is rewritten in place by ONE write(2) at
//    offset 0 (the JSON, padded with spaces to the file's old length, so no truncation is needed and a
//    process killed at any point leaves a whole version). Not replaced by rename: on ext4 a rename over an
//    existing file (auto_da_alloc) flushes it, ~2 ms a time, twice per request. A reader without the lock
//    (`peek`, for display and the router's constraints) that catches a write half done keeps the last
//    version it read, and reads a version again only when the file's inode, size or times changed (or a
//    second has passed: whether its processes are alive is asked again then); under the lock it always reads, unless the file still starts with its own last write (below).
//  - `publish` (a settle or release: this owner's reservations only shrink) is written PUBLISH_DELAY_MS
//    later, once for all that settled meanwhile (or by the next admission's write, which publishes the latest
//    state anyway), or at once when nothing is left in flight; until then the others see the reservation as
//    still in flight, i.e. they count it twice, never zero times.
//  - Each write starts with a nonce (`{"v":1,"w":"…"`). Under the lock, a file that still starts with this
//    owner's last nonce is what this owner wrote: its entries are taken from memory, without reading and
//    parsing the file; whether their processes are alive is asked again, as a read would.
//  - kill -9: an entry or a lock whose process is gone (`kill(pid, 0)` says ESRCH) is dropped; a lock older
//    than STALE_LOCK_MS is broken (the lock is held for one read-decide-write, about a millisecond). An entry
//    older than MAX_ENTRY_AGE_MS is dropped too (pid reuse).
// Not guaranteed: two processes breaking the same dead lock in the same instant could both proceed once.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LEDGER_FILE_RE, ledgerFileName } from '../ledger/paths';
import { recordProblem } from '../ledger/validate';
import type { UsageRecord } from '../types';
import type { UsageAmount } from './budgetGate';
import { CALENDAR_PERIODS, CalendarPeriod, nextPeriodStart, periodKey, startOfPeriod } from './periods';


/** The other owners' spending as the gate sees it. */
export interface OthersSpend {
  /** Settled since the baseline, per current period instance. */
  settled: Record<CalendarPeriod, UsageAmount>;
  /** Reserved by requests in flight in other windows and processes. */
  reserved: UsageAmount;
}

/** What a gate publishes of itself: its requests in flight. */
export interface OwnReservation { id: number; amount: UsageAmount }

export interface SharedSpend {
  /** Runs `decide` with the others' spending under the workspace's lock, then publishes `own()`. */
  exclusive<T>(decide: (others: OthersSpend) => T, own: () => OwnReservation[]): T;
  /** The others' spending now, without the lock (for display). */
  peek(): OthersSpend;
  /** Publishes `own()` soon, or at once with `now` (see the header): for changes that only shrink this owner's reservations. */
  publish?(own: () => OwnReservation[], now: boolean): void;
}

export interface SharedBudgetOptions {
  ledgerDir: string;
  workspaceId: string;
  /** Sessions whose records the gate counts itself (this window's). */
  ownSessions: () => ReadonlySet<string>;
  /** Unique per gate; default a random id. */
  owner?: string;
  now?: () => Date;
  onWarning?: (message: string) => void;
}

const STALE_LOCK_MS = 5_000;
const LOCK_WAIT_MS = 8_000;
const MAX_ENTRY_AGE_MS = 6 * 3600_000;
/** An unchanged reservation file is still read again this often (whose process is alive is asked then). */
const REREAD_MS = 1_000;
/** A shrink of this owner's reservations (settle, release) is published this much later, batched. */
const PUBLISH_DELAY_MS = 10;
/** Padding past this is cut off after a write. */
const SHRINK_PADDING_BYTES = 64 * 1024;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

const zero = (): UsageAmount => ({ tokens: 0, wh: 0, usd: 0 });
const finite = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

interface Entry { owner: string; pid: number; id: number; at: number; tokens: number; wh: number; usd: number }

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SharedBudget implements SharedSpend {
  readonly file: string;
  private readonly lockFile: string;
  private readonly owner: string;
  private readonly now: () => Date;
  private readonly tail: LedgerTail;
  private warned = false;
  private dirReady = false;
  /** The reservation file as last read or written, by its stat stamp; `nonce`: ours, when we wrote it last. */
  private cached: { stamp: string; atMs: number; entries: Entry[]; nonce?: string } | undefined;
  private pendingOwn: (() => OwnReservation[]) | undefined;
  private publishTimer: ReturnType<typeof setTimeout> | undefined;
  private writes = 0;
  private fd: number | undefined;
  private fdIdle: ReturnType<typeof setTimeout> | undefined;
  private readonly entryJson = new WeakMap<Entry, string>();
  /** When each of this owner's reservations (by id) was first written, for its entry's `at`. */
  private ownStarted = new Map<number, number>();
  private ownEntry: Entry | undefined;

  constructor(private readonly opts: SharedBudgetOptions) {
    const safe = opts.workspaceId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'default';
    this.file = path.join(opts.ledgerDir, 'budget', `${safe}.json`);
    this.lockFile = `${this.file}.lock`;
    this.owner = opts.owner ?? randomUUID();
    this.now = opts.now ?? (() => new Date());
    this.tail = new LedgerTail(opts.ledgerDir, opts.workspaceId, opts.ownSessions, this.now);
  }

  /** Call before reading the baseline; call what it returns once the baseline is applied. */
  beginBaseline(): () => void {
    const offsets = this.tail.sizes();
    return () => this.tail.restart(offsets);
  }

  exclusive<T>(decide: (others: OthersSpend) => T, own: () => OwnReservation[]): T {
    this.cancelPublish(); // this write publishes the latest state anyway
    let release: (() => void) | undefined;
    try {
      release = this.lock();
    } catch (e) {
      // A ledger directory we cannot write to: decide on what we can read, and say so once.
      this.warnOnce(`could not lock ${this.lockFile} (${(e as Error).message}); other windows' requests in flight are not seen`);
    }
    try {
      const entries = this.read(true);
      const value = decide(this.view(entries));
      if (release) this.write(entries, own());
      return value;
    } finally {
      release?.();
    }
  }

  publish(own: () => OwnReservation[], now: boolean): void {
    this.pendingOwn = own;
    if (now) { this.flushPublish(); return; }
    if (this.publishTimer) return;
    this.publishTimer = setTimeout(() => this.flushPublish(), PUBLISH_DELAY_MS);
    (this.publishTimer as { unref?: () => void }).unref?.();
  }

  private cancelPublish(): void {
    this.pendingOwn = undefined;
    if (this.publishTimer) { clearTimeout(this.publishTimer); this.publishTimer = undefined; }
  }

  private flushPublish(): void {
    const own = this.pendingOwn;
    this.cancelPublish();
    if (own) this.exclusive(() => undefined, own);
  }

  peek(): OthersSpend {
    return this.view(this.read(false));
  }

  private view(entries: Entry[]): OthersSpend {
    const reserved = zero();
    for (const e of entries) {
      if (e.owner === this.owner) continue;
      reserved.tokens += e.tokens;
      reserved.wh += e.wh;
      reserved.usd += e.usd;
    }
    return { settled: this.tail.poll(), reserved };
  }

  /** Live entries of the reservation file (dead processes' and too old ones dropped). `locked`: under the lock,
   * where no write is half done; without it, a version that does not parse is taken for one being written. */
  private read(locked: boolean): Entry[] {
    const c = this.cached;
    if (locked && c?.nonce !== undefined && this.startsWith(c.nonce)) {
      // The file is what we wrote: the same entries a read would give, liveness asked again as a read would.
      const alivePids = new Map<number, boolean>();
      const isAlive = (pid: number): boolean => { let a = alivePids.get(pid); if (a === undefined) alivePids.set(pid, (a = alive(pid))); return a; };
      return live(c.entries.filter((e) => isAlive(e.pid)), Date.now());
    }
    let stamp: string;
    try {
      stamp = stampOf(fs.statSync(this.file, { bigint: true }));
    } catch {
      this.cached = undefined;
      return [];
    }
    const nowMs = Date.now();
    // Under the lock it is always read (but see startsWith above): file times tick coarsely (a few ms), so two writes in one tick with
    // the same length would look alike.
    if (locked || this.cached?.stamp !== stamp || nowMs - this.cached.atMs > REREAD_MS) {
      let list: unknown;
      try {
        list = (JSON.parse(fs.readFileSync(this.file, 'utf8')) as { reservations?: unknown }).reservations;
      } catch {
        if (!locked && this.cached) return live(this.cached.entries, nowMs);
        list = [];
      }
      const entries: Entry[] = [];
      if (Array.isArray(list)) {
        for (const x of list as Array<Record<string, unknown>>) {
          if (!x || typeof x.owner !== 'string' || typeof x.pid !== 'number' || typeof x.at !== 'number' || !alive(x.pid)) continue;
          entries.push({ owner: x.owner, pid: x.pid, id: Number(x.id) || 0, at: x.at, tokens: finite(x.tokens), wh: finite(x.wh), usd: finite(x.usd) });
        }
      }
      this.cached = { stamp, atMs: nowMs, entries };
    }
    return live(this.cached.entries, nowMs);
  }

  /** True when the file starts as this owner's write with `nonce` did (nobody wrote it since). */
  private startsWith(nonce: string): boolean {
    const fd = this.keptFd(false);
    if (fd === undefined) return false;
    const head = Buffer.from(`{"v":1,"w":${JSON.stringify(nonce)},`, 'utf8');
    const buf = Buffer.allocUnsafe(head.length);
    try {
      return fs.readSync(fd, buf, 0, buf.length, 0) === buf.length && buf.equals(head);
    } catch {
      this.closeFd();
      return false;
    }
  }

  /**
   * The reservation file's descriptor, kept between writes (closed after 2 s unused): undefined, or with
   * `create` a new one, when there is none or the file it points to was removed (its inode unlinked).
   */
  private keptFd(create: boolean): number | undefined {
    if (this.fd !== undefined) {
      try {
        if (fs.fstatSync(this.fd).nlink > 0) { this.fdIdle?.refresh(); return this.fd; }
      } catch { /* closed */ }
      this.closeFd();
    }
    if (!create) return undefined;
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    this.fdIdle = setTimeout(() => this.closeFd(), 2_000);
    this.fdIdle.unref?.();
    return this.fd;
  }

  private closeFd(): void {
    if (this.fdIdle) { clearTimeout(this.fdIdle); this.fdIdle = undefined; }
    if (this.fd !== undefined) { try { fs.closeSync(this.fd); } catch { /* already closed */ } }
    this.fd = undefined;
  }

  private write(entries: Entry[], own: OwnReservation[]): void {
    const nowMs = Date.now();
    const next: Entry[] = entries.filter((e) => e.owner !== this.owner);
    // This owner's requests in flight, as one entry: their sum, from the oldest one's start.
    const started = new Map<number, number>();
    let at = Infinity;
    const sum = { tokens: 0, wh: 0, usd: 0 };
    for (const r of own) {
      const t = this.ownStarted.get(r.id) ?? nowMs;
      started.set(r.id, t);
      if (t < at) at = t;
      sum.tokens += r.amount.tokens;
      sum.wh += r.amount.wh;
      sum.usd += r.amount.usd;
    }
    this.ownStarted = started;
    if (own.length > 0) {
      const prev = this.ownEntry;
      // The same object when nothing changed, so its JSON (entryJson) is made once.
      const mine: Entry = prev && prev.at === at && prev.tokens === sum.tokens && prev.wh === sum.wh && prev.usd === sum.usd
        ? prev : { owner: this.owner, pid: process.pid, id: 0, at, ...sum };
      this.ownEntry = mine;
      next.push(mine);
    }
    try {
      const fd = this.keptFd(true)!;
      const oldSize = fs.fstatSync(fd).size;
      const nonce = `${this.owner}.${(++this.writes).toString(36)}`;
      // What JSON.stringify({ v: 1, w: nonce, reservations: next }) gives, from each entry's JSON made once.
      const parts: string[] = [];
      for (const e of next) {
        let j = this.entryJson.get(e);
        if (j === undefined) this.entryJson.set(e, (j = JSON.stringify(e)));
        parts.push(j);
      }
      const text = `{"v":1,"w":${JSON.stringify(nonce)},"reservations":[${parts.join(',')}]}`;
      const length = Buffer.byteLength(text, 'utf8');
      const buf = Buffer.allocUnsafe(Math.max(oldSize, length));
      buf.write(text, 0, 'utf8');
      if (oldSize > length) buf.fill(0x20, length);
      const written = fs.writeSync(fd, buf, 0, buf.length, 0);
      if (written !== buf.length) throw new Error(`only ${written} of ${buf.length} bytes were written`);
      if (oldSize - length > SHRINK_PADDING_BYTES) fs.ftruncateSync(fd, length); // after the write: a kill between leaves JSON + spaces
      this.cached = { stamp: stampOf(fs.fstatSync(fd, { bigint: true })), atMs: nowMs, entries: next, nonce };
    } catch (e) {
      this.cached = undefined;
      this.closeFd();
      this.warnOnce(`could not write ${this.file} (${(e as Error).message}); other windows do not see this window's requests in flight`);
    }
  }

  /** Takes the lock file (waiting while another live process holds it); returns its release. */
  private lock(): () => void {
    if (!this.dirReady) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    const nonce = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    let remade = false;
    for (;;) {
      try {
        const fd = fs.openSync(this.lockFile, 'wx', 0o600);
        const takenMs = Date.now();
        try { fs.writeSync(fd, JSON.stringify({ pid: process.pid, nonce, at: takenMs })); } finally { fs.closeSync(fd); }
        return () => {
          try {
            // Others break only a dead holder's lock or one older than STALE_LOCK_MS: one held briefly is still
            // ours. One held longer may have been broken and taken since: it is removed only if still ours.
            if (Date.now() - takenMs < STALE_LOCK_MS / 2 || (JSON.parse(fs.readFileSync(this.lockFile, 'utf8')) as { nonce?: string }).nonce === nonce) fs.unlinkSync(this.lockFile);
          } catch { /* already gone */ }
        };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && !remade) { remade = true; fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 }); continue; } // removed meanwhile
        if (code !== 'EEXIST') throw e;
      }
      this.breakIfStale();
      if (Date.now() > deadline) throw new Error(`the lock is busy for more than ${LOCK_WAIT_MS / 1000} s`);
      Atomics.wait(sleepCell, 0, 0, 1);
    }
  }

  private breakIfStale(): void {
    let holder: { pid?: number; at?: number; nonce?: string } = {};
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(this.lockFile).mtimeMs;
      try { holder = JSON.parse(fs.readFileSync(this.lockFile, 'utf8')); } catch { /* being written */ }
    } catch {
      return; // released meanwhile
    }
    const dead = typeof holder.pid === 'number' && !alive(holder.pid);
    if (!dead && Date.now() - mtimeMs < STALE_LOCK_MS) return;
    // Move it aside first, and only delete it if it is still the stale one we looked at.
    const aside = `${this.lockFile}.${randomUUID()}.stale`;
    try { fs.renameSync(this.lockFile, aside); } catch { return; }
    try {
      const moved = JSON.parse(fs.readFileSync(aside, 'utf8')) as { nonce?: string };
      if (holder.nonce !== undefined && moved.nonce !== holder.nonce) {
        // A live holder took it between our look and the move: give it back.
        try { fs.linkSync(aside, this.lockFile); } catch { /* someone else holds it now */ }
      }
    } catch { /* unreadable: it was the stale, empty one */ }
    try { fs.unlinkSync(aside); } catch { /* gone */ }
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.opts.onWarning?.(message);
  }
}

/**
 * The ledger's new records since given offsets, summed per current period instance. Reads only the files
 * of the months the current week and month touch, from where it stopped, whole lines only.
 */
class LedgerTail {
  private offsets = new Map<string, number>();
  private started = false;
  private sums: Record<CalendarPeriod, { key: string; amount: UsageAmount }>;
  private candidateCache: { from: number; to: number; names: string[] } | undefined;

  constructor(
    private readonly dir: string,
    private readonly workspaceId: string,
    private readonly ownSessions: () => ReadonlySet<string>,
    private readonly now: () => Date,
  ) {
    this.sums = this.emptySums(this.now());
  }

  /** Current sizes of the ledger files (the baseline covers what is below them). */
  sizes(): Map<string, number> {
    const out = new Map<string, number>();
    for (const name of this.names()) {
      try { out.set(name, fs.statSync(path.join(this.dir, name)).size); } catch { /* gone */ }
    }
    return out;
  }

  restart(offsets: Map<string, number>): void {
    this.offsets = new Map(offsets);
    this.started = true;
    this.sums = this.emptySums(this.now());
  }

  poll(): Record<CalendarPeriod, UsageAmount> {
    const t = this.now();
    for (const p of CALENDAR_PERIODS) if (this.sums[p].key !== periodKey(p, t)) this.sums[p] = { key: periodKey(p, t), amount: zero() };
    if (this.started) for (const name of this.candidates(t)) this.read(name);
    return { day: { ...this.sums.day.amount }, week: { ...this.sums.week.amount }, month: { ...this.sums.month.amount } };
  }

  /**
   * The ledger files that can hold records of the current day, week and month: the UTC months (files are
   * named by the record's UTC month) from the earlier period start to the later period end, a day of slack
   * either side. Named, not listed: a stat of each (missing ones are skipped) instead of a readdir per poll.
   */
  private candidates(t: Date): string[] {
    const from = Math.min(startOfPeriod('week', t).getTime(), startOfPeriod('month', t).getTime()) - 86_400_000;
    const to = Math.max(nextPeriodStart('week', t).getTime(), nextPeriodStart('month', t).getTime()) + 86_400_000;
    if (this.candidateCache?.from === from && this.candidateCache.to === to) return this.candidateCache.names;
    const names: string[] = [];
    const d = new Date(from);
    for (let y = d.getUTCFullYear(), m = d.getUTCMonth(); Date.UTC(y, m, 1) < to; m++) names.push(ledgerFileName(Date.UTC(y, m, 1)));
    this.candidateCache = { from, to, names };
    return names;
  }

  private names(): string[] {
    try { return fs.readdirSync(this.dir).filter((n) => LEDGER_FILE_RE.test(n)); } catch { return []; }
  }

  private read(name: string): void {
    const file = path.join(this.dir, name);
    let fd: number;
    try {
      // One stat when nothing was appended (the common case between two of this process's own records).
      const st = fs.statSync(file, { throwIfNoEntry: false }); // most candidates do not exist: no error built for them
      if (!st || st.size === (this.offsets.get(name) ?? 0)) return;
      fd = fs.openSync(file, 'r');
    } catch { return; }
    try {
      const size = fs.fstatSync(fd).size;
      let from = this.offsets.get(name) ?? 0;
      if (size < from) from = 0; // replaced or cut: read it again (conservative)
      if (size === from) return;
      const buf = Buffer.allocUnsafe(size - from);
      const n = fs.readSync(fd, buf, 0, buf.length, from);
      const end = buf.lastIndexOf(10, n - 1);
      if (end < 0) return; // no whole line yet
      const own = this.ownSessions();
      // This owner's own records (most of what it polls) are known by their `"session":"…"` member without
      // parsing them (a record has one `session` field, at its top level; a string value cannot contain
      // that text unescaped).
      const ownMarks = [...own].map((id) => `"session":${JSON.stringify(id)}`);
      for (const line of buf.toString('utf8', 0, end).split('\n')) {
        if (!line) continue;
        if (ownMarks.some((m) => line.includes(m))) continue;
        let r: UsageRecord;
        try { r = JSON.parse(line); } catch { continue; }
        if (recordProblem(r) !== undefined || r.workspace.id !== this.workspaceId || own.has(r.session)) continue;
        const at = new Date(r.ts);
        for (const p of CALENDAR_PERIODS) {
          if (periodKey(p, at) !== this.sums[p].key) continue;
          const a = this.sums[p].amount;
          a.tokens += finite(r.tokens.input) + finite(r.tokens.output);
          a.wh += finite(r.energy.wh);
          a.usd += finite(r.cost.usd);
        }
      }
      this.offsets.set(name, from + end + 1);
    } finally {
      fs.closeSync(fd);
    }
  }

  private emptySums(t: Date): Record<CalendarPeriod, { key: string; amount: UsageAmount }> {
    return {
      day: { key: periodKey('day', t), amount: zero() },
      week: { key: periodKey('week', t), amount: zero() },
      month: { key: periodKey('month', t), amount: zero() },
    };
  }
}

/** A version of a file: inode, size and times (a rewrite in place changes mtime/ctime, a replacement the inode). */
function stampOf(st: fs.BigIntStats): string {
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function live(entries: Entry[], nowMs: number): Entry[] {
  return entries.filter((e) => nowMs - e.at <= MAX_ENTRY_AGE_MS);
}
