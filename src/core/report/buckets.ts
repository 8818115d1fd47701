// The aggregation state behind every report, small enough to persist as a rollup. Per day × workspace
// (a `DayWs`):
//  - models: sums per model (id, provider, location);
//  - facets: sums per task class and per surface (for --group-by task|surface);
//  - missed: unfollowed suggestions (suggest mode) per suggested × chosen model;
//  - top: the `topK` most expensive requests.
// Per session × workspace: first/last timestamps and sums per model. Per workspace: its latest name.
// Rollups store them in a compact binary form (rollupCodec.ts).
// Reports are assembled from one or several Buckets (one per monthly file) without merging them, so the
// pure in-memory aggregate and the rollup-backed report share one code path (see assemble.ts).
//
// Records arrive mostly in time order, so `add` keeps the current day's map at hand and finds a model
// or facet by a short linear scan: no string keys are built per record.
import type { Location, Provider, TopRequest, UsageRecord } from '../types';
import { suggestedEstimateOf } from '../ledger/validate';

// Sums are fixed-position number arrays (compact in memory and in the rollup's binary form), read and written
// through the named positions of `SUM`: `s[SUM.wh]`, never `s[5]`.
/** The named positions in a sums array (units: requests and tokens are counts, Wh, USD, g CO2e). */
export const SUM = {
  requests: 0, input: 1, cachedInput: 2, output: 3, reasoning: 4, wh: 5, whLow: 6, whHigh: 7, usd: 8, gco2e: 9, savedWh: 10, savedUsd: 11,
} as const;
export type SumField = keyof typeof SUM;
export const SUM_LEN = Object.keys(SUM).length;
/** One sums array: `SUM_LEN` numbers at the positions of `SUM`. */
export type Sums = Float64Array;

export interface ModelCell { model: string; provider: Provider; location: Location; s: Sums }
export type FacetKind = 'task' | 'surface';
export interface FacetCell { kind: FacetKind; value: string; s: Sums }
/** Unfollowed suggestions. Explicit: the record carried `suggestedEstimate`; derived: it did not. */
export interface MissedCell {
  suggested: string; chosen: string;
  explicitN: number; explicitWhDiff: number; explicitUsdDiff: number;
  derivedN: number; derivedChosenWh: number; derivedChosenUsd: number; derivedTokens: number;
}
export interface DayWs { day: string; ws: string; models: ModelCell[]; facets: FacetCell[]; missed: MissedCell[]; top: TopRequest[] }
export interface SessionCell { session: string; ws: string; firstMs: number; lastMs: number; models: ModelCell[] }

/** Most expensive first: USD, then Wh, then newest, then id. */
export function compareTop(a: TopRequest, b: TopRequest): number {
  return b.usd - a.usd || b.wh - a.wh || (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A copy of `s` that holds no other string alive. Strings a scan keeps (ids, names, timestamps in cells and
 * top lists) may be slices of a whole decoded chunk (the layout reader, recordProjection.ts, captures them
 * from it), and V8 keeps a slice's parent whole: without the copy, a rollup build held on to most chunks.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

export function toTopRequest(r: UsageRecord): TopRequest {
  return { id: own(r.id), ts: own(r.ts), task: own(r.task) as TopRequest['task'], model: own(r.model.id), tokens: { input: r.tokens.input, output: r.tokens.output }, wh: r.energy.wh, usd: r.cost.usd };
}

/** Inserts `t` into the sorted `list`, keeping at most `k`. */
export function insertTop(list: TopRequest[], t: TopRequest, k: number): void {
  if (k <= 0) return;
  if (list.length >= k && compareTop(t, list[list.length - 1]) >= 0) return;
  let i = list.length;
  list.push(t);
  while (i > 0 && compareTop(t, list[i - 1]) < 0) {
    list[i] = list[i - 1];
    i--;
  }
  list[i] = t;
  if (list.length > k) list.pop();
}

export const newSums = (): Sums => new Float64Array(SUM_LEN);

/** Adds one record's figures to a sums array. */
export function addRecordSums(s: Sums, r: UsageRecord): void {
  s[SUM.requests] += 1;
  s[SUM.input] += r.tokens.input;
  s[SUM.cachedInput] += r.tokens.cachedInput;
  s[SUM.output] += r.tokens.output;
  s[SUM.reasoning] += r.tokens.reasoning;
  s[SUM.wh] += r.energy.wh;
  s[SUM.whLow] += r.energy.low;
  s[SUM.whHigh] += r.energy.high;
  s[SUM.usd] += r.cost.usd;
  s[SUM.gco2e] += r.carbon.g;
  const cf = r.counterfactual;
  if (cf) {
    s[SUM.savedWh] += cf.wh - r.energy.wh;
    s[SUM.savedUsd] += cf.usd - r.cost.usd;
  }
}

export function addSums(into: Sums, from: ArrayLike<number>): void {
  for (let i = 0; i < SUM_LEN; i++) into[i] += from[i];
}

/** The cell of `model` in `cells`, created when missing. */
export function modelCell(cells: ModelCell[], model: string, provider: Provider, location: Location): ModelCell {
  for (const c of cells) if (c.model === model && c.provider === provider && c.location === location) return c;
  const c: ModelCell = { model: own(model), provider: own(provider) as Provider, location, s: newSums() };
  cells.push(c);
  return c;
}

function facetCell(cells: FacetCell[], kind: FacetKind, value: string): FacetCell {
  for (const c of cells) if (c.value === value && c.kind === kind) return c;
  const c: FacetCell = { kind, value: own(value), s: newSums() };
  cells.push(c);
  return c;
}

function missedCell(cells: MissedCell[], suggested: string, chosen: string): MissedCell {
  for (const c of cells) if (c.suggested === suggested && c.chosen === chosen) return c;
  const c: MissedCell = { suggested: own(suggested), chosen: own(chosen), explicitN: 0, explicitWhDiff: 0, explicitUsdDiff: 0, derivedN: 0, derivedChosenWh: 0, derivedChosenUsd: 0, derivedTokens: 0 };
  cells.push(c);
  return c;
}

function addMissed(m: MissedCell, o: MissedCell): void {
  m.explicitN += o.explicitN; m.explicitWhDiff += o.explicitWhDiff; m.explicitUsdDiff += o.explicitUsdDiff;
  m.derivedN += o.derivedN; m.derivedChosenWh += o.derivedChosenWh; m.derivedChosenUsd += o.derivedChosenUsd; m.derivedTokens += o.derivedTokens;
}

export class Buckets {
  private readonly byDay = new Map<string, Map<string, DayWs>>();
  private readonly bySession = new Map<string, SessionCell[]>();
  /** Workspace id → its latest name and when it was seen (`ms`), and its first record (`firstMs`). */
  readonly names = new Map<string, { name: string; ms: number; firstMs: number }>();
  private memoDay = '';
  private memoMap: Map<string, DayWs> | undefined;

  constructor(readonly topK: number) {}

  /** The DayWs of `day` × `ws`, created when missing. */
  dayWs(day: string, ws: string): DayWs {
    let m = day === this.memoDay ? this.memoMap : undefined;
    if (!m) {
      m = this.byDay.get(day);
      if (!m) this.byDay.set(day, (m = new Map()));
      this.memoDay = day;
      this.memoMap = m;
    }
    let dw = m.get(ws);
    if (!dw) {
      dw = { day, ws: own(ws), models: [], facets: [], missed: [], top: [] };
      m.set(dw.ws, dw);
    }
    return dw;
  }

  /** The SessionCell of `id` × `ws`, created (first seen at `ms`) when missing. */
  session(id: string, ws: string, ms: number): SessionCell {
    let list = this.bySession.get(id);
    if (!list) this.bySession.set((id = own(id)), (list = []));
    for (const s of list) if (s.ws === ws) return s;
    const s: SessionCell = { session: own(id), ws: own(ws), firstMs: ms, lastMs: ms, models: [] };
    list.push(s);
    return s;
  }

  add(r: UsageRecord, day: string, ms: number): void {
    const ws = r.workspace.id;
    const dw = this.dayWs(day, ws);
    const m = r.model;
    addRecordSums(modelCell(dw.models, m.id, m.provider, m.location).s, r);
    addRecordSums(facetCell(dw.facets, 'task', r.task).s, r);
    addRecordSums(facetCell(dw.facets, 'surface', r.surface).s, r);
    if (r.decision.mode === 'suggest' && !r.decision.followed) this.addMissed(dw, r);
    if (this.topK > 0 && (dw.top.length < this.topK || r.cost.usd >= dw.top[dw.top.length - 1].usd)) insertTop(dw.top, toTopRequest(r), this.topK);
    const sc = this.session(r.session, ws, ms);
    if (ms < sc.firstMs) sc.firstMs = ms;
    if (ms > sc.lastMs) sc.lastMs = ms;
    addRecordSums(modelCell(sc.models, m.id, m.provider, m.location).s, r);
    const known = this.names.get(ws);
    if (!known) this.names.set(own(ws), { name: own(r.workspace.name), ms, firstMs: ms });
    else {
      if (ms >= known.ms) { if (known.name !== r.workspace.name) known.name = own(r.workspace.name); known.ms = ms; }
      if (ms < known.firstMs) known.firstMs = ms;
    }
  }

  private addMissed(dw: DayWs, r: UsageRecord): void {
    const c = missedCell(dw.missed, r.decision.suggested, r.model.id);
    const est = suggestedEstimateOf(r);
    if (est) {
      c.explicitN++;
      c.explicitWhDiff += r.energy.wh - est.wh;
      c.explicitUsdDiff += r.cost.usd - est.usd;
    } else {
      c.derivedN++;
      c.derivedChosenWh += r.energy.wh;
      c.derivedChosenUsd += r.cost.usd;
      c.derivedTokens += r.tokens.input + r.tokens.output + r.tokens.reasoning;
    }
  }

  /** Every day × workspace, in no particular order. */
  *days(): IterableIterator<DayWs> {
    for (const m of this.byDay.values()) yield* m.values();
  }

  *sessions(): IterableIterator<SessionCell> {
    for (const list of this.bySession.values()) yield* list;
  }

  /** True when nothing was added. */
  get empty(): boolean {
    return this.byDay.size === 0;
  }

  /** Adds `other` into this. */
  merge(other: Buckets): void {
    for (const o of other.days()) {
      const dw = this.dayWs(o.day, o.ws);
      for (const c of o.models) addSums(modelCell(dw.models, c.model, c.provider, c.location).s, c.s);
      for (const c of o.facets) addSums(facetCell(dw.facets, c.kind, c.value).s, c.s);
      for (const c of o.missed) addMissed(missedCell(dw.missed, c.suggested, c.chosen), c);
      for (const t of o.top) insertTop(dw.top, t, this.topK);
    }
    for (const o of other.sessions()) {
      const sc = this.session(o.session, o.ws, o.firstMs);
      sc.firstMs = Math.min(sc.firstMs, o.firstMs);
      sc.lastMs = Math.max(sc.lastMs, o.lastMs);
      for (const c of o.models) addSums(modelCell(sc.models, c.model, c.provider, c.location).s, c.s);
    }
    for (const [ws, n] of other.names) {
      const known = this.names.get(ws);
      if (!known) this.names.set(ws, { ...n });
      else {
        if (n.ms >= known.ms) { known.name = n.name; known.ms = n.ms; }
        known.firstMs = Math.min(known.firstMs, n.firstMs);
      }
    }
  }
}

