// The budget gate: admits, downgrades or blocks each routed request against the workspace's limits, and
// keeps the running usage per period.
//
// Usage per period instance = baseline (what the ledger holds from before this window, setBaseline) +
// what this window settled or recorded. Periods: session (this window's life, until resetSession), day,
// week (ISO, from Monday), month — local time, from the injected clock; every public call first rolls
// periods whose instance has ended (usage and baseline of that period go back to zero; reservations stay).
//
// Levels (per line = one period x unit with a limit): fraction = used / limit (settled usage only; what is
// in flight is in `reserved`); `exceeded` when fraction >= 1, `warn` when fraction >= warnAt, else `ok`.
// The gate's level is the worst line's.
//
// Admission. Every admitted request reserves its estimate (tokens = input + output, Wh, USD) until it is
// settled (actual usage replaces the reservation) or released (cancelled before any usage). A cloud
// decision is *over budget* when, for any line, the period is already exceeded or
// used + reserved + this estimate > limit — so two parallel requests that each fit alone cannot both slip
// under a hard limit. Then, by action:
//   warn        -> admitted (the extension notifies through onDidChangeLevel);
//   preferLocal -> `downgrade` (the caller re-routes local-only) unless the caller says no local model can
//                  take the request (admit's `noLocalAlternative`), in which case it is admitted;
//   block       -> `block`, with a message naming the limit, its use and how to raise it.
// Unknown amounts (NaN, ±Infinity: a bug upstream, never a number to trust) are never counted as zero: an
// estimate that is unknown in a unit with a limit is over budget (blocked or downgraded under those actions;
// reserved as 0 under `warn`); an actual amount that is unknown settles at the reservation's estimate;
// `record` refuses one (RangeError). Negative amounts count as 0.
// Local decisions are always admitted, under every action: they cost no cloud spend, and refusing them
// would stop all work. Their Wh and tokens still count against every line, so Wh and token limits still
// warn, reach `exceeded`, and then stop *cloud* requests under `block` / `preferLocal`.
//
// Notifications. onDidChangeLevel fires when a line rises into `warn` or into `exceeded`, at most once per
// level per period instance and limit: a line going from ok straight to exceeded fires once (exceeded); a
// level that falls (limit raised) and rises again in the same instance does not fire again unless the
// limit changed; a new day/week/month/session instance starts afresh. The event carries `instance`
// (e.g. `day:2025-03-14`, `session:2`) so a host that wants "once per period across windows" can persist
// it. Listeners run synchronously after the state change; an exception in a listener is swallowed so that
// it cannot break accounting.
import type { BudgetLevel, BudgetLine, BudgetPeriod, BudgetPolicy, BudgetUnit, Location } from '../types';
import { BUDGET_PERIODS, BUDGET_UNITS, DEFAULT_SETTING_PREFIX } from './budgetConfig';
import { hardAllowance } from './hardAllowance';
import { CALENDAR_PERIODS, CalendarPeriod, periodKey } from './periods';
import type { OthersSpend, SharedSpend } from './sharedBudget';
import { formatAmount } from '../format';

export interface UsageAmount { tokens: number; wh: number; usd: number }
export interface Reservation { readonly id: number; readonly amount: UsageAmount; readonly cloud: boolean }

export type Admission =
  /** `maxOutputTokens`: under a hard limit, the output the request may have (send it as max_tokens; its
   * worst case is what is reserved). */
  | { verdict: 'admit'; reservation: Reservation; lines: BudgetLine[]; maxOutputTokens?: number }
  | { verdict: 'downgrade'; reason: string; lines: BudgetLine[] }
  | { verdict: 'block'; message: string; lines: BudgetLine[] };

export interface AdmitInput {
  location: Location;
  estimate: { tokens: { input: number; output: number }; energy: { wh: number }; cost: { usd: number } };
  /** The request's amount with `outputTokens` of output (same input): lets a hard budget size max_tokens. */
  priceOutput?: (outputTokens: number) => UsageAmount;
  /** The model's or caller's cap on output tokens. */
  maxOutputCap?: number;
}

export interface LevelChange {
  level: BudgetLevel;
  period: BudgetPeriod;
  unit: BudgetUnit;
  line: BudgetLine;
  /** The period instance the notification belongs to, e.g. `day:2025-03-14`, `week:2025-03-10`, `session:1`. */
  instance: string;
}

export interface BudgetGateOptions {
  now?: () => Date;
  /** Other windows' and processes' spending (sharedBudget.ts): seen before every admission. */
  shared?: SharedSpend;
  /** Setting prefix used in messages; default `rightsize.budget`. */
  settingPrefix?: string;
}

const LEVEL_RANK: Readonly<Record<BudgetLevel, number>> = { ok: 0, warn: 1, exceeded: 2 };

function zero(): UsageAmount {
  return { tokens: 0, wh: 0, usd: 0 };
}

function clean(n: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

const unknown = (n: number): boolean => typeof n !== 'number' || !Number.isFinite(n);

function cleanAmount(a: UsageAmount | undefined): UsageAmount {
  return a ? { tokens: clean(a.tokens), wh: clean(a.wh), usd: clean(a.usd) } : zero();
}

/** `actual` with each unknown unit replaced by `fallback`'s. */
function knownOr(actual: UsageAmount, fallback: UsageAmount): UsageAmount {
  return {
    tokens: unknown(actual.tokens) ? fallback.tokens : clean(actual.tokens),
    wh: unknown(actual.wh) ? fallback.wh : clean(actual.wh),
    usd: unknown(actual.usd) ? fallback.usd : clean(actual.usd),
  };
}

function addTo(target: UsageAmount, a: UsageAmount): void {
  target.tokens += a.tokens;
  target.wh += a.wh;
  target.usd += a.usd;
}

export class BudgetGate {
  private policy: BudgetPolicy;
  private readonly now: () => Date;
  private readonly prefix: string;

  private sessionNumber = 1;
  private sessionStartMs: number;
  /** Usage settled or recorded by this window, per current period instance. */
  private readonly window: Record<BudgetPeriod, UsageAmount> = { session: zero(), day: zero(), week: zero(), month: zero() };
  private readonly keys: Record<CalendarPeriod, string>;
  private readonly baseline: Record<CalendarPeriod, { amount: UsageAmount; key: string } | undefined> = { day: undefined, week: undefined, month: undefined };

  private readonly active = new Map<number, Reservation>();
  private reservedTotal: UsageAmount = zero();
  private nextId = 1;
  private readonly shared: SharedSpend | undefined;
  private inShared = false;
  /** What the other windows spend, as last seen (settled since the baseline; in flight). */
  private others: OthersSpend = { settled: { day: zero(), week: zero(), month: zero() }, reserved: zero() };

  private readonly notified = new Map<string, { instance: string; limit: number; level: BudgetLevel }>();
  private readonly listeners = new Set<(e: LevelChange) => void>();

  constructor(policy: BudgetPolicy, opts: BudgetGateOptions = {}) {
    this.policy = policy;
    this.now = opts.now ?? (() => new Date());
    this.prefix = opts.settingPrefix ?? DEFAULT_SETTING_PREFIX;
    this.shared = opts.shared;
    const t = this.now();
    this.sessionStartMs = t.getTime();
    this.keys = { day: periodKey('day', t), week: periodKey('week', t), month: periodKey('month', t) };
  }

  setPolicy(policy: BudgetPolicy): void {
    this.roll();
    this.policy = policy;
    this.checkLevels();
  }

  /** Usage already recorded before this window started (from the ledger), per period, as of `asOf`. A
   * period whose instance has ended since `asOf` ignores its figure. Replaces any earlier baseline. */
  setBaseline(totals: Record<'day' | 'week' | 'month', UsageAmount>, asOf: Date): void {
    for (const p of CALENDAR_PERIODS) this.baseline[p] = { amount: cleanAmount(totals[p]), key: periodKey(p, asOf) };
    this.roll();
    this.checkLevels();
  }

  routingState(): { preferLocal: boolean; blockCloud: boolean; level: BudgetLevel } {
    const level = this.level();
    const exceeded = level === 'exceeded';
    return { preferLocal: exceeded && this.policy.action === 'preferLocal', blockCloud: exceeded && this.policy.action === 'block', level };
  }

  /** What the router must respect, given before routing (RouteOptions.budget): the routing state, plus under
   * the preferLocal action what is left of each unit before the tightest limit (used and in flight counted),
   * so a cloud model whose estimate would overrun it is set aside up front instead of admitted, refused and
   * routed again. */
  constraints(): { preferLocal: boolean; blockCloud: boolean; cloudHeadroom?: UsageAmount } {
    // Under `warn` nothing constrains routing whatever the level: no need to read the shared view for it.
    if (this.policy.action === 'warn') return { preferLocal: false, blockCloud: false };
    const { preferLocal, blockCloud } = this.routingState();
    if (this.policy.action !== 'preferLocal' || preferLocal) return { preferLocal, blockCloud };
    const lines = this.lines();
    if (lines.length === 0) return { preferLocal, blockCloud };
    const room: UsageAmount = { tokens: Infinity, wh: Infinity, usd: Infinity };
    for (const l of lines) room[l.unit] = Math.min(room[l.unit], l.limit - l.used - l.reserved);
    return { preferLocal, blockCloud, cloudHeadroom: room };
  }

  admit(decision: AdmitInput, opts: { noLocalAlternative?: boolean } = {}): Admission {
    return this.withOthers(() => this.admitHere(decision, opts));
  }

  private admitHere(decision: AdmitInput, opts: { noLocalAlternative?: boolean }): Admission {
    this.roll();
    const e = decision.estimate;
    const amount: UsageAmount = {
      tokens: clean(e.tokens.input) + clean(e.tokens.output),
      wh: clean(e.energy.wh),
      usd: clean(e.cost.usd),
    };
    const unknownUnits = new Set<BudgetUnit>([
      ...(unknown(e.tokens.input) || unknown(e.tokens.output) ? ['tokens' as const] : []),
      ...(unknown(e.energy.wh) ? ['wh' as const] : []),
      ...(unknown(e.cost.usd) ? ['usd' as const] : []),
    ]);
    const cloud = decision.location === 'cloud';
    const action = this.policy.action;
    let reserve = amount;
    let maxOutputTokens: number | undefined;
    if (cloud && action !== 'warn') {
      const lines = this.computeLines();
      const unknownLine = lines.find((l) => unknownUnits.has(l.unit));
      if (action === 'block' && decision.priceOutput && lines.length > 0 && !unknownLine && !lines.some((l) => l.level === 'exceeded')) {
        // Hard: size the output to what is left, reserve its worst case (hardAllowance.ts).
        const cap = decision.maxOutputCap !== undefined && decision.maxOutputCap > 0 ? decision.maxOutputCap : Number.MAX_SAFE_INTEGER;
        const a = hardAllowance({ lines, price: decision.priceOutput, expectedOutputTokens: clean(e.tokens.output), capOutputTokens: cap });
        if (!a.ok) return { verdict: 'block', message: this.allowanceMessage(a.line, a.allowedOutputTokens, a.neededOutputTokens), lines };
        reserve = cleanAmount(a.amount);
        if (a.maxOutputTokens < Number.MAX_SAFE_INTEGER) maxOutputTokens = a.maxOutputTokens;
      } else {
        const over = unknownLine ?? this.worstProjected(lines, amount);
        if (over) {
          if (action === 'block') return { verdict: 'block', message: this.blockMessage(over, amount), lines };
          if (!opts.noLocalAlternative) return { verdict: 'downgrade', reason: this.downgradeReason(over, amount), lines };
        }
      }
    }
    const reservation: Reservation = Object.freeze({ id: this.nextId++, amount: Object.freeze(reserve), cloud });
    this.active.set(reservation.id, reservation);
    addTo(this.reservedTotal, reserve);
    return { verdict: 'admit', reservation, lines: this.computeLines(), ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}) };
  }

  /** Runs `fn` with the other windows' spending fresh (under the shared lock), then publishes this gate's
   * requests in flight. Without a shared view: just runs it. */
  private withOthers<T>(fn: () => T): T {
    // No limits: nothing to coordinate (the workspace's windows share its settings). A level listener calling
    // back in is already under the lock.
    if (!this.shared || this.inShared || !hasLimits(this.policy)) return fn();
    this.inShared = true;
    try {
      return this.shared.exclusive((others) => {
        this.others = others;
        return fn();
      }, () => [...this.active.values()].map((r) => ({ id: r.id, amount: { ...r.amount } })));
    } finally {
      this.inShared = false;
    }
  }

  /** Moves a reservation to used, with the actual usage. Returns false (and changes nothing) when the
   * reservation was already settled or released. */
  settle(reservation: Reservation, actual: UsageAmount): boolean {
    if (!this.publishesLater()) return this.withOthers(() => this.settleHere(reservation, actual));
    const settled = this.settleHere(reservation, actual);
    if (settled) this.publishOwn();
    return settled;
  }

  /** Settling and releasing only shrink this gate's reservations: the shared view may learn of it a moment later
   * (it counts them meanwhile), so they are published in one write per turn of the event loop (sharedBudget.ts). */
  private publishesLater(): boolean {
    return !!this.shared?.publish && !this.inShared && hasLimits(this.policy);
  }

  private publishOwn(): void {
    this.shared!.publish!(() => [...this.active.values()].map((r) => ({ id: r.id, amount: { ...r.amount } })), this.active.size === 0);
  }

  private settleHere(reservation: Reservation, actual: UsageAmount): boolean {
    this.roll();
    const mine = this.active.get(reservation.id);
    if (!mine || !this.unreserve(reservation)) return false;
    this.addUsage(knownOr(actual, mine.amount), this.now());
    this.checkLevels();
    return true;
  }

  /** Drops a reservation that used nothing (cancelled before it started). Returns false when unknown. */
  release(reservation: Reservation): boolean {
    if (!this.publishesLater()) {
      return this.withOthers(() => {
        this.roll();
        return this.unreserve(reservation);
      });
    }
    this.roll();
    const released = this.unreserve(reservation);
    if (released) this.publishOwn();
    return released;
  }

  /** Usage that did not go through admit (e.g. imported from another tool's logs). It counts in each
   * period whose current instance contains `at` (the session: when `at` is not before the session began). */
  record(actual: UsageAmount, at?: Date): void {
    if (unknown(actual.tokens) || unknown(actual.wh) || unknown(actual.usd)) {
      throw new RangeError(`BudgetGate.record: unknown amount (tokens ${actual.tokens}, wh ${actual.wh}, usd ${actual.usd}); it would count as nothing`);
    }
    this.roll();
    this.addUsage(cleanAmount(actual), at ?? this.now());
    this.checkLevels();
  }

  lines(): BudgetLine[] {
    this.roll();
    if (this.shared && hasLimits(this.policy)) this.others = this.shared.peek();
    return this.computeLines();
  }

  level(): BudgetLevel {
    let worst: BudgetLevel = 'ok';
    for (const l of this.lines()) if (LEVEL_RANK[l.level] > LEVEL_RANK[worst]) worst = l.level;
    return worst;
  }

  resetSession(): void {
    this.roll();
    this.window.session = zero();
    this.sessionNumber++;
    this.sessionStartMs = this.now().getTime();
  }

  /** Requests admitted and not yet settled or released. */
  inFlight(): number {
    return this.active.size;
  }

  onDidChangeLevel(listener: (e: LevelChange) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  // -------------------------------------------------------------------------------------------

  private roll(): void {
    const t = this.now();
    for (const p of CALENDAR_PERIODS) {
      const k = periodKey(p, t);
      if (k !== this.keys[p]) {
        this.keys[p] = k;
        this.window[p] = zero();
      }
    }
  }

  private used(period: BudgetPeriod): UsageAmount {
    const w = this.window[period];
    if (period === 'session') return w;
    const b = this.baseline[period];
    const o = this.others.settled[period];
    const base = b && b.key === this.keys[period] ? b.amount : zero();
    return { tokens: w.tokens + base.tokens + o.tokens, wh: w.wh + base.wh + o.wh, usd: w.usd + base.usd + o.usd };
  }

  private addUsage(a: UsageAmount, at: Date): void {
    if (at.getTime() >= this.sessionStartMs) addTo(this.window.session, a);
    for (const p of CALENDAR_PERIODS) if (periodKey(p, at) === this.keys[p]) addTo(this.window[p], a);
  }

  private unreserve(r: Reservation): boolean {
    const mine = this.active.get(r.id);
    if (!mine) return false;
    this.active.delete(r.id);
    if (this.active.size === 0) this.reservedTotal = zero();
    else {
      this.reservedTotal.tokens = Math.max(0, this.reservedTotal.tokens - mine.amount.tokens);
      this.reservedTotal.wh = Math.max(0, this.reservedTotal.wh - mine.amount.wh);
      this.reservedTotal.usd = Math.max(0, this.reservedTotal.usd - mine.amount.usd);
    }
    return true;
  }

  private computeLines(): BudgetLine[] {
    const out: BudgetLine[] = [];
    const limits = this.policy.limits;
    const warnAt = this.policy.warnAt;
    for (const period of BUDGET_PERIODS) {
      const pl = limits[period];
      if (!pl) continue;
      let used: UsageAmount | undefined;
      for (const unit of BUDGET_UNITS) {
        const limit = pl[unit];
        if (typeof limit !== 'number' || !(limit > 0) || !Number.isFinite(limit)) continue;
        used ??= this.used(period);
        const u = used[unit];
        const fraction = u / limit;
        const level: BudgetLevel = fraction >= 1 ? 'exceeded' : fraction >= warnAt ? 'warn' : 'ok';
        const reserved = this.reservedTotal[unit] + (period === 'session' ? 0 : this.others.reserved[unit]);
        out.push({ period, unit, limit, used: u, reserved, fraction, level });
      }
    }
    return out;
  }

  /** The line this estimate would overrun the most (by projected fraction), if any. */
  private worstProjected(lines: BudgetLine[], amount: UsageAmount): BudgetLine | undefined {
    let worst: BudgetLine | undefined;
    let worstFraction = 0;
    for (const l of lines) {
      const projected = l.used + l.reserved + amount[l.unit];
      if (l.level !== 'exceeded' && projected <= l.limit) continue;
      const f = projected / l.limit;
      if (!worst || f > worstFraction) { worst = l; worstFraction = f; }
    }
    return worst;
  }

  private blockMessage(l: BudgetLine, amount: UsageAmount): string {
    const inFlight = l.reserved > 0 ? ` (${formatAmount(l.unit, l.reserved)} more in flight)` : '';
    const state = l.level === 'exceeded' ? 'is used up' : 'would be exceeded by this request';
    return `Rightsize blocked this cloud request: ${periodPhrase(l.period)} ${unitNoun(l.unit)} budget of ${formatAmount(l.unit, l.limit)} ${state}: ` +
      `${formatAmount(l.unit, l.used)} used${inFlight}, and this request needs about ${formatAmount(l.unit, amount[l.unit])}. ` +
      `Raise ${this.prefix}.${l.period}.${l.unit}, pick a local model, or wait until ${resetPhrase(l.period)}.`;
  }

  private allowanceMessage(l: BudgetLine, allowed: number, needed: number): string {
    const inFlight = l.reserved > 0 ? ` (${formatAmount(l.unit, l.reserved)} more in flight)` : '';
    return `Rightsize blocked this cloud request: ${periodPhrase(l.period)} ${unitNoun(l.unit)} budget of ${formatAmount(l.unit, l.limit)} is nearly used up: ` +
      `${formatAmount(l.unit, l.used)} used${inFlight}; what is left pays for ${allowed.toLocaleString('en-US')} output tokens of this model, fewer than the ${needed.toLocaleString('en-US')} an answer needs. ` +
      `Raise ${this.prefix}.${l.period}.${l.unit}, pick a local model, or wait until ${l.reserved > 0 ? 'the requests in flight finish or ' : ''}${resetPhrase(l.period)}.`;
  }

  private downgradeReason(l: BudgetLine, amount: UsageAmount): string {
    const inFlight = l.reserved > 0 ? `, ${formatAmount(l.unit, l.reserved)} in flight` : '';
    const state = l.level === 'exceeded' ? 'is used up' : 'would be exceeded by this request';
    return `${capitalise(periodPhrase(l.period))} ${unitNoun(l.unit)} budget of ${formatAmount(l.unit, l.limit)} ${state} ` +
      `(${formatAmount(l.unit, l.used)} used${inFlight}, about ${formatAmount(l.unit, amount[l.unit])} needed), so requests go to local models (${this.prefix}.action is "preferLocal").`;
  }

  private instance(period: BudgetPeriod): string {
    return period === 'session' ? `session:${this.sessionNumber}` : `${period}:${this.keys[period]}`;
  }

  private checkLevels(): void {
    const lines = this.computeLines();
    for (const line of lines) {
      if (line.level === 'ok') continue;
      const key = `${line.period}.${line.unit}`;
      const instance = this.instance(line.period);
      const prev = this.notified.get(key);
      const prevLevel: BudgetLevel = prev && prev.instance === instance && prev.limit === line.limit ? prev.level : 'ok';
      if (LEVEL_RANK[line.level] <= LEVEL_RANK[prevLevel]) continue;
      this.notified.set(key, { instance, limit: line.limit, level: line.level });
      const event: LevelChange = { level: line.level, period: line.period, unit: line.unit, line, instance };
      for (const l of [...this.listeners]) {
        try {
          l(event);
        } catch {
          // A listener's failure must not break accounting (see the header).
        }
      }
    }
  }
}

function hasLimits(policy: BudgetPolicy): boolean {
  return Object.values(policy.limits).some((l) => l && Object.values(l).some((v) => typeof v === 'number' && v > 0));
}

function periodPhrase(p: BudgetPeriod): string {
  switch (p) {
    case 'session': return "this session's";
    case 'day': return "today's";
    case 'week': return "this week's";
    case 'month': return "this month's";
  }
}

function resetPhrase(p: BudgetPeriod): string {
  switch (p) {
    case 'session': return 'a new session';
    case 'day': return 'midnight';
    case 'week': return 'Monday';
    case 'month': return 'the 1st of next month';
  }
}

export function unitNoun(u: BudgetUnit): string {
  return u === 'usd' ? 'cost' : u === 'wh' ? 'energy' : 'token';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
