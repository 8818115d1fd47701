import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Ledger, ReadStats, defaultLedgerDir, emptyReadStats, ledgerFileName, readBatches, serializeRecord, unreadableLines,
} from '../../../src/core/ledger';
import type { UsageRecord } from '../../../src/core/types';
import { generateHistory, makeRecord } from '../../util/recordFactory';

const appender = path.resolve(__dirname, '../../fixtures/ledger/appender.js');

async function collect(ledger: Ledger, query = {}, stats?: ReadStats): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for await (const r of ledger.records(query, stats)) out.push(r);
  return out;
}

function runChild(opts: object): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [appender, JSON.stringify(opts)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('ledger/Ledger', function () {
  this.timeout(120000);
  let dir: string;
  let warnings: string[];
  const open = (): Ledger => new Ledger(dir, { onWarning: (m) => warnings.push(m) });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-ledger-'));
    warnings = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends one line per record into the file of the record\'s UTC month, and reads them back', async () => {
    const ledger = open();
    const a = makeRecord({ ts: '2025-03-31T23:30:00.000-02:00' }); // 2025-04-01T01:30Z
    const b = makeRecord({ ts: '2025-03-31T20:00:00.000Z' });
    const c = makeRecord({ ts: '2025-04-15T08:00:00.000Z', session: 'other' });
    for (const r of [a, b, c]) ledger.append(r);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['usage-2025-03.jsonl', 'usage-2025-04.jsonl']);
    const april = fs.readFileSync(path.join(dir, 'usage-2025-04.jsonl'), 'utf8');
    assert.equal(april, serializeRecord(a) + '\n' + serializeRecord(c) + '\n');
    assert.ok(april.startsWith('{"v":1,'), 'v is written first');
    assert.deepEqual(await collect(ledger), [b, a, c]);
    assert.equal(ledgerFileName(Date.parse(a.ts)), 'usage-2025-04.jsonl');
    if (process.platform !== 'win32') assert.equal(fs.statSync(path.join(dir, 'usage-2025-04.jsonl')).mode & 0o777, 0o600);
  });

  it('filters by time, workspace and session', async () => {
    const ledger = open();
    const recs = generateHistory({ count: 600, days: 90, end: new Date('2025-07-01T00:00:00Z'), seed: 3 });
    for (const r of recs) ledger.append(r);
    const since = new Date('2025-05-10T00:00:00Z');
    const until = new Date('2025-06-02T12:00:00Z');
    const got = await collect(ledger, { since, until, workspace: 'ws-beta' });
    const want = recs.filter((r) => Date.parse(r.ts) >= since.getTime() && Date.parse(r.ts) < until.getTime() && r.workspace.id === 'ws-beta');
    assert.ok(want.length > 20);
    assert.deepEqual(got.map((r) => r.id), want.map((r) => r.id));
    const session = recs[300].session;
    assert.deepEqual((await collect(ledger, { session })).map((r) => r.id), recs.filter((r) => r.session === session).map((r) => r.id));
  });

  it('refuses invalid records and writes nothing for them', () => {
    const ledger = open();
    assert.throws(() => ledger.append(makeRecord({ ts: 'yesterday' })), /invalid usage record \(ts/);
    assert.throws(() => ledger.append({ ...makeRecord(), energy: { wh: NaN, low: 0, high: 0, method: 'x' } }), /energy\.wh/);
    assert.throws(() => ledger.append({ ...makeRecord(), v: 2 } as unknown as UsageRecord), /version/);
    assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir) : [], []);
  });

  it('skips and counts corrupt, invalid and unknown-version lines in the middle, with a warning', async () => {
    const ledger = open();
    const good = [0, 1, 2, 3].map((i) => makeRecord({ ts: `2025-02-0${i + 1}T10:00:00.000Z` }));
    const file = path.join(dir, 'usage-2025-02.jsonl');
    fs.writeFileSync(file, [
      serializeRecord(good[0]),
      'this is not json',
      serializeRecord(good[1]),
      JSON.stringify({ ...good[2], v: 2, id: 'from-the-future' }),
      JSON.stringify({ v: 1, id: 'half a record' }),
      '',
      '   ',
      serializeRecord(good[2]) + '\r', // CRLF
      '{"v":1,"id":"trunc',
      serializeRecord(good[3]),
      '',
    ].join('\n'));
    const stats = emptyReadStats();
    const got = await collect(ledger, {}, stats);
    assert.deepEqual(got, good);
    assert.equal(stats.corruptLines, 2);
    assert.equal(stats.invalidRecords, 1);
    assert.equal(stats.unknownVersion, 1);
    assert.equal(stats.blankLines, 2);
    assert.equal(stats.tornTail, 0);
    assert.equal(unreadableLines(stats), 4, 'the unknown-version line is unreadable to this version too');
    assert.ok(warnings.some((w) => /usage-2025-02\.jsonl: 2 corrupt line\(s\) skipped.*1 invalid.*1 record\(s\) of an unknown schema version/.test(w)), warnings.join('\n'));
  });

  it('skips a torn last line with a warning, repairs it on the next open by terminating it, and keeps every complete record', async () => {
    const first = open();
    const recs = [0, 1, 2].map((i) => makeRecord({ ts: `2025-05-0${i + 1}T10:00:00.000Z` }));
    for (const r of recs) first.append(r);
    const file = path.join(dir, 'usage-2025-05.jsonl');
    const torn = serializeRecord(makeRecord({ ts: '2025-05-04T10:00:00.000Z' })).slice(0, 150);
    fs.appendFileSync(file, torn);
    const intact = fs.readFileSync(file);
    const stats = emptyReadStats();
    assert.deepEqual(await collect(first, {}, stats), recs);
    assert.equal(stats.tornTail, 1);
    assert.ok(warnings.some((w) => /torn last line skipped/.test(w)));
    warnings = [];
    const reopened = open(); // repairs
    assert.ok(warnings.some((w) => /Repaired a torn last line in usage-2025-05\.jsonl/.test(w)), warnings.join('\n'));
    const after = fs.readFileSync(file);
    assert.deepEqual(after.subarray(0, intact.length), intact, 'nothing before the torn bytes changed');
    assert.equal(after.length, intact.length + 1);
    assert.equal(after[after.length - 1], 10);
    const next = makeRecord({ ts: '2025-05-05T10:00:00.000Z' });
    reopened.append(next);
    const stats2 = emptyReadStats();
    assert.deepEqual(await collect(reopened, {}, stats2), [...recs, next]);
    assert.equal(stats2.corruptLines, 1, 'the torn fragment is now an ordinary corrupt line');
    assert.equal(stats2.tornTail, 0);
  });

  it('terminates a torn line before appending even without reopening', async () => {
    const ledger = new Ledger(dir, { onWarning: (m) => warnings.push(m), repairOnOpen: false });
    const a = makeRecord({ ts: '2025-05-01T10:00:00.000Z' });
    ledger.append(a);
    fs.appendFileSync(path.join(dir, 'usage-2025-05.jsonl'), '{"v":1,"id":"torn","ts":"2025');
    const b = makeRecord({ ts: '2025-05-02T10:00:00.000Z' });
    ledger.append(b);
    assert.ok(warnings.some((w) => /last line was unterminated/.test(w)));
    assert.deepEqual(await collect(ledger), [a, b]);
  });

  it('recovers a complete record glued after a torn fragment on the same line', async () => {
    const ledger = open();
    const a = makeRecord({ ts: '2025-05-01T10:00:00.000Z' });
    const b = makeRecord({ ts: '2025-05-02T10:00:00.000Z' });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'usage-2025-05.jsonl'), serializeRecord(a).slice(0, 300) + serializeRecord(b) + '\n');
    const stats = emptyReadStats();
    assert.deepEqual(await collect(ledger, {}, stats), [b]);
    assert.equal(stats.recoveredRecords, 1);
    assert.equal(stats.corruptLines, 1);
  });

  it('reads in bounded chunks: records across chunk edges are intact and an over-long line is skipped', async () => {
    const ledger = open();
    const recs = generateHistory({ count: 300, days: 20, end: new Date('2025-08-21T00:00:00Z'), seed: 9 });
    const file = path.join(dir, 'usage-2025-08.jsonl');
    fs.writeFileSync(file, recs.slice(0, 150).map((r) => serializeRecord(r) + '\n').join('') + 'z'.repeat(300_000) + '\n' + recs.slice(150).map((r) => serializeRecord(r) + '\n').join(''));
    const stats = emptyReadStats();
    const got: UsageRecord[] = [];
    let lastEnd = 0;
    for await (const batch of readBatches(file, stats, { chunkBytes: 4096, maxLineBytes: 64 * 1024 })) {
      assert.ok(batch.endOffset >= lastEnd);
      lastEnd = batch.endOffset;
      got.push(...batch.records);
    }
    assert.deepEqual(got.map((r) => r.id), recs.map((r) => r.id));
    assert.equal(stats.corruptLines, 1);
    assert.equal(lastEnd, fs.statSync(file).size);
    assert.deepEqual((await collect(ledger)).map((r) => r.id), recs.map((r) => r.id), 'default chunking agrees');
  });

  it('loses nothing and interleaves no bytes with 4 real processes × 2,000 appends at once', async () => {
    const workers = 4;
    const count = 2000;
    const results = await Promise.all(Array.from({ length: workers }, (_, w) =>
      runChild({ dir, worker: w, count, tsBase: '2025-09-10T00:00:00.000Z', bigEvery: 97 })));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const raw = fs.readFileSync(path.join(dir, 'usage-2025-09.jsonl'), 'utf8');
    assert.ok(raw.endsWith('\n'));
    // A blank line can appear when a process saw another's write half-copied for several ms and took
    // it for a torn line (see lastByteIsNotNewline): harmless by design, so only non-blank lines count.
    const lines = raw.slice(0, -1).split('\n').filter((l) => l.length > 0);
    assert.equal(lines.length, workers * count, 'one line per append, no split lines');
    for (const line of lines) JSON.parse(line); // throws on any interleaving
    const stats = emptyReadStats();
    const recs = await collect(new Ledger(dir), {}, stats);
    assert.equal(stats.corruptLines + stats.invalidRecords + stats.tornTail, 0);
    const ids = new Set(recs.map((r) => r.id));
    assert.equal(ids.size, workers * count);
    for (let w = 0; w < workers; w++) for (let i = 0; i < count; i++) assert.ok(ids.has(`w${w}-${i}`), `w${w}-${i}`);
    const big = recs.filter((r) => r.error !== undefined);
    assert.equal(big.length, workers * Math.ceil(count / 97));
    for (const r of big) assert.equal(r.error, `worker ${r.id.split('-')[0].slice(1)} ` + 'x'.repeat(20_000));
  });

  it('keeps every append that returned when the appending process is killed with SIGKILL', async () => {
    const idsFile = path.join(dir, 'reported-ids.txt');
    let reportedTotal = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [appender, JSON.stringify({ dir, worker: round, count: 0, tsBase: '2025-10-01T00:00:00.000Z', bigEvery: 5, idsFile })], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
      const want = 200 + round * 300;
      for (let t = 0; t < 600; t++) {
        await new Promise((r) => setTimeout(r, 25));
        const n = fs.existsSync(idsFile) ? fs.readFileSync(idsFile, 'utf8').split('\n').length - 1 : 0;
        if (n - reportedTotal >= want) break;
      }
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const reported = fs.readFileSync(idsFile, 'utf8').split('\n').slice(0, -1); // only '\n'-terminated ids
      assert.ok(reported.length - reportedTotal >= want, `round ${round}: ${reported.length - reportedTotal} appends reported`);
      reportedTotal = reported.length;
      const ledger = open(); // a fresh open, as the next VS Code window would
      const stats = emptyReadStats();
      const ids = new Set((await collect(ledger, {}, stats)).map((r) => r.id));
      for (const id of reported) assert.ok(ids.has(id), `${id} was reported appended but is missing`);
      assert.ok(unreadableLines(stats) <= round + 1, 'at most one torn line per kill');
      const after = makeRecord({ id: `after-kill-${round}`, ts: '2025-10-20T00:00:00.000Z' });
      ledger.append(after);
      const ids2 = new Set((await collect(ledger)).map((r) => r.id));
      assert.ok(ids2.has(after.id));
      assert.equal(ids2.size, ids.size + 1, 'the next append starts on a fresh line');
    }
  });

  it('can fsync each append', async () => {
    const ledger = new Ledger(dir, { fsync: true });
    const r = makeRecord({ ts: '2025-01-01T00:00:00.000Z' });
    ledger.append(r);
    assert.deepEqual(await collect(ledger), [r]);
  });
});

describe('ledger/defaultLedgerDir', () => {
  it('lets RIGHTSIZE_LEDGER_DIR win, then follows each platform\'s convention', () => {
    assert.equal(defaultLedgerDir({ RIGHTSIZE_LEDGER_DIR: '/data/rs', XDG_DATA_HOME: '/x' }, 'linux', '/home/u'), '/data/rs');
    assert.equal(defaultLedgerDir({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/u'), '/xdg/rightsize/ledger');
    assert.equal(defaultLedgerDir({ XDG_DATA_HOME: 'relative/ignored' }, 'linux', '/home/u'), '/home/u/.local/share/rightsize/ledger');
    assert.equal(defaultLedgerDir({}, 'linux', '/home/u'), '/home/u/.local/share/rightsize/ledger');
    assert.equal(defaultLedgerDir({}, 'freebsd', '/home/u'), '/home/u/.local/share/rightsize/ledger');
    assert.equal(defaultLedgerDir({ XDG_DATA_HOME: '/xdg' }, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/Rightsize/ledger');
    assert.equal(defaultLedgerDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Roaming\\Rightsize\\ledger');
    assert.equal(defaultLedgerDir({}, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Roaming\\Rightsize\\ledger');
  });
});
