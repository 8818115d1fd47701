// A compact binary form of Buckets, for rollup files and for handing scans back from worker threads.
// Decoding is a few typed-array views and one JSON.parse of the string table, so a two-year report
// reads its 25 rollups in milliseconds (parsing the same sums as JSON numbers took 10× longer).
//
// Layout (little-endian): "RSB1" | u32 string-table bytes | u32 int count | u32 number count |
// string table (a JSON array, UTF-8) | zero padding to 8 | u32 ints | zero padding to 8 | f64 numbers.
// Ints hold counts and string-table indices, numbers hold every sum and timestamp, both read in the
// order `encode` wrote them. Anything out of bounds, non-finite or of the wrong kind throws.
import type { Location, Provider, TaskClass } from '../types';
import { Buckets, DayWs, FacetKind, ModelCell, SUM_LEN, SessionCell } from './buckets';

const MAGIC = 0x31425352; // "RSB1"
const HEAD = 16;
const pad8 = (n: number): number => (n + 7) & ~7;

class Writer {
  private readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  readonly ints: number[] = [];
  readonly nums: number[] = [];

  str(s: string): void {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    this.ints.push(i);
  }

  sums(s: ArrayLike<number>): void {
    for (let i = 0; i < SUM_LEN; i++) this.nums.push(s[i]);
  }

  finish(): Buffer {
    const table = Buffer.from(JSON.stringify(this.strings), 'utf8');
    const intsAt = pad8(HEAD + table.length);
    const numsAt = pad8(intsAt + this.ints.length * 4);
    const out = Buffer.alloc(numsAt + this.nums.length * 8);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(table.length, 4);
    out.writeUInt32LE(this.ints.length, 8);
    out.writeUInt32LE(this.nums.length, 12);
    table.copy(out, HEAD);
    Buffer.from(Uint32Array.from(this.ints).buffer).copy(out, intsAt);
    Buffer.from(Float64Array.from(this.nums).buffer).copy(out, numsAt);
    return out;
  }
}

function writeCells(w: Writer, cells: ModelCell[]): void {
  w.ints.push(cells.length);
  for (const c of cells) {
    w.str(c.model); w.str(c.provider); w.str(c.location);
    w.sums(c.s);
  }
}

export function encodeBuckets(b: Buckets): Buffer {
  const w = new Writer();
  w.ints.push(b.topK);
  const days = [...b.days()];
  w.ints.push(days.length);
  for (const d of days) {
    w.str(d.day); w.str(d.ws);
    writeCells(w, d.models);
    w.ints.push(d.facets.length);
    for (const f of d.facets) { w.str(f.kind); w.str(f.value); w.sums(f.s); }
    w.ints.push(d.missed.length);
    for (const m of d.missed) {
      w.str(m.suggested); w.str(m.chosen);
      w.nums.push(m.explicitN, m.explicitWhDiff, m.explicitUsdDiff, m.derivedN, m.derivedChosenWh, m.derivedChosenUsd, m.derivedTokens);
    }
    w.ints.push(d.top.length);
    for (const t of d.top) {
      w.str(t.id); w.str(t.ts); w.str(t.task); w.str(t.model);
      w.nums.push(t.tokens.input, t.tokens.output, t.wh, t.usd);
    }
  }
  const sessions = [...b.sessions()];
  w.ints.push(sessions.length);
  for (const s of sessions) {
    w.str(s.session); w.str(s.ws);
    w.nums.push(s.firstMs, s.lastMs);
    writeCells(w, s.models);
  }
  w.ints.push(b.names.size);
  for (const [ws, n] of b.names) { w.str(ws); w.str(n.name); w.nums.push(n.ms, n.firstMs); }
  return w.finish();
}

class Reader {
  private ip = 0;
  private np = 0;

  constructor(private readonly strings: string[], private readonly ints: Uint32Array, private readonly nums: Float64Array) {}

  int(): number {
    if (this.ip >= this.ints.length) throw new Error('rollup: truncated');
    return this.ints[this.ip++];
  }

  str(): string {
    const s = this.strings[this.int()];
    if (typeof s !== 'string') throw new Error('rollup: bad string index');
    return s;
  }

  num(): number {
    if (this.np >= this.nums.length) throw new Error('rollup: truncated');
    return this.nums[this.np++];
  }

  /** A view of the next SUM_LEN numbers (no copy). */
  sums(): Float64Array {
    if (this.np + SUM_LEN > this.nums.length) throw new Error('rollup: truncated');
    const s = this.nums.subarray(this.np, this.np + SUM_LEN);
    this.np += SUM_LEN;
    return s;
  }

  /** Skips `ints` ints and `nums` numbers (the parts of a day a caller did not ask for). */
  skip(ints: number, nums: number): void {
    if (this.ip + ints > this.ints.length || this.np + nums > this.nums.length) throw new Error('rollup: truncated');
    this.ip += ints;
    this.np += nums;
  }

  get done(): boolean {
    return this.ip === this.ints.length && this.np === this.nums.length;
  }
}

function readCells(r: Reader): ModelCell[] {
  const n = r.int();
  const out: ModelCell[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const model = r.str();
    const provider = r.str() as Provider;
    const location = r.str();
    if (location !== 'local' && location !== 'cloud') throw new Error('rollup: bad location');
    out[i] = { model, provider, location: location as Location, s: r.sums() };
  }
  return out;
}

function readDay(r: Reader, dw: DayWs, withFacets: boolean): void {
  dw.models = readCells(r);
  if (!withFacets) {
    const n = r.int();
    r.skip(n * 2, n * SUM_LEN);
  } else for (let n = r.int(), i = 0; i < n; i++) {
    const kind = r.str();
    if (kind !== 'task' && kind !== 'surface') throw new Error('rollup: bad facet');
    dw.facets.push({ kind: kind as FacetKind, value: r.str(), s: r.sums() });
  }
  for (let n = r.int(), i = 0; i < n; i++) {
    dw.missed.push({ suggested: r.str(), chosen: r.str(), explicitN: r.num(), explicitWhDiff: r.num(), explicitUsdDiff: r.num(), derivedN: r.num(), derivedChosenWh: r.num(), derivedChosenUsd: r.num(), derivedTokens: r.num() });
  }
  for (let n = r.int(), i = 0; i < n; i++) {
    dw.top.push({ id: r.str(), ts: r.str(), task: r.str() as TaskClass, model: r.str(), tokens: { input: r.num(), output: r.num() }, wh: r.num(), usd: r.num() });
  }
}

/** Steps over one day's models, facets, unfollowed suggestions and top requests. */
function skipDay(r: Reader): void {
  let n = r.int();
  r.skip(n * 3, n * SUM_LEN);
  n = r.int();
  r.skip(n * 2, n * SUM_LEN);
  n = r.int();
  r.skip(n * 2, n * 7);
  n = r.int();
  r.skip(n * 4, n * 4);
}

/**
 * Decodes what encodeBuckets wrote; throws on anything malformed. With `wantDay`, only the days it
 * accepts are built (the others are stepped over: a status line needs this week's days, not the
 * month's top requests), sessions only when `withSessions`, and task/surface sums only when
 * `withFacets`; names are always decoded.
 */
export function decodeBuckets(buf: Uint8Array, wantDay?: (day: string) => boolean, withSessions = true, withFacets = true): Buckets {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < HEAD || bytes.readUInt32LE(0) !== MAGIC) throw new Error('rollup: not a bucket payload');
  const tableLen = bytes.readUInt32LE(4);
  const intCount = bytes.readUInt32LE(8);
  const numCount = bytes.readUInt32LE(12);
  const intsAt = pad8(HEAD + tableLen);
  const numsAt = pad8(intsAt + intCount * 4);
  if (numsAt + numCount * 8 !== bytes.length) throw new Error('rollup: bad payload size');
  const strings = JSON.parse(bytes.toString('utf8', HEAD, HEAD + tableLen)) as unknown;
  if (!Array.isArray(strings)) throw new Error('rollup: bad string table');
  // Copies into aligned arrays (the buffer's own offset need not be a multiple of 8).
  const ints = new Uint32Array(intCount);
  Buffer.from(ints.buffer).set(bytes.subarray(intsAt, intsAt + intCount * 4));
  const nums = new Float64Array(numCount);
  Buffer.from(nums.buffer).set(bytes.subarray(numsAt, numsAt + numCount * 8));
  for (let i = 0; i < numCount; i++) if (!Number.isFinite(nums[i])) throw new Error('rollup: a number is not finite');
  const r = new Reader(strings as string[], ints, nums);
  const b = new Buckets(r.int());
  for (let n = r.int(), i = 0; i < n; i++) {
    const day = r.str();
    const ws = r.str();
    if (wantDay && !wantDay(day)) { skipDay(r); continue; }
    const dw = b.dayWs(day, ws);
    if (dw.models.length > 0 || dw.facets.length > 0) throw new Error('rollup: a day twice');
    readDay(r, dw, withFacets);
  }
  for (let n = r.int(), i = 0; i < n; i++) {
    if (!withSessions) {
      r.skip(2, 2);
      const cells = r.int();
      r.skip(cells * 3, cells * SUM_LEN);
      continue;
    }
    const sc: SessionCell = b.session(r.str(), r.str(), 0);
    if (sc.models.length > 0) throw new Error('rollup: a session twice');
    sc.firstMs = r.num();
    sc.lastMs = r.num();
    sc.models = readCells(r);
  }
  for (let n = r.int(), i = 0; i < n; i++) b.names.set(r.str(), { name: r.str(), ms: r.num(), firstMs: r.num() });
  if (!r.done) throw new Error('rollup: trailing data');
  return b;
}
