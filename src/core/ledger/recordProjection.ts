// A fast reader of ledger lines for scans that aggregate (report rollups). JSON.parse of whole records
// was the limit of a full-history scan (~60 MB per CPU-second): it builds every string and number of
// every record. Here each line is matched by a *layout*: a regular expression learnt from a record of
// the same shape (its keys in order and the JSON kind of each value; fields beyond the v1 required ones
// optional), compiled by V8 to native code, which checks the whole line's JSON syntax and captures only
// the fields aggregation and the v1 shape checks read. The record is a small object of the UsageRecord
// shape holding those fields; the layout guarantees the JSON kinds, and validate.ts' valueProblem checks the values.
//
// Same answers as JSON.parse + recordProblem, or none: a line no layout matches (whitespace between
// tokens, a backslash escape, a control character, an array, a new shape, CRLF, damage) is parsed the full
// way by the caller (lineReader.parseLine), which also recovers glued records and counts the damage;
// a record parsed that way teaches a new layout when it can (verified against its own line first).
//  - strings: `"[^"\\\x00-\x1f]*"` is exactly a JSON string without escapes; the text is the line's own
//    decoded text (the chunk is decoded once, as latin1 when it is ASCII, else as UTF-8);
//  - numbers: JSON's number grammar exactly, converted by Number(), which rounds as JSON.parse does;
//  - a layout describes no duplicate key, so a line with one never matches (JSON.parse: last one wins).
import type { UsageRecord } from '../types';
import { valueProblem } from './validate';

const STR = '"[^"\\\\\\x00-\\x1f]*"';
const NUM = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const BOOL = '(?:true|false)';

/** The top-level and nested keys a v1 record must have (validate.ts); every other member is optional in a layout. */
const REQUIRED_TOP = new Set(['v', 'id', 'ts', 'session', 'surface', 'task', 'outcome', 'durationMs', 'workspace', 'decision', 'model', 'tokens', 'energy', 'cost', 'carbon']);

/** The fields kept, by path: top-level primitives, and the kept primitives of the known nested objects. */
const KEPT_TOP = new Set(['v', 'id', 'ts', 'session', 'surface', 'task', 'outcome', 'durationMs', 'ttftMs', 'error']);
const KEPT_NESTED: Record<string, { keys: Set<string>; required: Set<string> }> = {
  workspace: { keys: new Set(['id', 'name']), required: new Set(['id', 'name']) },
  decision: { keys: new Set(['suggested', 'chosen', 'mode', 'reason', 'followed']), required: new Set(['suggested', 'chosen', 'mode', 'reason', 'followed']) },
  model: { keys: new Set(['id', 'provider', 'location']), required: new Set(['id', 'provider', 'location']) },
  tokens: { keys: new Set(['source', 'input', 'cachedInput', 'output', 'reasoning', 'cacheWrite']), required: new Set(['source', 'input', 'cachedInput', 'output', 'reasoning']) },
  energy: { keys: new Set(['method', 'wh', 'low', 'high']), required: new Set(['method', 'wh', 'low', 'high']) },
  cost: { keys: new Set(['method', 'usd']), required: new Set(['method', 'usd']) },
  carbon: { keys: new Set(['g', 'gPerKwh']), required: new Set(['g', 'gPerKwh']) },
  counterfactual: { keys: new Set(['model', 'wh', 'usd', 'gco2e']), required: new Set(['model', 'wh', 'usd', 'gco2e']) },
  suggestedEstimate: { keys: new Set(['wh', 'usd']), required: new Set() },
};

type Kind = 's' | 'n' | 'b' | 'z';
/** What capture group i holds: [nested object or '' for the top level, key, kind]. */
type Slot = [string, string, Kind];

interface Layout { re: RegExp; build: (m: RegExpExecArray) => Obj; hits: number }

const reKey = (k: string): string => k.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** The pattern of a value not kept (its structure only), or undefined when it cannot be described. */
function shapeOf(v: unknown, depth: number): string | undefined {
  if (typeof v === 'string') return STR;
  if (typeof v === 'number') return NUM;
  if (typeof v === 'boolean') return BOOL;
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? '\\[\\]' : undefined;
  if (typeof v !== 'object' || depth > 8) return undefined;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (!/^[\x20-\x7e]*$/.test(k) || k.includes('"') || k.includes('\\')) return undefined;
    const p = shapeOf(x, depth + 1);
    if (p === undefined) return undefined;
    parts.push(`"${reKey(k)}":${p}`);
  }
  return `\\{${parts.join(',')}\\}`;
}

/** Members of an object: the first one as it is, the others optional unless required. */
function members(entries: Array<[string, string, boolean]>): string {
  return entries.map(([k, p, required], i) => {
    const m = `${i === 0 ? '' : ','}"${reKey(k)}":${p}`;
    return i === 0 || required ? m : `(?:${m})?`;
  }).join('');
}

function primitiveKind(v: unknown): Kind | undefined {
  return typeof v === 'string' ? 's' : typeof v === 'number' ? 'n' : typeof v === 'boolean' ? 'b' : v === null ? 'z' : undefined;
}

const CAPTURE: Record<Kind, string> = { s: '"([^"\\\\\\x00-\\x1f]*)"', n: `(${NUM})`, b: '(true|false)', z: '(null)' };

/** The layout of a parsed record, or undefined when it has a shape layouts do not describe. */
export function learnLayout(rec: Record<string, unknown>): Layout | undefined {
  const slots: Slot[] = [];
  const top: Array<[string, string, boolean]> = [];
  for (const [k, v] of Object.entries(rec)) {
    if (!/^[\x20-\x7e]*$/.test(k) || k.includes('"') || k.includes('\\')) return undefined;
    const nested = KEPT_NESTED[k];
    let p: string | undefined;
    if (KEPT_TOP.has(k)) {
      const kind = primitiveKind(v);
      if (!kind) return undefined;
      slots.push(['', k, kind]);
      p = CAPTURE[kind];
    } else if (nested && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const inner: Array<[string, string, boolean]> = [];
      for (const [nk, nv] of Object.entries(v as Record<string, unknown>)) {
        if (!/^[\x20-\x7e]*$/.test(nk) || nk.includes('"') || nk.includes('\\')) return undefined;
        let np: string | undefined;
        if (nested.keys.has(nk)) {
          const kind = primitiveKind(nv);
          if (!kind) return undefined;
          slots.push([k, nk, kind]);
          np = CAPTURE[kind];
        } else np = shapeOf(nv, 1);
        if (np === undefined) return undefined;
        inner.push([nk, np, nested.required.has(nk)]);
      }
      p = `\\{${members(inner)}\\}`;
    } else if (nested) return undefined; // a kept part that is not an object: parse fully
    else p = shapeOf(v, 0);
    if (p === undefined) return undefined;
    top.push([k, p, REQUIRED_TOP.has(k)]);
  }
  // Optional groups of kept fields still count: a group that did not take part captures undefined.
  return { re: new RegExp(`\\{${members(top)}\\}\\n`, 'y'), build: builderFor(slots), hits: 0 };
}

const MAX_LAYOUTS = 16;
/** Lines that taught no layout before learning stops for this reader (a file of shapes layouts cannot describe). */
const MAX_FAILED_LEARNS = 64;

/** Layouts, most used first (one set per process: lineReader.ts shares it between scans). */
export class LayoutSet {
  private readonly layouts: Layout[] = [];
  private failedLearns = 0;

  /** The record of the line at `pos` of `s` (which ends with '\n'), or undefined when no layout matches it. */
  match(s: string, pos: number): UsageRecord | undefined {
    const list = this.layouts;
    for (let i = 0; i < list.length; i++) {
      const l = list[i];
      l.re.lastIndex = pos;
      const m = l.re.exec(s);
      if (!m) continue;
      const rec = l.build(m);
      if (rec.v !== 1 || valueProblem(rec) !== undefined) return undefined;
      if (++l.hits > 64 && i > 0 && l.hits > list[i - 1].hits) { list[i] = list[i - 1]; list[i - 1] = l; }
      return rec as unknown as UsageRecord;
    }
    return undefined;
  }

  /** Learns the layout of `rec`, parsed the full way from the line at `pos` of `s`, if that line matches it. */
  learn(rec: UsageRecord, s: string, pos: number): void {
    if (this.failedLearns >= MAX_FAILED_LEARNS) return;
    const l = learnLayout(rec as unknown as Record<string, unknown>);
    if (l) {
      l.re.lastIndex = pos;
      if (l.re.exec(s)) {
        if (this.layouts.length >= MAX_LAYOUTS) this.layouts.pop();
        this.layouts.push(l);
        return;
      }
    }
    this.failedLearns++;
  }

  /** A new scan begins: lines that failed to teach a layout are counted again from zero. */
  newScan(): void {
    this.failedLearns = 0;
  }

  get size(): number {
    return this.layouts.length;
  }
}

type Obj = Record<string, unknown>;

/**
 * The builder of a layout's records from its match: generated code making the object in one literal
 * (the property names are the kept keys above, never text from a ledger), which V8 makes fast, where
 * stores of computed keys into fresh objects are slow. Kept fields absent from the line stay undefined,
 * as in a parse; a kept part is an object only when the line has one of its kept keys.
 */
function builderFor(slots: Slot[]): (m: RegExpExecArray) => Obj {
  const val = (i: number, kind: Kind): string => {
    const g = `m[${i + 1}]`;
    const conv = kind === 's' ? g : kind === 'n' ? `+${g}` : kind === 'b' ? `${g} === "true"` : 'null';
    return `(${g} === undefined ? undefined : ${conv})`;
  };
  const top: string[] = [];
  const parts = new Map<string, number[]>();
  slots.forEach(([part, key, kind], i) => {
    if (part === '') top.push(`${JSON.stringify(key)}: ${val(i, kind)}`);
    else {
      let list = parts.get(part);
      if (!list) parts.set(part, (list = []));
      list.push(i);
    }
  });
  for (const [part, list] of parts) {
    const any = list.map((i) => `m[${i + 1}] !== undefined`).join(' || ');
    const body = list.map((i) => `${JSON.stringify(slots[i][1])}: ${val(i, slots[i][2])}`).join(', ');
    top.push(`${JSON.stringify(part)}: (${any}) ? { ${body} } : undefined`);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('m', `return { ${top.join(', ')} };`) as (m: RegExpExecArray) => Obj;
}
