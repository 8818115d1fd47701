// Budget settings -> BudgetPolicy, with a message for every value that is dropped.
//
// Input: the settings under `rightsize.budget`, flat (`{ "day.usd": 2, "warnAt": 0.8, "action": "block" }`,
// the shape of a settings.json file) or nested (`{ day: { usd: 2 } }`, the shape
// `workspace.getConfiguration('rightsize.budget')` returns). Both may be mixed; a flat key wins over the
// same nested key.
//
// Rules:
// - A limit is a finite number >= 0. **0, null or absent means no limit** (the settings' default is 0 and
//   reads as "off"): such limits are left out of `policy.limits`, so a BudgetLine exists only for a real
//   limit. Anything else (negative, NaN, Infinity, strings — even "10" —, booleans, objects) is dropped
//   with an error naming the full setting, e.g.
//   `rightsize.budget.day.usd must be a non-negative number (got "ten")`.
// - `warnAt` is a fraction in (0, 1]; default 0.8. Invalid -> default, with an error.
// - `action` is `warn` | `preferLocal` | `block`; default `warn`. Invalid -> default, with an error.
// - Unknown keys are reported (a misspelt `dai.usd` would otherwise silently mean no limit) and ignored.
// - Function values are ignored (a WorkspaceConfiguration object carries get/has/inspect/update).
import type { BudgetAction, BudgetLimits, BudgetPeriod, BudgetPolicy, BudgetUnit } from '../types';

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['session', 'day', 'week', 'month'];
export const BUDGET_UNITS: readonly BudgetUnit[] = ['tokens', 'wh', 'usd'];
export const BUDGET_ACTIONS: readonly BudgetAction[] = ['warn', 'preferLocal', 'block'];
export const DEFAULT_WARN_AT = 0.8;
export const DEFAULT_ACTION: BudgetAction = 'warn';
export const DEFAULT_SETTING_PREFIX = 'rightsize.budget';

export function defaultBudgetPolicy(): BudgetPolicy {
  return { limits: {}, warnAt: DEFAULT_WARN_AT, action: DEFAULT_ACTION };
}

export function parseBudgetPolicy(raw: unknown, settingPrefix: string = DEFAULT_SETTING_PREFIX): { policy: BudgetPolicy; errors: string[] } {
  const policy = defaultBudgetPolicy();
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { policy, errors };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(`${settingPrefix} must be an object of settings (got ${show(raw)})`);
    return { policy, errors };
  }

  const flat = flatten(raw as Record<string, unknown>);
  const limits: BudgetLimits = {};
  for (const [key, value] of flat) {
    const name = `${settingPrefix}.${key}`;
    if (key === 'warnAt') {
      if (value === undefined || value === null) continue;
      if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 1) policy.warnAt = value;
      else errors.push(`${name} must be a number greater than 0 and at most 1 (got ${show(value)}); using ${DEFAULT_WARN_AT}`);
      continue;
    }
    if (key === 'action') {
      if (value === undefined || value === null) continue;
      if (typeof value === 'string' && (BUDGET_ACTIONS as readonly string[]).includes(value)) policy.action = value as BudgetAction;
      else errors.push(`${name} must be one of ${BUDGET_ACTIONS.map((a) => `"${a}"`).join(', ')} (got ${show(value)}); using "${DEFAULT_ACTION}"`);
      continue;
    }
    const dot = key.indexOf('.');
    const period = dot > 0 ? key.slice(0, dot) : key;
    const unit = dot > 0 ? key.slice(dot + 1) : '';
    if (!(BUDGET_PERIODS as readonly string[]).includes(period) || !(BUDGET_UNITS as readonly string[]).includes(unit)) {
      errors.push(`${name} is not a budget setting (expected <period>.<unit> with period ${BUDGET_PERIODS.join('|')} and unit ${BUDGET_UNITS.join('|')}, or warnAt, or action); ignored`);
      continue;
    }
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      errors.push(`${name} must be a non-negative number (got ${show(value)}); no limit set`);
      continue;
    }
    if (value === 0) continue; // 0 = no limit
    const p = period as BudgetPeriod;
    (limits[p] ??= {})[unit as BudgetUnit] = value;
  }
  policy.limits = limits;
  return { policy, errors };
}

/** Flat and nested keys -> [flatKey, value] pairs (flat wins), in a stable order, functions skipped. */
function flatten(raw: Record<string, unknown>): Array<[string, unknown]> {
  const out = new Map<string, unknown>();
  const nested: Array<[string, unknown]> = [];
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (typeof value === 'function') continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && (BUDGET_PERIODS as readonly string[]).includes(key)) {
      for (const sub of Object.keys(value as Record<string, unknown>)) {
        const v = (value as Record<string, unknown>)[sub];
        if (typeof v !== 'function') nested.push([`${key}.${sub}`, v]);
      }
      continue;
    }
    out.set(key, value);
  }
  for (const [k, v] of nested) if (!out.has(k)) out.set(k, v);
  return [...out.entries()];
}

function show(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? s.slice(0, 60) + '…' : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
