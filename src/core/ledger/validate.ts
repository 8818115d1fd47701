// Shape checks of ledger schema v1 (DESIGN.md "The usage record"). Strict on what aggregation reads
// (numbers must be finite, ids and timestamps present); lenient on enum values so that a newer
// writer adding a task class or surface does not make old readers drop records.
import { parseIsoDate } from '../isoDate';
import type { UsageRecord } from '../types';

export const LEDGER_SCHEMA_VERSION = 1;
/** The longest line (with its '\n') a ledger record may take: writers refuse longer, readers skip longer. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function checkFields(o: Obj, where: string, strings: string[], numbers: string[]): string | undefined {
  for (const k of strings) if (!isStr(o[k])) return `${where}${k} must be a string`;
  for (const k of numbers) if (!isNum(o[k])) return `${where}${k} must be a finite number`;
  return undefined;
}

const PARTS: ReadonlyArray<[string, string[], string[]]> = [
  ['workspace', ['id', 'name'], []],
  ['decision', ['suggested', 'chosen', 'mode', 'reason'], []],
  ['model', ['id', 'provider', 'location'], []],
  ['tokens', ['source'], ['input', 'cachedInput', 'output', 'reasoning']],
  ['energy', ['method'], ['wh', 'low', 'high']],
  ['cost', ['method'], ['usd']],
  ['carbon', [], ['g', 'gPerKwh']],
];

/** Why `x` is not a valid v1 record, or undefined when it is. */
export function recordProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'not an object';
  if (x.v !== LEDGER_SCHEMA_VERSION) return `unsupported version ${JSON.stringify(x.v)}`;
  let p = checkFields(x, '', ['id', 'ts', 'session', 'surface', 'task', 'outcome'], ['durationMs']);
  if (p) return p;
  if ((x.id as string).length === 0) return 'id is empty';
  const when = parseIsoDate(x.ts as string);
  if (!when.ok) return `ts ${JSON.stringify((x.ts as string).slice(0, 40))} is not a date (${when.reason})`;
  if (x.ttftMs !== undefined && !isNum(x.ttftMs)) return 'ttftMs must be a finite number';
  if (x.error !== undefined && !isStr(x.error)) return 'error must be a string';
  for (const [key, strings, numbers] of PARTS) {
    const o = x[key];
    if (!isObj(o)) return `${key} must be an object`;
    p = checkFields(o, `${key}.`, strings, numbers);
    if (p) return p;
  }
  if (typeof (x.decision as Obj).followed !== 'boolean') return 'decision.followed must be a boolean';
  p = rangeProblem(x);
  if (p) return p;
  const loc = (x.model as Obj).location;
  if (loc !== 'local' && loc !== 'cloud') return `model.location ${JSON.stringify(loc)} is neither local nor cloud`;
  if (x.counterfactual !== undefined) {
    if (!isObj(x.counterfactual)) return 'counterfactual must be an object';
    p = checkFields(x.counterfactual, 'counterfactual.', ['model'], ['wh', 'usd', 'gco2e']);
    if (p) return p;
  }
  return undefined;
}

/**
 * recordProblem for a record whose JSON kinds are already known to be right (a line matched by a layout
 * learnt from a valid record: recordProjection.ts): only the checks of values. Undefined when valid.
 */
export function valueProblem(x: Obj): string | undefined {
  if ((x.id as string).length === 0) return 'id is empty';
  if (!parseIsoDate(x.ts as string).ok) return 'ts is not a date';
  if (!isNum(x.durationMs) || (x.ttftMs !== undefined && !isNum(x.ttftMs))) return 'a number is not finite';
  for (const [key, , numbers] of PARTS) {
    const o = x[key] as Obj;
    for (const k of numbers) if (!isNum(o[k])) return `${key}.${k} must be a finite number`;
  }
  const p = rangeProblem(x);
  if (p) return p;
  const loc = (x.model as Obj).location;
  if (loc !== 'local' && loc !== 'cloud') return 'model.location is neither local nor cloud';
  const cf = x.counterfactual as Obj | undefined;
  if (cf !== undefined && !(isNum(cf.wh) && isNum(cf.usd) && isNum(cf.gco2e))) return 'counterfactual: a number is not finite';
  return undefined;
}

/** Largest amounts one record may carry: far above any real request, far below what breaks a report. */
export const MAX_RECORD_TOKENS = 1e9;
export const MAX_RECORD_USD = 1e6;
export const MAX_RECORD_WH = 1e7;

/** Negative or absurd numbers, and an energy range that does not contain its central value. */
function rangeProblem(x: Obj): string | undefined {
  const t = x.tokens as Obj;
  for (const k of ['input', 'cachedInput', 'output', 'reasoning']) {
    const n = t[k] as number;
    if (n < 0 || n > MAX_RECORD_TOKENS) return `tokens.${k} ${n} is outside 0–${MAX_RECORD_TOKENS}`;
  }
  const cacheWrite = typeof t.cacheWrite === 'number' ? t.cacheWrite : 0;
  if (cacheWrite < 0 || (t.cachedInput as number) + cacheWrite > (t.input as number)) return 'tokens.cachedInput + tokens.cacheWrite exceed tokens.input (input includes them)';
  if ((t.reasoning as number) > (t.output as number)) return 'tokens.reasoning exceeds tokens.output (output includes it)';
  if ((x.durationMs as number) < 0) return 'durationMs is negative';
  const e = x.energy as Obj;
  const [wh, low, high] = [e.wh as number, e.low as number, e.high as number];
  if (low < 0 || high > MAX_RECORD_WH) return `energy ${low}–${high} Wh is outside 0–${MAX_RECORD_WH}`;
  const slack = 1e-9 * Math.max(1, Math.abs(high));
  if (low > wh + slack || wh > high + slack) return `energy must satisfy low <= wh <= high (got ${low}, ${wh}, ${high})`;
  const usd = (x.cost as Obj).usd as number;
  if (usd < 0 || usd > MAX_RECORD_USD) return `cost.usd ${usd} is outside 0–${MAX_RECORD_USD}`;
  if (((x.carbon as Obj).g as number) < 0) return 'carbon.g is negative';
  return undefined;
}

export function isUsageRecord(x: unknown): x is UsageRecord {
  return recordProblem(x) === undefined;
}

/** The optional estimate of the suggested model (suggest mode), read defensively. */
export function suggestedEstimateOf(r: UsageRecord): { wh: number; usd: number } | undefined {
  const s = (r as unknown as { suggestedEstimate?: unknown }).suggestedEstimate;
  if (!isObj(s) || !isNum(s.wh) || !isNum(s.usd)) return undefined;
  return { wh: s.wh, usd: s.usd };
}
