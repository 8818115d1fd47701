// How many output tokens a cloud request may have under a hard (`block`) budget: what is left of every
// limited line (limit − used − reserved by other requests in flight, in this and in other processes),
// minus the request's fixed part (its input), divided by what one more output token costs in that unit.
// The tightest line wins. The request is then sent with that `max_tokens` and reserves its worst case
// (input + all of it), so requests in flight together can never spend more than is left, whatever their
// answers' length. A request that would get fewer than min(its expected output, HARD_FLOOR_OUTPUT_TOKENS)
// is blocked instead (an answer cut that short is no answer). When the budget is what binds (it pays for
// less than the cap), a request gets at most NEAR_LIMIT_OUTPUT_MULTIPLE × its expected output, so that
// the last of the budget is not reserved by the first request while others wait.
import type { BudgetLine, BudgetUnit } from '../types';
import type { UsageAmount } from './budgetGate';


/** Fewest output tokens a request is sent with under a hard limit (unless it expects fewer). */
export const HARD_FLOOR_OUTPUT_TOKENS = 256;
/** Near the limit, a request's output is capped at this many times what its estimate expects. */
export const NEAR_LIMIT_OUTPUT_MULTIPLE = 4;

export interface AllowanceInput {
  /** The limited lines; `reserved` must not include this request. */
  lines: readonly BudgetLine[];
  /** The request's amount (input + `outputTokens` of output): linear in the output. */
  price: (outputTokens: number) => UsageAmount;
  /** Output the estimate expects. */
  expectedOutputTokens: number;
  /** The model's or the caller's own cap on output. */
  capOutputTokens: number;
}

export type Allowance =
  | { ok: true; maxOutputTokens: number; amount: UsageAmount; limitedBy?: BudgetLine }
  | { ok: false; line: BudgetLine; allowedOutputTokens: number; neededOutputTokens: number };

const PROBE = 1000;

export function hardAllowance(i: AllowanceInput): Allowance {
  const base = i.price(0);
  const probe = i.price(PROBE);
  let allowed = Math.max(0, Math.floor(i.capOutputTokens));
  let limitedBy: BudgetLine | undefined;
  for (const l of i.lines) {
    const room = l.limit - l.used - l.reserved - base[l.unit];
    const perToken = (probe[l.unit] - base[l.unit]) / PROBE;
    const here = room < 0 ? -1 : perToken > 0 ? Math.floor(room / perToken) : Infinity;
    if (here < allowed) { allowed = here; limitedBy = l; }
  }
  const needed = Math.max(1, Math.min(i.expectedOutputTokens, HARD_FLOOR_OUTPUT_TOKENS, i.capOutputTokens));
  if (limitedBy && allowed < needed) return { ok: false, line: limitedBy, allowedOutputTokens: Math.max(0, allowed), neededOutputTokens: needed };
  if (limitedBy) allowed = Math.min(allowed, Math.max(needed, Math.ceil(NEAR_LIMIT_OUTPUT_MULTIPLE * i.expectedOutputTokens)));
  // Rounding: step down until the worst case really fits every line.
  let amount = i.price(allowed);
  for (let guard = 0; guard < 20 && allowed > needed && overruns(i.lines, amount); guard++) {
    allowed = Math.max(needed, Math.floor(allowed * 0.995) - 1);
    amount = i.price(allowed);
  }
  return { ok: true, maxOutputTokens: allowed, amount, ...(limitedBy ? { limitedBy } : {}) };
}

function overruns(lines: readonly BudgetLine[], a: UsageAmount): boolean {
  return lines.some((l) => l.used + l.reserved + a[l.unit as BudgetUnit] > l.limit);
}
