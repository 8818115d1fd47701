// The layout reader (recordProjection.ts) must give exactly what JSON.parse + recordProblem give: the same
// records (the kept fields, with the same values to the last bit), the same damage counts, on generated
// history and on lines written by hand to be awkward.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReadStats, emptyReadStats, readBatches, serializeRecord } from '../../../src/core/ledger';
import type { UsageRecord } from '../../../src/core/types';
import { generateHistory, makeRecord } from '../../util/recordFactory';

const KEPT: Record<string, string[] | true> = {
  v: true, id: true, ts: true, session: true, surface: true, task: true, outcome: true, durationMs: true, ttftMs: true, error: true,
  workspace: ['id', 'name'], decision: ['suggested', 'chosen', 'mode', 'reason', 'followed'], model: ['id', 'provider', 'location'],
  tokens: ['source', 'input', 'cachedInput', 'output', 'reasoning', 'cacheWrite'], energy: ['method', 'wh', 'low', 'high'], cost: ['method', 'usd'],
  carbon: ['g', 'gPerKwh'], counterfactual: ['model', 'wh', 'usd', 'gco2e'], suggestedEstimate: ['wh', 'usd'],
};

/** The fields a projected record keeps, from a fully parsed one (undefined ones left out). */
function kept(r: UsageRecord): Record<string, unknown> {
  const src = r as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(KEPT)) {
    const v = src[k];
    if (v === undefined) continue;
    if (spec === true) { out[k] = v; continue; }
    const o: Record<string, unknown> = {};
    for (const nk of spec) if ((v as Record<string, unknown>)[nk] !== undefined) o[nk] = (v as Record<string, unknown>)[nk];
    if (Object.keys(o).length > 0) out[k] = o;
  }
  return out;
}

const same = (a: number, b: number): boolean => Object.is(a, b);

function assertSameRecords(fast: UsageRecord[], full: UsageRecord[]): void {
  assert.equal(fast.length, full.length);
  for (let i = 0; i < full.length; i++) {
    const a = kept(fast[i]);
    const b = kept(full[i]);
    assert.deepEqual(a, b, `record ${i}`);
    for (const k of ['input', 'cachedInput', 'output', 'reasoning'] as const) assert.ok(same(fast[i].tokens[k], full[i].tokens[k]));
    assert.ok(same(fast[i].energy.wh, full[i].energy.wh) && same(fast[i].cost.usd, full[i].cost.usd) && same(fast[i].carbon.g, full[i].carbon.g));
  }
}

async function readAll(file: string, project: boolean, chunkBytes?: number): Promise<{ records: UsageRecord[]; stats: ReadStats; ends: number[] }> {
  const stats = emptyReadStats();
  const records: UsageRecord[] = [];
  const ends: number[] = [];
  for await (const b of readBatches(file, stats, { project, chunkBytes })) {
    records.push(...b.records);
    ends.push(b.endOffset);
  }
  return { records, stats, ends };
}

describe('ledger reader: layouts (fast projection) agree with JSON.parse', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-proj-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on generated history (every optional field and shape the generator makes), in small and large chunks', async () => {
    const file = path.join(dir, 'usage-2026-11.jsonl');
    const recs = generateHistory({ count: 4000, days: 20, end: new Date('2026-11-28T00:00:00Z'), seed: 7 });
    fs.writeFileSync(file, recs.map((r) => serializeRecord(r) + '\n').join(''));
    const full = await readAll(file, false);
    for (const chunk of [4096, 64 * 1024, 1024 * 1024]) {
      const fast = await readAll(file, true, chunk);
      assert.deepEqual(fast.stats, full.stats);
      assertSameRecords(fast.records, full.records);
      assert.equal(fast.ends[fast.ends.length - 1], fs.statSync(file).size);
    }
    assert.equal(full.records.length, 4000);
  });

  it('on awkward lines: escapes, whitespace, unicode, odd numbers, duplicate keys, arrays, CRLF, damage, newer versions', async () => {
    const file = path.join(dir, 'usage-2026-11.jsonl');
    const base = (over: Partial<UsageRecord> & Record<string, unknown> = {}): UsageRecord => makeRecord({ ts: '2026-11-05T10:00:00.000Z', ...over } as Partial<UsageRecord>);
    const plain = serializeRecord(base());
    const lines: string[] = [
      plain, plain, plain,
      serializeRecord(base({ workspace: { id: 'ws-q', name: 'say "hi"\\ there' } })), // escapes
      serializeRecord(base({ workspace: { id: 'ws-u', name: 'Zürich – 東京 🚀' } })), // non-ASCII
      JSON.stringify(JSON.parse(plain), null, 1).replace(/\n/g, ' '), // whitespace between tokens
      plain.replace('"durationMs":', '"durationMs":1e3,"x":0,"durationMs":'), // duplicate key: the last wins
      plain.replace(/"input":\d+/, '"input":1.5e2'), // exponent
      plain.replace(/"usd":[^,}]+/, '"usd":0.1000000000000000055511151231257827'), // more digits than a double holds
      plain.replace(/"usd":[^,}]+/, '"usd":-0'), // negative zero
      plain.replace(/"wh":[^,}]+/, '"wh":1e999'), // not finite: invalid
      plain.replace(/"input":\d+/, '"input":01'), // not JSON
      plain.replace('"v":1', '"v":2'), // newer writer
      plain.replace(/"id":"[^"]*"/, '"id":""'), // invalid: empty id
      plain.replace('}', ',"tags":["a","b"]}'), // an array: not described by layouts
      plain.replace(/"ts":"[^"]*"/, '"ts":"2026-02-30T10:00:00.000Z"'), // not a calendar date
      plain.replace(/"ts":"[^"]*"/, '"ts":"2026-11-05T11:00:00+01:00"'), // another ISO form
      plain + '\r', // CRLF
      '', '   ',
      plain.slice(0, 200) + plain, // torn line with a complete record after it
      plain.replace('"outcome":', '"extra":{"a":{"b":[]},"c":null},"outcome":'), // unknown nested fields
      plain.replace(/"followed":(true|false)/, '"followed":"yes"'), // wrong kind
      plain.replace('"model":{', '"model":{"id":"x","id":'), // duplicate nested key
      plain.replace('\t', ''), plain.replace(/"name":"[^"]*"/, '"name":"tab\there"'), // a raw control character: not JSON
      plain, plain,
    ];
    fs.writeFileSync(file, lines.join('\n') + '\n' + plain.slice(0, 100));
    const full = await readAll(file, false);
    const fast = await readAll(file, true);
    assert.deepEqual(fast.stats, full.stats);
    assertSameRecords(fast.records, full.records);
    assert.deepEqual(fast.ends, full.ends);
    // the sample checks something: some lines were damaged or refused
    assert.ok(full.stats.corruptLines >= 3 && full.stats.invalidRecords >= 3 && full.stats.unknownVersion === 1 && full.stats.recoveredRecords === 1, JSON.stringify(full.stats));
  });
});
