// Reports over the ledger, using per-file rollups so a weekly report reads two small rollups and the
// uncovered tails instead of years of records. Ranges that do not start and end on day boundaries, top
// lists longer than the rollups keep, and per-record filters the rollups do not keep are answered by
// scanning the files concerned (streaming, bounded memory). Session reports find the files holding
// the session from the rollups, then scan those.
import type { UsageRecord, UsageReport } from '../types';
import type { Ledger } from '../ledger/ledger';
import { ReadStats, emptyReadStats, unreadableLines } from '../ledger/lineReader';
import type { LedgerFile } from '../ledger/paths';
import { Buckets, SUM } from './buckets';
import { DEFAULT_TOP_N, ReportQuery, queryRange, rangeFrame, reportFromBuckets, sessionFrame } from './aggregate';
import { ReportTimeZone, calendarFor, dayKeyer, dayKeysBetween, isDayAligned, periodRange } from './calendar';
import { RollupOptions, RollupStore } from './rollupStore';

export type BuildReportOptions = RollupOptions;

const overlaps = (f: LedgerFile, startMs: number, endMs: number): boolean => f.endMs > startMs && f.startMs < endMs;

export interface RangeLoad {
  /** One Buckets per file read from rollups, or one built by a scan. */
  buckets: Buckets[];
  /** Lines that could not be used (corrupt, invalid, torn, unknown schema version). */
  unreadable: number;
  source: 'rollups' | 'scan';
}

export interface RangeRequest {
  /** Inclusive; -Infinity for "from the first record". */
  startMs: number;
  /** Exclusive. */
  endMs: number;
  zone: ReportTimeZone;
  /** Top requests wanted per report (more than the rollups keep forces a scan). */
  topN?: number;
  /** Scan and keep only the records this accepts (e.g. a model filter the rollups cannot apply). */
  filter?: (r: UsageRecord) => boolean;
  /** Whether the caller reads sessions, and task/surface sums (default true: rollups read as they are may leave them out). */
  sessions?: boolean;
  facets?: boolean;
}

/** The buckets covering [startMs, endMs): from rollups when the range is whole days, else by a scan. */
export async function loadRange(ledger: Ledger, req: RangeRequest, opts: BuildReportOptions = {}): Promise<RangeLoad> {
  const cal = calendarFor(req.zone);
  const store = new RollupStore(ledger, req.zone, opts);
  const bounded = Number.isFinite(req.startMs);
  const aligned = (bounded ? isDayAligned(cal, req.startMs, req.endMs) : cal.startOfDay(req.endMs) === req.endMs);
  const files = ledger.files().filter((f) => overlaps(f, req.startMs, req.endMs));
  if (aligned && (req.topN ?? 0) <= store.topK && !req.filter) {
    const aggs = await store.loadAll(files, undefined, req.sessions ?? true, req.facets ?? true);
    return { buckets: aggs.map((a) => a.buckets), unreadable: aggs.reduce((n, a) => n + unreadableLines(a.stats), 0), source: 'rollups' };
  }
  const b = new Buckets(Math.max(req.topN ?? 0, store.topK));
  const stats = emptyReadStats();
  const keyOf = dayKeyer(cal);
  for (const f of files) {
    for await (const batch of ledger.readFile(f, stats)) {
      for (const r of batch.records) {
        const ms = Date.parse(r.ts);
        if (ms < req.startMs || ms >= req.endMs || (req.filter && !req.filter(r))) continue;
        b.add(r, keyOf(ms), ms);
      }
    }
  }
  return { buckets: [b], unreadable: unreadableLines(stats), source: 'scan' };
}

export async function buildReport(ledger: Ledger, query: ReportQuery, opts: BuildReportOptions = {}): Promise<UsageReport> {
  const now = query.now ?? new Date();
  const zone = query.timeZone ?? 'local';
  const topN = query.topN ?? DEFAULT_TOP_N;
  const ws = query.workspace;
  if (query.kind === 'session') return sessionReport(ledger, new RollupStore(ledger, zone, opts), query, now, topN);

  const { startMs, endMs } = queryRange(query, now);
  const load = await loadRange(ledger, { startMs, endMs, zone, topN, sessions: false, facets: false }, opts);
  const earliest = Number.isFinite(startMs) ? Infinity : earliestIn(load.buckets, ws, endMs);
  return reportFromBuckets(load.buckets, rangeFrame(calendarFor(zone), query.kind, startMs, endMs, earliest, ws, topN, load.unreadable));
}

/** The first record before `endMs` (of workspace `ws`), from each workspace's first record per file. */
function earliestIn(all: Buckets[], ws: string | undefined, endMs: number): number {
  let min = Infinity;
  for (const b of all) for (const [id, n] of b.names) if ((ws === undefined || id === ws) && n.firstMs < min && n.firstMs < endMs) min = n.firstMs;
  return min;
}

function hasSession(b: Buckets, session: string, ws: string | undefined): boolean {
  for (const s of b.sessions()) if (s.session === session && (ws === undefined || s.ws === ws)) return true;
  return false;
}

function latestSession(b: Buckets, ws: string | undefined): string | undefined {
  let best: { session: string; lastMs: number } | undefined;
  for (const s of b.sessions()) if ((ws === undefined || s.ws === ws) && (!best || s.lastMs > best.lastMs)) best = s;
  return best?.session;
}

/** The given session (or the latest one): rollups find the files that hold it, which are then scanned. */
async function sessionReport(ledger: Ledger, store: RollupStore, query: ReportQuery, now: Date, topN: number): Promise<UsageReport> {
  const cal = calendarFor(store.zone);
  const ws = query.workspace;
  const newestFirst = ledger.files().reverse();
  let session = query.session;
  const holding: LedgerFile[] = [];
  for (const f of newestFirst) {
    const agg = await store.load(f);
    if (session === undefined) session = latestSession(agg.buckets, ws);
    if (session === undefined) continue;
    if (hasSession(agg.buckets, session, ws)) holding.push(f);
    else if (holding.length > 0) break; // sessions are contiguous in time
  }
  const b = new Buckets(topN);
  const stats: ReadStats = emptyReadStats();
  const keyOf = dayKeyer(cal);
  let first = Infinity;
  let last = -Infinity;
  if (session !== undefined) {
    for (const f of holding.reverse()) {
      for await (const batch of ledger.readFile(f, stats)) {
        for (const r of batch.records) {
          if (r.session !== session || (ws !== undefined && r.workspace.id !== ws)) continue;
          const ms = Date.parse(r.ts);
          if (ms < first) first = ms;
          if (ms > last) last = ms;
          b.add(r, keyOf(ms), ms);
        }
      }
    }
  }
  return reportFromBuckets([b], sessionFrame(cal, first, last, now, ws, topN, unreadableLines(stats)));
}

export interface PeriodUsage { tokens: number; wh: number; usd: number; gco2e: number; requests: number }

/** The files periodTotals reads for `now` (with a session: also the month before). */
export function periodFiles(ledger: Ledger, now: Date, withSession: boolean): LedgerFile[] {
  const cal = calendarFor('local');
  const week = periodRange('week', now);
  const month = periodRange('month', now);
  const lo = Math.min(week.start.getTime(), month.start.getTime());
  const hi = Math.max(week.end.getTime(), month.end.getTime());
  return ledger.files().filter((x) => overlaps(x, withSession ? cal.addMonths(lo, -1) : lo, hi));
}

/**
 * What a workspace (all workspaces when undefined) has used in the current session, day, week (ISO,
 * Monday) and month (local time): the figures the budget gate and the status line start from.
 * tokens = input + output. With a session id, the session is also looked up in the month before the
 * week and month (a session older than that counts only from there).
 */
export async function periodTotals(ledger: Ledger, workspaceId: string | undefined, now: Date, sessionId: string | undefined, opts: BuildReportOptions = {}): Promise<Record<'session' | 'day' | 'week' | 'month', PeriodUsage>> {
  const store = new RollupStore(ledger, 'local', opts);
  const all = (await store.loadAll(periodFiles(ledger, now, sessionId !== undefined), periodDays(now), sessionId !== undefined)).map((a) => a.buckets);
  return periodTotalsFrom(all, workspaceId, now, sessionId);
}

/** The local days periodTotalsFrom reads for `now` (this ISO week's and this month's): what a rollup must hold for it. */
export function periodDays(now: Date): (day: string) => boolean {
  const cal = calendarFor('local');
  const days = new Set<string>();
  for (const kind of ['week', 'month'] as const) {
    const r = periodRange(kind, now);
    for (const d of dayKeysBetween(cal, r.start.getTime(), r.end.getTime())) days.add(d);
  }
  return (day) => days.has(day);
}

/** periodTotals over buckets already loaded (local-time rollups of at least the periodFiles). */
export function periodTotalsFrom(all: Buckets[], workspaceId: string | undefined, now: Date, sessionId: string | undefined): Record<'session' | 'day' | 'week' | 'month', PeriodUsage> {
  const cal = calendarFor('local');
  const days = (kind: 'day' | 'week' | 'month'): Set<string> => {
    const r = periodRange(kind, now);
    return new Set(dayKeysBetween(cal, r.start.getTime(), r.end.getTime()));
  };
  const daySets = { day: days('day'), week: days('week'), month: days('month') };
  const zero = (): PeriodUsage => ({ tokens: 0, wh: 0, usd: 0, gco2e: 0, requests: 0 });
  const out = { session: zero(), day: zero(), week: zero(), month: zero() };
  const add = (into: PeriodUsage, s: ArrayLike<number>): void => {
    into.tokens += s[SUM.input] + s[SUM.output];
    into.wh += s[SUM.wh];
    into.usd += s[SUM.usd];
    into.gco2e += s[SUM.gco2e];
    into.requests += s[SUM.requests];
  };
  const mine = (ws: string): boolean => workspaceId === undefined || ws === workspaceId;
  for (const b of all) {
    for (const dw of b.days()) {
      if (!mine(dw.ws)) continue;
      for (const p of ['day', 'week', 'month'] as const) if (daySets[p].has(dw.day)) for (const c of dw.models) add(out[p], c.s);
    }
    if (sessionId !== undefined) for (const s of b.sessions()) if (s.session === sessionId && mine(s.ws)) for (const c of s.models) add(out.session, c.s);
  }
  return out;
}
