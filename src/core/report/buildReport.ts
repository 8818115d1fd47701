// Reports over the ledger, using per-file rollups so a weekly report reads two small rollups and the
// uncovered tails instead of years of records. Session reports, ranges that do not start and end on
// day boundaries, and top lists longer than the rollups keep are answered by scanning the files
// concerned (streaming, bounded memory).
import type { UsageReport } from '../types';
import type { Ledger } from '../ledger/ledger';
import { ReadStats, emptyReadStats, unreadableLines } from '../ledger/lineReader';
import type { LedgerFile } from '../ledger/paths';
import { Buckets, SUM } from './buckets';
import { DEFAULT_TOP_N, ReportQuery, queryRange, rangeFrame, reportFromBuckets, sessionFrame } from './aggregate';
import { calendarFor, dayKeyer, dayKeysBetween, isDayAligned, periodRange } from './calendar';
import { RollupOptions, RollupStore } from './rollupStore';

export type BuildReportOptions = RollupOptions;

const overlaps = (f: LedgerFile, startMs: number, endMs: number): boolean => f.endMs > startMs && f.startMs < endMs;

export async function buildReport(ledger: Ledger, query: ReportQuery, opts: BuildReportOptions = {}): Promise<UsageReport> {
  const now = query.now ?? new Date();
  const zone = query.timeZone ?? 'local';
  const cal = calendarFor(zone);
  const topN = query.topN ?? DEFAULT_TOP_N;
  const ws = query.workspace;
  const store = new RollupStore(ledger, zone, { onWarning: opts.onWarning, ...opts, topK: Math.max(opts.topK ?? 25, 0) });

  if (query.kind === 'session') return sessionReport(ledger, store, query, now, topN);

  const { startMs, endMs } = queryRange(query, now);
  const bounded = Number.isFinite(startMs);
  const files = ledger.files().filter((f) => overlaps(f, startMs, endMs));
  const aligned = (bounded ? isDayAligned(cal, startMs, endMs) : cal.startOfDay(endMs) === endMs);

  const b = new Buckets(aligned && topN <= store.topK ? store.topK : topN);
  let corrupt = 0;
  let earliest = Infinity;
  if (aligned && topN <= store.topK) {
    for (const f of files) {
      const agg = await store.load(f);
      b.merge(agg.buckets);
      corrupt += unreadableLines(agg.stats);
    }
    if (!bounded) earliest = earliestIn(b, ws, endMs);
  } else {
    const stats = emptyReadStats();
    const keyOf = dayKeyer(cal);
    for await (const r of ledger.records({ since: bounded ? new Date(startMs) : undefined, until: new Date(endMs), workspace: ws }, stats)) {
      const ms = Date.parse(r.ts);
      if (ms < earliest) earliest = ms;
      b.add(r, keyOf(ms), ms);
    }
    corrupt = unreadableLines(stats);
  }
  return reportFromBuckets(b, rangeFrame(cal, query.kind, startMs, endMs, earliest, ws, topN, corrupt));
}

function earliestIn(b: Buckets, ws: string | undefined, endMs: number): number {
  let min = Infinity;
  for (const s of b.sessions.values()) if ((ws === undefined || s.ws === ws) && s.firstMs < min && s.firstMs < endMs) min = s.firstMs;
  return min;
}

function hasSession(b: Buckets, session: string, ws: string | undefined): boolean {
  for (const s of b.sessions.values()) if (s.session === session && (ws === undefined || s.ws === ws)) return true;
  return false;
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
    if (session === undefined) session = agg.buckets.latestSession(ws)?.session;
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
  return reportFromBuckets(b, sessionFrame(cal, first, last, now, ws, topN, unreadableLines(stats)));
}

export interface PeriodUsage { tokens: number; wh: number; usd: number }

/**
 * What a workspace has used in the current session, day, week (ISO, Monday) and month (local time):
 * the figures the budget gate starts from. tokens = input + output.
 * The session is looked up in the files of the current month, the week and the month before
 * (a session older than that counts only from there).
 */
export async function periodTotals(ledger: Ledger, workspaceId: string, now: Date, sessionId: string, opts: BuildReportOptions = {}): Promise<Record<'session' | 'day' | 'week' | 'month', PeriodUsage>> {
  const cal = calendarFor('local');
  const store = new RollupStore(ledger, 'local', opts);
  const ranges = {
    day: periodRange('day', now),
    week: periodRange('week', now),
    month: periodRange('month', now),
  };
  const lo = Math.min(ranges.week.start.getTime(), ranges.month.start.getTime());
  const hi = Math.max(ranges.week.end.getTime(), ranges.month.end.getTime());
  const sessionLo = cal.addMonths(lo, -1);
  const b = new Buckets(store.topK);
  for (const f of ledger.files().filter((x) => overlaps(x, sessionLo, hi))) b.merge((await store.load(f)).buckets);
  const daySets = {
    day: new Set(dayKeysBetween(cal, ranges.day.start.getTime(), ranges.day.end.getTime())),
    week: new Set(dayKeysBetween(cal, ranges.week.start.getTime(), ranges.week.end.getTime())),
    month: new Set(dayKeysBetween(cal, ranges.month.start.getTime(), ranges.month.end.getTime())),
  };
  const zero = (): PeriodUsage => ({ tokens: 0, wh: 0, usd: 0 });
  const out = { session: zero(), day: zero(), week: zero(), month: zero() };
  for (const c of b.cells.values()) {
    if (c.ws !== workspaceId) continue;
    for (const p of ['day', 'week', 'month'] as const) {
      if (!daySets[p].has(c.day)) continue;
      out[p].tokens += c.s[SUM.input] + c.s[SUM.output];
      out[p].wh += c.s[SUM.wh];
      out[p].usd += c.s[SUM.usd];
    }
  }
  for (const s of b.sessions.values()) {
    if (s.session !== sessionId || s.ws !== workspaceId) continue;
    out.session.tokens += s.tokens;
    out.session.wh += s.wh;
    out.session.usd += s.usd;
  }
  return out;
}
