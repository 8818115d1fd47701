// Fault injection: ledger files appended to and edited while reports run. Another process appends
// records as fast as it can while reports are built again and again (rollups read, verified, moved on,
// rebuilt on worker threads); files are edited in place — same length, in the middle — and replaced
// the way editors save. Every report must finish, count no more than was written, and once the writes
// stop, equal a fresh aggregate of the records: a rollup is never trusted past a change.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger, ledgerFileInfo, serializeRecord } from '../../src/core/ledger';
import { aggregate, buildReport, loadRange, tabulate } from '../../src/core/report';
import type { ReportQuery } from '../../src/core/report';
import type { UsageRecord } from '../../src/core/types';
import { assertClose } from '../unit/report/helpers';
import { generateHistory } from '../util/recordFactory';
import { held, say } from './summary';

const now = new Date('2026-11-20T12:00:00.000Z');

/** Appends `recs` from another process, one append(2) per record, pausing 3 ms every 20 records. */
function appendInChild(dir: string, recs: UsageRecord[]): Promise<void> {
  const file = path.join(dir, 'pending.jsonl');
  fs.writeFileSync(file, recs.map(serializeRecord).join('\n') + '\n');
  const ledgerModule = path.resolve(__dirname, '..', '..', 'src', 'core', 'ledger');
  const script = `const {Ledger}=require(${JSON.stringify(ledgerModule)});const l=new Ledger(${JSON.stringify(dir)});
const pause=new Int32Array(new SharedArrayBuffer(4));let n=0;
for (const line of require('fs').readFileSync(${JSON.stringify(file)},'utf8').split('\\n')) { if (!line) continue; l.append(JSON.parse(line)); if (++n % 20 === 0) Atomics.wait(pause, 0, 0, 3); }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`appender exited ${code}`))));
  });
}

/** Rewrites bytes at `offset` of `file` in place (same length: the size does not change). */
function overwrite(file: string, offset: number, text: string): void {
  const fd = fs.openSync(file, 'r+');
  try { fs.writeSync(fd, Buffer.from(text), 0, Buffer.byteLength(text), offset); } finally { fs.closeSync(fd); }
}

describe('faults: ledger files appended and edited during a report', function () {
  this.timeout(180000);
  let dir: string;
  let recs: UsageRecord[];
  let ledger: Ledger;
  const month: ReportQuery = { kind: 'custom', now, start: new Date('2026-08-01T00:00:00.000Z'), end: new Date('2026-11-21T00:00:00.000Z'), timeZone: 'UTC' };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-fault-ledger-'));
    ledger = new Ledger(dir);
    recs = generateHistory({ count: 6000, days: 100, end: new Date('2026-11-20T00:00:00.000Z'), seed: 77 });
    for (const r of recs) ledger.append(r);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports run while another process appends: each counts what was there, none breaks, the last equals a fresh scan', async () => {
    const more = generateHistory({ count: 4000, days: 1, end: new Date('2026-11-20T11:00:00.000Z'), seed: 78 });
    const writing = appendInChild(dir, more);
    let done = false;
    void writing.then(() => { done = true; });
    let reports = 0;
    let last = -1;
    while (!done) {
      const opts = reports % 2 ? {} : { minParallelBytes: 0 }; // every other build on worker threads
      const rep = await buildReport(ledger, month, opts);
      assert.ok(rep.totals.requests >= recs.length && rep.totals.requests <= recs.length + more.length, `${rep.totals.requests} requests`);
      assert.ok(rep.totals.requests >= last, 'a later report never counts fewer appended records');
      assert.equal(rep.corruptLines, 0, 'a line being written is never counted as corrupt');
      last = rep.totals.requests;
      reports++;
    }
    await writing;
    say(`${reports} reports while ${more.length} records were appended by another process; counts rose ${recs.length} → ${last}`);
    assertClose(await buildReport(ledger, month), aggregate([...recs, ...more], month), 'after the appends');
    say('the report after the appends equals a fresh aggregate');
    held(`${reports} reports while another process appended ${more.length} records`, `every report finished, counts only rose (${recs.length} → ${last}), no line counted corrupt; the last equals a fresh aggregate`);
  });

  it('a same-length edit in the middle of an old file (no growth) is caught; so is one made while the current file grows', async () => {
    await buildReport(ledger, month); // rollups for every file
    const sept = ledgerFileInfo(dir, 'usage-2026-09.jsonl')!;
    const text = fs.readFileSync(sept.path, 'utf8');
    const victim = recs.filter((r) => r.ts.startsWith('2026-09-1') && r.cost.usd > 0.001)[3];
    const usd = JSON.stringify(victim.cost.usd);
    const bigger = `9.${'9'.repeat(usd.length)}`.slice(0, usd.length);
    const at = Buffer.byteLength(text.slice(0, text.indexOf(`"id":"${victim.id}"`)));
    const line = text.slice(text.indexOf(`"id":"${victim.id}"`));
    const rel = Buffer.byteLength(line.slice(0, line.indexOf(`"usd":${usd}`)));
    overwrite(sept.path, at + rel + '"usd":'.length, bigger);
    assert.equal(fs.statSync(sept.path).size, Buffer.byteLength(text), 'same length');
    let edited = recs.map((r) => (r.id === victim.id ? { ...r, cost: { ...r.cost, usd: Number(bigger) } } : r));
    const warnings: string[] = [];
    const rep = await buildReport(ledger, month, { onWarning: (m) => warnings.push(m) });
    assertClose(rep, aggregate(edited, month), 'after the in-place edit');
    assert.ok(warnings.some((w) => /changed inside the \d+ bytes it covers/.test(w)), warnings.join('\n'));
    say(`same-length edit of ${victim.id} in ${sept.name} (+$${(Number(bigger) - victim.cost.usd).toFixed(2)}): rollup rejected, report = fresh scan`);

    // the current month: an edit in its covered part while another process appends to it
    const nov = ledgerFileInfo(dir, 'usage-2026-11.jsonl')!;
    const novText = fs.readFileSync(nov.path, 'utf8');
    const v2 = recs.filter((r) => r.ts.startsWith('2026-11-0') && r.cost.usd > 0.001)[2];
    const u2 = JSON.stringify(v2.cost.usd);
    const b2 = `8.${'8'.repeat(u2.length)}`.slice(0, u2.length);
    const line2 = novText.slice(novText.indexOf(`"id":"${v2.id}"`));
    const at2 = Buffer.byteLength(novText.slice(0, novText.indexOf(`"id":"${v2.id}"`))) + Buffer.byteLength(line2.slice(0, line2.indexOf(`"usd":${u2}`))) + '"usd":'.length;
    const more = generateHistory({ count: 1500, days: 1, end: new Date('2026-11-20T11:00:00.000Z'), seed: 79 });
    const writing = appendInChild(dir, more);
    overwrite(nov.path, at2, b2);
    edited = edited.map((r) => (r.id === v2.id ? { ...r, cost: { ...r.cost, usd: Number(b2) } } : r));
    while (!(await Promise.race([writing.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))]))) await buildReport(ledger, month);
    assertClose(await buildReport(ledger, month), aggregate([...edited, ...more], month), 'edit + appends in the current file');
    say('same-length edit in the current month while another process appended 1500 records: final report = fresh scan');
    held('a same-length edit in the middle of an old month (size unchanged), and one in the current month while it grows', 'both rollups rejected ("changed inside the bytes it covers"); reports equal a fresh scan');
  });

  it('a file replaced the way editors save it (new inode), and a file cut short, are rebuilt from the ledger', async () => {
    await buildReport(ledger, month);
    const oct = ledgerFileInfo(dir, 'usage-2026-10.jsonl')!;
    const lines = fs.readFileSync(oct.path, 'utf8').split('\n').filter(Boolean);
    const dropped = JSON.parse(lines[10]) as UsageRecord;
    fs.writeFileSync(`${oct.path}.tmp`, [...lines.slice(0, 10), ...lines.slice(11)].join('\n') + '\n');
    fs.renameSync(`${oct.path}.tmp`, oct.path);
    const kept = recs.filter((r) => r.id !== dropped.id);
    assertClose(await buildReport(ledger, month), aggregate(kept, month), 'after an editor-style save');
    say(`${oct.name} saved by "an editor" without one record: report = fresh scan`);
    fs.truncateSync(oct.path, Math.floor(fs.statSync(oct.path).size / 2));
    const load = await loadRange(ledger, { startMs: Date.parse('2026-10-01T00:00:00Z'), endMs: Date.parse('2026-11-01T00:00:00Z'), zone: 'UTC' });
    const t = tabulate(load.buckets, { inRange: () => true, groupBy: 'month', weekStartsOn: 1 });
    const stillThere = fs.readFileSync(oct.path, 'utf8').split('\n').filter((l) => l.endsWith('}')).length;
    assert.equal(t.totals.requests, stillThere, 'only what is left is counted');
    assert.ok(load.unreadable <= 1, 'at most the cut line is unreadable');
    say(`${oct.name} cut in half: the report counts the ${stillThere} records left`);
    held('a month file saved by an editor (new inode, one record less), then cut in half', `rebuilt both times: report = fresh scan, then the ${stillThere} records left`);
  });
});
