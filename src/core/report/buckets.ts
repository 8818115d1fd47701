// The aggregation state behind every report, small enough to persist as a rollup:
//  - cells: totals per day × workspace × model (id, provider, location);
//  - missed: unfollowed suggestions (suggest mode) per day × workspace × suggested model;
//  - tops: the `topK` most expensive requests per day × workspace;
//  - sessions: per session × workspace, first/last timestamps and budget sums.
// A report is assembled from the cells/missed/tops of the days and workspace it asks for, so the pure
// in-memory aggregate and the rollup-backed report share one code path.
import type { Location, Provider, TopRequest, Totals, DayRow, ModelRow, UsageRecord } from '../types';
import { suggestedEstimateOf } from '../ledger/validate';

// Sums are fixed-position number arrays (compact in memory and in rollup JSON).
const REQ = 0, IN = 1, CIN = 2, OUT = 3, REAS = 4, WH = 5, WHLO = 6, WHHI = 7, USD = 8, G = 9, SWH = 10, SUSD = 11;
const SUM_LEN = 12;
/** Positions in Cell.s. */
export const SUM = { requests: REQ, input: IN, cachedInput: CIN, output: OUT, reasoning: REAS, wh: WH, whLow: WHLO, whHigh: WHHI, usd: USD, gco2e: G, savedWh: SWH, savedUsd: SUSD } as const;

export interface Cell { day: string; ws: string; model: string; provider: Provider; location: Location; s: number[] }
/** Unfollowed suggestions. Explicit: the record carried `suggestedEstimate`; derived: it did not. */
export interface MissedCell {
  day: string; ws: string; suggested: string;
  explicitN: number; explicitWhDiff: number; explicitUsdDiff: number;
  derivedN: number; derivedChosenWh: number; derivedChosenUsd: number; derivedTokens: number;
}
export interface SessionCell { session: string; ws: string; firstMs: number; lastMs: number; requests: number; tokens: number; wh: number; usd: number }

const SEP = '\u0000';

/** Most expensive first: USD, then Wh, then newest, then id. */
export function compareTop(a: TopRequest, b: TopRequest): number {
  return b.usd - a.usd || b.wh - a.wh || (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function toTopRequest(r: UsageRecord): TopRequest {
  return { id: r.id, ts: r.ts, task: r.task, model: r.model.id, tokens: { input: r.tokens.input, output: r.tokens.output }, wh: r.energy.wh, usd: r.cost.usd };
}

function insertTop(list: TopRequest[], t: TopRequest, k: number): void {
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

export class Buckets {
  readonly cells = new Map<string, Cell>();
  readonly missed = new Map<string, MissedCell>();
  readonly tops = new Map<string, TopRequest[]>();
  readonly sessions = new Map<string, SessionCell>();

  constructor(readonly topK: number) {}

  add(r: UsageRecord, day: string, ms: number): void {
    const ws = r.workspace.id;
    const ck = day + SEP + ws + SEP + r.model.id + SEP + r.model.provider + SEP + r.model.location;
    let cell = this.cells.get(ck);
    if (!cell) {
      cell = { day, ws, model: r.model.id, provider: r.model.provider, location: r.model.location, s: new Array<number>(SUM_LEN).fill(0) };
      this.cells.set(ck, cell);
    }
    const s = cell.s;
    s[REQ] += 1;
    s[IN] += r.tokens.input;
    s[CIN] += r.tokens.cachedInput;
    s[OUT] += r.tokens.output;
    s[REAS] += r.tokens.reasoning;
    s[WH] += r.energy.wh;
    s[WHLO] += r.energy.low;
    s[WHHI] += r.energy.high;
    s[USD] += r.cost.usd;
    s[G] += r.carbon.g;
    if (r.counterfactual) {
      s[SWH] += r.counterfactual.wh - r.energy.wh;
      s[SUSD] += r.counterfactual.usd - r.cost.usd;
    }

    if (r.decision.mode === 'suggest' && !r.decision.followed) {
      const mk = day + SEP + ws + SEP + r.decision.suggested;
      let m = this.missed.get(mk);
      if (!m) {
        m = { day, ws, suggested: r.decision.suggested, explicitN: 0, explicitWhDiff: 0, explicitUsdDiff: 0, derivedN: 0, derivedChosenWh: 0, derivedChosenUsd: 0, derivedTokens: 0 };
        this.missed.set(mk, m);
      }
      const est = suggestedEstimateOf(r);
      if (est) {
        m.explicitN++;
        m.explicitWhDiff += r.energy.wh - est.wh;
        m.explicitUsdDiff += r.cost.usd - est.usd;
      } else {
        m.derivedN++;
        m.derivedChosenWh += r.energy.wh;
        m.derivedChosenUsd += r.cost.usd;
        m.derivedTokens += r.tokens.input + r.tokens.output + r.tokens.reasoning;
      }
    }

    if (this.topK > 0) {
      const tk = day + SEP + ws;
      let list = this.tops.get(tk);
      if (!list) this.tops.set(tk, (list = []));
      if (list.length < this.topK || r.cost.usd >= list[list.length - 1].usd) insertTop(list, toTopRequest(r), this.topK);
    }

    const sk = r.session + SEP + ws;
    const sc = this.sessions.get(sk);
    if (!sc) {
      this.sessions.set(sk, { session: r.session, ws, firstMs: ms, lastMs: ms, requests: 1, tokens: r.tokens.input + r.tokens.output, wh: r.energy.wh, usd: r.cost.usd });
    } else {
      if (ms < sc.firstMs) sc.firstMs = ms;
      if (ms > sc.lastMs) sc.lastMs = ms;
      sc.requests++;
      sc.tokens += r.tokens.input + r.tokens.output;
      sc.wh += r.energy.wh;
      sc.usd += r.cost.usd;
    }
  }

  /** Adds `other` into this. */
  merge(other: Buckets): void {
    for (const [k, c] of other.cells) {
      const mine = this.cells.get(k);
      if (!mine) this.cells.set(k, { ...c, s: c.s.slice() });
      else for (let i = 0; i < SUM_LEN; i++) mine.s[i] += c.s[i];
    }
    for (const [k, m] of other.missed) {
      const mine = this.missed.get(k);
      if (!mine) this.missed.set(k, { ...m });
      else {
        mine.explicitN += m.explicitN; mine.explicitWhDiff += m.explicitWhDiff; mine.explicitUsdDiff += m.explicitUsdDiff;
        mine.derivedN += m.derivedN; mine.derivedChosenWh += m.derivedChosenWh; mine.derivedChosenUsd += m.derivedChosenUsd; mine.derivedTokens += m.derivedTokens;
      }
    }
    for (const [k, list] of other.tops) {
      const mine = this.tops.get(k);
      if (!mine) this.tops.set(k, list.slice(0, this.topK));
      else for (const t of list) insertTop(mine, t, this.topK);
    }
    for (const [k, s] of other.sessions) {
      const mine = this.sessions.get(k);
      if (!mine) this.sessions.set(k, { ...s });
      else {
        mine.firstMs = Math.min(mine.firstMs, s.firstMs);
        mine.lastMs = Math.max(mine.lastMs, s.lastMs);
        mine.requests += s.requests; mine.tokens += s.tokens; mine.wh += s.wh; mine.usd += s.usd;
      }
    }
  }

  /** The session with the latest record (optionally within one workspace). */
  latestSession(workspace?: string): SessionCell | undefined {
    let best: SessionCell | undefined;
    for (const s of this.sessions.values()) {
      if (workspace !== undefined && s.ws !== workspace) continue;
      if (!best || s.lastMs > best.lastMs) best = s;
    }
    return best;
  }

  // --- persistence (rollups) ---------------------------------------------------------------------

  toJSON(): BucketsJson {
    return {
      topK: this.topK,
      cells: [...this.cells.values()].map((c) => [c.day, c.ws, c.model, c.provider, c.location, ...c.s]),
      missed: [...this.missed.values()].map((m) => [m.day, m.ws, m.suggested, m.explicitN, m.explicitWhDiff, m.explicitUsdDiff, m.derivedN, m.derivedChosenWh, m.derivedChosenUsd, m.derivedTokens]),
      tops: [...this.tops.entries()].map(([k, list]) => [k, list.map((t) => [t.id, t.ts, t.task, t.model, t.tokens.input, t.tokens.output, t.wh, t.usd])]),
      sessions: [...this.sessions.values()].map((s) => [s.session, s.ws, s.firstMs, s.lastMs, s.requests, s.tokens, s.wh, s.usd]),
    };
  }

  /** Rebuilds buckets from JSON, checking every field; throws on anything malformed. */
  static fromJSON(j: unknown): Buckets {
    const o = j as BucketsJson;
    if (!o || typeof o !== 'object' || !isCount(o.topK) || !Array.isArray(o.cells) || !Array.isArray(o.missed) || !Array.isArray(o.tops) || !Array.isArray(o.sessions)) {
      throw new Error('rollup buckets: bad shape');
    }
    const b = new Buckets(o.topK);
    for (const row of o.cells) {
      if (!Array.isArray(row) || row.length !== 5 + SUM_LEN || !strs(row, 0, 5) || !nums(row, 5, 5 + SUM_LEN)) throw new Error('rollup buckets: bad cell');
      const [day, ws, model, provider, location] = row as string[];
      if (location !== 'local' && location !== 'cloud') throw new Error('rollup buckets: bad location');
      b.cells.set(day + SEP + ws + SEP + model + SEP + provider + SEP + location, { day, ws, model, provider: provider as Provider, location, s: (row as number[]).slice(5) });
    }
    for (const row of o.missed) {
      if (!Array.isArray(row) || row.length !== 10 || !strs(row, 0, 3) || !nums(row, 3, 10)) throw new Error('rollup buckets: bad missed cell');
      const [day, ws, suggested] = row as string[];
      const n = row as number[];
      b.missed.set(day + SEP + ws + SEP + suggested, { day, ws, suggested, explicitN: n[3], explicitWhDiff: n[4], explicitUsdDiff: n[5], derivedN: n[6], derivedChosenWh: n[7], derivedChosenUsd: n[8], derivedTokens: n[9] });
    }
    for (const row of o.tops) {
      if (!Array.isArray(row) || row.length !== 2 || typeof row[0] !== 'string' || !Array.isArray(row[1])) throw new Error('rollup buckets: bad top list');
      const list: TopRequest[] = [];
      for (const t of row[1] as unknown[]) {
        if (!Array.isArray(t) || t.length !== 8 || !strs(t, 0, 4) || !nums(t, 4, 8)) throw new Error('rollup buckets: bad top request');
        list.push({ id: t[0], ts: t[1], task: t[2], model: t[3], tokens: { input: t[4], output: t[5] }, wh: t[6], usd: t[7] });
      }
      b.tops.set(row[0], list);
    }
    for (const row of o.sessions) {
      if (!Array.isArray(row) || row.length !== 8 || !strs(row, 0, 2) || !nums(row, 2, 8)) throw new Error('rollup buckets: bad session');
      const [session, ws] = row as string[];
      const n = row as number[];
      b.sessions.set(session + SEP + ws, { session, ws, firstMs: n[2], lastMs: n[3], requests: n[4], tokens: n[5], wh: n[6], usd: n[7] });
    }
    return b;
  }
}

export interface BucketsJson {
  topK: number;
  cells: unknown[][];
  missed: unknown[][];
  tops: Array<[string, unknown[][]]>;
  sessions: unknown[][];
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const strs = (row: unknown[], from: number, to: number): boolean => { for (let i = from; i < to; i++) if (typeof row[i] !== 'string') return false; return true; };
const nums = (row: unknown[], from: number, to: number): boolean => { for (let i = from; i < to; i++) if (typeof row[i] !== 'number' || !Number.isFinite(row[i] as number)) return false; return true; };

// --- assembly ------------------------------------------------------------------------------------

export function emptyTotals(): Totals {
  return { requests: 0, tokens: { input: 0, cachedInput: 0, output: 0, reasoning: 0 }, wh: 0, whLow: 0, whHigh: 0, usd: 0, gco2e: 0, localRequests: 0, localWh: 0, cloudWh: 0, savedWh: 0, savedUsd: 0 };
}

function addCell(t: Totals, c: Cell): void {
  const s = c.s;
  t.requests += s[REQ];
  t.tokens.input += s[IN];
  t.tokens.cachedInput += s[CIN];
  t.tokens.output += s[OUT];
  t.tokens.reasoning += s[REAS];
  t.wh += s[WH];
  t.whLow += s[WHLO];
  t.whHigh += s[WHHI];
  t.usd += s[USD];
  t.gco2e += s[G];
  if (c.location === 'local') {
    t.localRequests += s[REQ];
    t.localWh += s[WH];
  } else {
    t.cloudWh += s[WH];
  }
  t.savedWh += s[SWH];
  t.savedUsd += s[SUSD];
}

export interface Assembled {
  totals: Totals;
  days: DayRow[];
  models: ModelRow[];
  missedSavings: { requests: number; wh: number; usd: number };
  top: TopRequest[];
}

/**
 * Builds the report body from the buckets of `days` (every key listed gets a row, even when empty)
 * and `workspace` (all when undefined).
 *
 * missedSavings: for each unfollowed suggestion, the chosen model's Wh/USD minus the suggested
 * model's. When the record carries `suggestedEstimate` that is used as is; otherwise the suggested
 * model's cost is derived from its own average USD and Wh per token (input + output + reasoning) over
 * the same report, times the record's tokens; a suggestion whose model has no usage in the report
 * cannot be estimated and is left out (`requests` counts only the estimated ones).
 */
export function assemble(b: Buckets, days: string[], workspace: string | undefined, topN: number): Assembled {
  const daySet = new Set(days);
  const inScope = (day: string, ws: string): boolean => daySet.has(day) && (workspace === undefined || ws === workspace);
  const totals = emptyTotals();
  const dayRows = new Map<string, DayRow>();
  for (const d of days) dayRows.set(d, { day: d, ...emptyTotals(), byModel: {} });
  const modelRows = new Map<string, ModelRow>();
  const perModelRate = new Map<string, { tokens: number; wh: number; usd: number }>();
  for (const c of b.cells.values()) {
    if (!inScope(c.day, c.ws)) continue;
    addCell(totals, c);
    const row = dayRows.get(c.day)!;
    addCell(row, c);
    const bm = row.byModel[c.model] ?? (row.byModel[c.model] = { wh: 0, usd: 0, requests: 0 });
    bm.wh += c.s[WH];
    bm.usd += c.s[USD];
    bm.requests += c.s[REQ];
    const mk = c.model + SEP + c.provider + SEP + c.location;
    let mr = modelRows.get(mk);
    if (!mr) modelRows.set(mk, (mr = { model: c.model, provider: c.provider, location: c.location, ...emptyTotals() }));
    addCell(mr, c);
    const rate = perModelRate.get(c.model) ?? { tokens: 0, wh: 0, usd: 0 };
    rate.tokens += c.s[IN] + c.s[OUT] + c.s[REAS];
    rate.wh += c.s[WH];
    rate.usd += c.s[USD];
    perModelRate.set(c.model, rate);
  }
  const missedSavings = { requests: 0, wh: 0, usd: 0 };
  for (const m of b.missed.values()) {
    if (!inScope(m.day, m.ws)) continue;
    missedSavings.requests += m.explicitN;
    missedSavings.wh += m.explicitWhDiff;
    missedSavings.usd += m.explicitUsdDiff;
    const rate = perModelRate.get(m.suggested);
    if (m.derivedN > 0 && rate && rate.tokens > 0) {
      missedSavings.requests += m.derivedN;
      missedSavings.wh += m.derivedChosenWh - (rate.wh / rate.tokens) * m.derivedTokens;
      missedSavings.usd += m.derivedChosenUsd - (rate.usd / rate.tokens) * m.derivedTokens;
    }
  }
  const top: TopRequest[] = [];
  for (const [k, list] of b.tops) {
    const i = k.indexOf(SEP);
    if (!inScope(k.slice(0, i), k.slice(i + 1))) continue;
    for (const t of list) insertTop(top, t, topN);
  }
  const dayList = [...dayRows.values()];
  const models = [...modelRows.values()].sort((a, z) => z.usd - a.usd || z.wh - a.wh || (a.model < z.model ? -1 : a.model > z.model ? 1 : 0));
  return { totals, days: dayList, models, missedSavings, top };
}
