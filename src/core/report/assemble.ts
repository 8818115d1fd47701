// Report bodies from one or several Buckets (one per monthly file, or one built from scanned records):
//  - assemble: the UsageReport body the panel and the budget views read (every day of the range,
//    per-model rows, missed savings, most expensive requests);
//  - tabulate: the rows of a CLI report grouped by day, week, month, session, model, workspace,
//    provider, location, task or surface, with an optional per-model (or per-workspace) breakdown.
// Buckets are read, never merged, so a two-year report over 25 rollups copies nothing.
import type { DayRow, Location, ModelRow, TopRequest, Totals } from '../types';
import { Buckets, DayWs, FacetKind, MissedCell, ModelCell, SUM, insertTop } from './buckets';

export function emptyTotals(): Totals {
  return { requests: 0, tokens: { input: 0, cachedInput: 0, output: 0, reasoning: 0 }, wh: 0, whLow: 0, whHigh: 0, usd: 0, gco2e: 0, localRequests: 0, localWh: 0, cloudWh: 0, savedWh: 0, savedUsd: 0 };
}

/** Adds a sums array (see SUM) to totals; `location` splits local from cloud (undefined: unknown). */
export function addToTotals(t: Totals, s: ArrayLike<number>, location: Location | undefined): void {
  t.requests += s[SUM.requests];
  t.tokens.input += s[SUM.input];
  t.tokens.cachedInput += s[SUM.cachedInput];
  t.tokens.output += s[SUM.output];
  t.tokens.reasoning += s[SUM.reasoning];
  t.wh += s[SUM.wh];
  t.whLow += s[SUM.whLow];
  t.whHigh += s[SUM.whHigh];
  t.usd += s[SUM.usd];
  t.gco2e += s[SUM.gco2e];
  if (location === 'local') {
    t.localRequests += s[SUM.requests];
    t.localWh += s[SUM.wh];
  } else if (location === 'cloud') {
    t.cloudWh += s[SUM.wh];
  }
  t.savedWh += s[SUM.savedWh];
  t.savedUsd += s[SUM.savedUsd];
}

export interface MissedSavings { requests: number; wh: number; usd: number }

/** Per-token rates of each model over the cells in scope (to price suggestions without an estimate). */
class MissedTally {
  private readonly rates = new Map<string, { tokens: number; wh: number; usd: number }>();
  private readonly cells: MissedCell[] = [];

  rate(c: ModelCell): void {
    const r = this.rates.get(c.model) ?? { tokens: 0, wh: 0, usd: 0 };
    r.tokens += c.s[SUM.input] + c.s[SUM.output] + c.s[SUM.reasoning];
    r.wh += c.s[SUM.wh];
    r.usd += c.s[SUM.usd];
    this.rates.set(c.model, r);
  }

  missed(m: MissedCell): void {
    this.cells.push(m);
  }

  /**
   * For each unfollowed suggestion, the chosen model's Wh/USD minus the suggested model's. When the
   * record carried `suggestedEstimate` that is used as is; otherwise the suggested model's cost is its
   * own average USD and Wh per token over the same scope, times the record's tokens; a suggestion whose
   * model has no usage in scope cannot be estimated and is left out (`requests` counts only those
   * estimated).
   */
  total(): MissedSavings {
    const out = { requests: 0, wh: 0, usd: 0 };
    for (const m of this.cells) {
      out.requests += m.explicitN;
      out.wh += m.explicitWhDiff;
      out.usd += m.explicitUsdDiff;
      const rate = this.rates.get(m.suggested);
      if (m.derivedN > 0 && rate && rate.tokens > 0) {
        out.requests += m.derivedN;
        out.wh += m.derivedChosenWh - (rate.wh / rate.tokens) * m.derivedTokens;
        out.usd += m.derivedChosenUsd - (rate.usd / rate.tokens) * m.derivedTokens;
      }
    }
    return out;
  }
}

export interface Assembled {
  totals: Totals;
  days: DayRow[];
  models: ModelRow[];
  missedSavings: MissedSavings;
  top: TopRequest[];
}

function* inScope(all: Iterable<Buckets>, inRange: (day: string) => boolean, workspace: string | undefined): Generator<DayWs> {
  for (const b of all) for (const dw of b.days()) if ((workspace === undefined || dw.ws === workspace) && inRange(dw.day)) yield dw;
}

const byCost = (a: Totals, z: Totals, ka: string, kz: string): number => z.usd - a.usd || z.wh - a.wh || (ka < kz ? -1 : ka > kz ? 1 : 0);

/** The UsageReport body for `days` (every key listed gets a row, even when empty) and `workspace`. */
export function assemble(all: Iterable<Buckets>, days: string[], workspace: string | undefined, topN: number): Assembled {
  const totals = emptyTotals();
  const dayRows = new Map<string, DayRow>();
  for (const d of days) dayRows.set(d, { day: d, ...emptyTotals(), byModel: {} });
  const modelRows = new Map<string, ModelRow>();
  const tally = new MissedTally();
  const top: TopRequest[] = [];
  const daySet = new Set(days);
  for (const dw of inScope(all, (d) => daySet.has(d), workspace)) {
    const row = dayRows.get(dw.day)!;
    for (const c of dw.models) {
      addToTotals(totals, c.s, c.location);
      addToTotals(row, c.s, c.location);
      const bm = row.byModel[c.model] ?? (row.byModel[c.model] = { wh: 0, usd: 0, requests: 0 });
      bm.wh += c.s[SUM.wh];
      bm.usd += c.s[SUM.usd];
      bm.requests += c.s[SUM.requests];
      const mk = `${c.model}\u0000${c.provider}\u0000${c.location}`;
      let mr = modelRows.get(mk);
      if (!mr) modelRows.set(mk, (mr = { model: c.model, provider: c.provider, location: c.location, ...emptyTotals() }));
      addToTotals(mr, c.s, c.location);
      tally.rate(c);
    }
    for (const m of dw.missed) tally.missed(m);
    for (const t of dw.top) insertTop(top, t, topN);
  }
  const models = [...modelRows.values()].sort((a, z) => byCost(a, z, a.model, z.model));
  return { totals, days: [...dayRows.values()], models, missedSavings: tally.total(), top };
}

// --- CLI tables ----------------------------------------------------------------------------------

export type GroupBy = 'day' | 'week' | 'month' | 'session' | 'model' | 'workspace' | 'provider' | 'location' | 'task' | 'surface';
export const GROUP_BYS: readonly GroupBy[] = ['day', 'week', 'month', 'session', 'model', 'workspace', 'provider', 'location', 'task', 'surface'];
export type Breakdown = 'model' | 'workspace';

export interface TableQuery {
  /** Whether a day key (YYYY-MM-DD) is in range. */
  inRange: (day: string) => boolean;
  workspace?: string;
  /** Only this model id. Not available with task/surface grouping (facets are not kept per model). */
  model?: string;
  groupBy: GroupBy;
  breakdown?: Breakdown;
  /** Week rows start on Monday (1, ISO) or Sunday (0). */
  weekStartsOn: 0 | 1;
  /** Session rows: sessions whose last activity is in [startMs, endMs). */
  sessionRange?: { startMs: number; endMs: number };
}

export interface TableRow {
  key: string;
  /** A human label when the key is an id (workspace name; model provider). */
  label: string;
  totals: Totals;
  /** Models used, most expensive first. */
  models: string[];
  /** Session rows: first and last activity (ms) and the workspace. */
  firstMs?: number;
  lastMs?: number;
  workspace?: { id: string; name: string };
  breakdown?: TableRow[];
}

export interface Table {
  groupBy: GroupBy;
  breakdown?: Breakdown;
  rows: TableRow[];
  totals: Totals;
  missedSavings: MissedSavings;
}

/** Monday (or Sunday) of the calendar week of a `YYYY-MM-DD` day key. */
export function weekKeyOf(day: string, weekStartsOn: 0 | 1): string {
  const [y, m, d] = day.split('-').map(Number);
  const ms = Date.UTC(y, m - 1, d);
  const start = new Date(ms - ((new Date(ms).getUTCDay() - weekStartsOn + 7) % 7) * 86_400_000);
  return start.toISOString().slice(0, 10);
}

type Acc = TableRow & { modelCost: Map<string, number> };

class RowSet {
  readonly rows = new Map<string, Acc>();

  constructor(readonly breakdown: Breakdown | undefined) {}

  /** The row stored under `id` (shown as `key`), created when missing. */
  row(id: string, key: string, label: string): Acc {
    let r = this.rows.get(id);
    if (!r) this.rows.set(id, (r = { key, label, totals: emptyTotals(), models: [], modelCost: new Map() }));
    return r;
  }

  /** Adds sums to a row, to its model list and to its breakdown (by the cell's model, or by `ws`). */
  add(row: Acc, s: ArrayLike<number>, location: Location | undefined, ws: { id: string; name: string }, c?: ModelCell): void {
    addToTotals(row.totals, s, location);
    if (c) row.modelCost.set(c.model, (row.modelCost.get(c.model) ?? 0) + c.s[SUM.usd] + 1e-12 * c.s[SUM.requests]);
    if (this.breakdown === 'workspace') addToTotals(subRow(row, ws.id, ws.name).totals, s, location);
    else if (this.breakdown === 'model' && c) {
      const sub = subRow(row, c.model, c.provider);
      addToTotals(sub.totals, s, location);
      if (!sub.models.includes(c.model)) sub.models.push(c.model);
    }
  }

  list(): TableRow[] {
    const out: TableRow[] = [];
    for (const { modelCost, ...r } of this.rows.values()) {
      if (r.totals.requests === 0) continue;
      r.models = [...modelCost].sort((a, z) => z[1] - a[1] || (a[0] < z[0] ? -1 : 1)).map(([m]) => m);
      r.breakdown?.sort((a, z) => byCost(a.totals, z.totals, a.key, z.key));
      out.push(r);
    }
    return out;
  }
}

function subRow(row: TableRow, key: string, label: string): TableRow {
  const list = (row.breakdown ??= []);
  let sub = list.find((b) => b.key === key);
  if (!sub) list.push((sub = { key, label, totals: emptyTotals(), models: [] }));
  return sub;
}

/** Where a model cell goes: [row id, shown key, label]. */
function rowOf(group: GroupBy, c: ModelCell, dw: DayWs, weekStartsOn: 0 | 1, wsName: string): [string, string, string] {
  switch (group) {
    case 'day': return [dw.day, dw.day, dw.day];
    case 'week': { const w = weekKeyOf(dw.day, weekStartsOn); return [w, w, w]; }
    case 'month': { const m = dw.day.slice(0, 7); return [m, m, m]; }
    case 'model': return [`${c.model}\u0000${c.provider}`, c.model, c.provider];
    case 'workspace': return [dw.ws, dw.ws, wsName];
    case 'provider': return [c.provider, c.provider, c.provider];
    default: return [c.location, c.location, c.location];
  }
}

const TIME_GROUPS: ReadonlySet<GroupBy> = new Set(['day', 'week', 'month', 'session']);
const isFacet = (g: GroupBy): g is FacetKind => g === 'task' || g === 'surface';

/** The rows of a CLI report. Time groupings come oldest first, the others most expensive first. */
export function tabulate(all: Buckets[], q: TableQuery): Table {
  if (isFacet(q.groupBy) && (q.model !== undefined || q.breakdown === 'model')) {
    throw new Error(`--group-by ${q.groupBy} cannot be combined with --model or --breakdown model (task and surface sums are kept per workspace and day, not per model)`);
  }
  const rows = new RowSet(q.breakdown);
  const totals = emptyTotals();
  const tally = new MissedTally();
  const nameOf = workspaceNames(all);
  if (q.groupBy === 'session') tabulateSessions(all, q, rows, totals, nameOf);
  for (const dw of inScope(all, q.inRange, q.workspace)) {
    const ws = { id: dw.ws, name: nameOf(dw.ws) };
    for (const c of dw.models) {
      if (q.model !== undefined && c.model !== q.model) continue;
      tally.rate(c);
      if (q.groupBy === 'session') continue;
      addToTotals(totals, c.s, c.location);
      if (isFacet(q.groupBy)) continue;
      const [id, key, label] = rowOf(q.groupBy, c, dw, q.weekStartsOn, ws.name);
      rows.add(rows.row(id, key, label), c.s, c.location, ws, c);
    }
    for (const m of dw.missed) if (q.model === undefined || m.chosen === q.model) tally.missed(m);
    if (isFacet(q.groupBy)) {
      for (const f of dw.facets) if (f.kind === q.groupBy) rows.add(rows.row(f.value, f.value, f.value), f.s, undefined, ws);
    }
  }
  const list = rows.list();
  if (TIME_GROUPS.has(q.groupBy)) list.sort((a, z) => (a.lastMs ?? 0) - (z.lastMs ?? 0) || (a.key < z.key ? -1 : a.key > z.key ? 1 : 0));
  else list.sort((a, z) => byCost(a.totals, z.totals, a.key, z.key));
  return { groupBy: q.groupBy, ...(q.breakdown ? { breakdown: q.breakdown } : {}), rows: list, totals, missedSavings: tally.total() };
}

/** Workspace id → its latest name over all buckets. */
export function knownWorkspaces(all: Buckets[]): Map<string, string> {
  const names = new Map<string, { name: string; ms: number }>();
  for (const b of all) for (const [ws, n] of b.names) { const cur = names.get(ws); if (!cur || n.ms >= cur.ms) names.set(ws, n); }
  return new Map([...names].map(([ws, n]) => [ws, n.name]));
}

function workspaceNames(all: Buckets[]): (ws: string) => string {
  const names = knownWorkspaces(all);
  return (ws) => names.get(ws) ?? ws;
}

/** Session rows: a session's whole usage in the files read, when its last activity is in range. */
function tabulateSessions(all: Buckets[], q: TableQuery, rows: RowSet, totals: Totals, nameOf: (ws: string) => string): void {
  const range = q.sessionRange ?? { startMs: -Infinity, endMs: Infinity };
  const span = new Map<string, { first: number; last: number }>();
  for (const b of all) {
    for (const s of b.sessions()) {
      const id = `${s.session}\u0000${s.ws}`;
      const cur = span.get(id);
      span.set(id, { first: Math.min(cur?.first ?? Infinity, s.firstMs), last: Math.max(cur?.last ?? -Infinity, s.lastMs) });
    }
  }
  for (const b of all) {
    for (const s of b.sessions()) {
      if (q.workspace !== undefined && s.ws !== q.workspace) continue;
      const sp = span.get(`${s.session}\u0000${s.ws}`)!;
      if (sp.last < range.startMs || sp.last >= range.endMs) continue;
      const ws = { id: s.ws, name: nameOf(s.ws) };
      const row = rows.row(`${s.session}\u0000${s.ws}`, s.session, ws.name);
      row.firstMs = sp.first;
      row.lastMs = sp.last;
      row.workspace = ws;
      for (const c of s.models) {
        if (q.model !== undefined && c.model !== q.model) continue;
        addToTotals(totals, c.s, c.location);
        rows.add(row, c.s, c.location, ws, c);
      }
    }
  }
}
