// Pure, in-memory aggregation of usage records into a UsageReport.
import type { UsageRecord, UsageReport } from '../types';
import { Buckets } from './buckets';
import { assemble } from './assemble';
import { Calendar, PeriodKind, ReportTimeZone, calendarFor, dayKeyer, dayKeysBetween, periodRange } from './calendar';

export interface ReportQuery {
  kind: 'session' | 'day' | 'week' | 'month' | 'lastWeek' | 'last30Days' | 'custom';
  /** Default: the current time. */
  now?: Date;
  /** custom: inclusive start (default: the first record). */
  start?: Date;
  /** custom: exclusive end (default: the end of today). */
  end?: Date;
  /** Workspace id; all workspaces when absent. */
  workspace?: string;
  /** session: the session id (default: the session of the latest record). */
  session?: string;
  /** How many of the most expensive requests to list. Default 10. */
  topN?: number;
  /** Day boundaries. Default 'local'. */
  timeZone?: ReportTimeZone;
  /** First day of the week for week/lastWeek: 1 = Monday (ISO, default) or 0 = Sunday. */
  weekStartsOn?: 0 | 1;
}

export const DEFAULT_TOP_N = 10;

/** The [start, end) a non-session query covers; start is -Infinity for an open custom range. */
export function queryRange(q: ReportQuery, now: Date): { startMs: number; endMs: number } {
  if (q.kind === 'session') throw new Error('queryRange: a session has no fixed range');
  if (q.kind === 'custom') {
    const cal = calendarFor(q.timeZone ?? 'local');
    return { startMs: q.start?.getTime() ?? -Infinity, endMs: q.end?.getTime() ?? cal.addDays(cal.startOfDay(now.getTime()), 1) };
  }
  const r = periodRange(q.kind as PeriodKind, now, q.weekStartsOn ?? 1, q.timeZone ?? 'local');
  return { startMs: r.start.getTime(), endMs: r.end.getTime() };
}

export interface ReportFrame {
  kind: UsageReport['period']['kind'];
  startMs: number;
  endMs: number;
  /** Rows to show: every day of the range, even empty ones. */
  days: string[];
  workspace?: string;
  topN: number;
  corruptLines: number;
}

export function reportFromBuckets(all: Buckets[], f: ReportFrame): UsageReport {
  const body = assemble(all, f.days, f.workspace, f.topN);
  const report: UsageReport = {
    period: { kind: f.kind, start: new Date(f.startMs).toISOString(), end: new Date(f.endMs).toISOString() },
    totals: body.totals,
    days: body.days,
    models: body.models,
    missedSavings: body.missedSavings,
    top: body.top,
    corruptLines: f.corruptLines,
  };
  if (f.workspace !== undefined) report.workspace = f.workspace;
  return report;
}

export function aggregate(records: Iterable<UsageRecord>, query: ReportQuery): UsageReport {
  const now = query.now ?? new Date();
  const cal = calendarFor(query.timeZone ?? 'local');
  const topN = query.topN ?? DEFAULT_TOP_N;
  const ws = query.workspace;
  const keyOf = dayKeyer(cal);
  const b = new Buckets(topN);

  if (query.kind === 'session') {
    const list = Array.isArray(records) ? (records as UsageRecord[]) : [...records];
    const session = query.session ?? latestSessionOf(list, ws);
    let first = Infinity;
    let last = -Infinity;
    if (session !== undefined) {
      for (const r of list) {
        if (r.session !== session || (ws !== undefined && r.workspace.id !== ws)) continue;
        const ms = Date.parse(r.ts);
        if (ms < first) first = ms;
        if (ms > last) last = ms;
        b.add(r, keyOf(ms), ms);
      }
    }
    return reportFromBuckets([b], sessionFrame(cal, first, last, now, ws, topN, 0));
  }

  const { startMs, endMs } = queryRange(query, now);
  let earliest = Infinity;
  for (const r of records) {
    if (ws !== undefined && r.workspace.id !== ws) continue;
    const ms = Date.parse(r.ts);
    if (ms < startMs || ms >= endMs) continue;
    if (ms < earliest) earliest = ms;
    b.add(r, keyOf(ms), ms);
  }
  return reportFromBuckets([b], rangeFrame(cal, query.kind, startMs, endMs, earliest, ws, topN, 0));
}

/** The frame of a range report; an open start becomes the earliest record (or the end when none). */
export function rangeFrame(cal: Calendar, kind: ReportFrame['kind'], startMs: number, endMs: number, earliest: number, ws: string | undefined, topN: number, corruptLines: number): ReportFrame {
  const start = Number.isFinite(startMs) ? startMs : Math.min(earliest, endMs);
  return { kind, startMs: start, endMs, days: dayKeysBetween(cal, start, endMs), workspace: ws, topN, corruptLines };
}

export function sessionFrame(cal: Calendar, first: number, last: number, now: Date, ws: string | undefined, topN: number, corruptLines: number): ReportFrame {
  const found = Number.isFinite(first);
  const startMs = found ? first : now.getTime();
  const endMs = found ? last + 1 : now.getTime();
  return { kind: 'session', startMs, endMs, days: found ? dayKeysBetween(cal, startMs, endMs) : [], workspace: ws, topN, corruptLines };
}

function latestSessionOf(records: UsageRecord[], ws: string | undefined): string | undefined {
  let best: string | undefined;
  let bestMs = -Infinity;
  for (const r of records) {
    if (ws !== undefined && r.workspace.id !== ws) continue;
    const ms = Date.parse(r.ts);
    if (ms > bestMs) {
      bestMs = ms;
      best = r.session;
    }
  }
  return best;
}
