// Rollups kept by the writer (rollupWriter.ts) must say exactly what a full scan of the ledger says, after
// appends one by one and in batches, with another process appending to the same file in between, with a
// torn line left by a killed writer, and with the ledger edited behind the writer's back; and the first
// report after the writes must read them without re-reading the ledger.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger, ledgerFileName, serializeRecord } from '../../../src/core/ledger';
import { RollupStore, RollupWriter, aggregate, buildReport, tabulate } from '../../../src/core/report';
import type { ReportQuery, Table } from '../../../src/core/report';
import type { UsageRecord } from '../../../src/core/types';
import { generateHistory, makeRecord } from '../../util/recordFactory';
import { assertClose, withTimeZone } from './helpers';

describe('report/rollupWriter: rollups maintained on append', function () {
  this.timeout(60000);
  withTimeZone('America/New_York');
  const now = new Date('2025-06-18T16:00:00.000Z');
  let dir: string;
  let warnings: string[];
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-rwriter-')); warnings = []; });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Every table of a full scan (no rollups: a fresh directory, read only) vs the rollups left in `dir`. */
  async function assertRollupsEqualScan(recs: UsageRecord[], where: string, corrupt = 0): Promise<void> {
    const ledger = new Ledger(dir);
    const fresh = await new RollupStore(ledger, 'local', { readOnly: true, rollupDir: fs.mkdtempSync(path.join(os.tmpdir(), 'rs-rwriter-scan-')) }).loadAll(ledger.files());
    const kept = await new RollupStore(ledger, 'local', { readOnly: true }).loadAll(ledger.files());
    for (const a of kept) {
      assert.equal(a.source, 'rollup', `${where}: a rollup was there`);
      assert.equal(a.verifiedBy, 'metadata', `${where}: the rollup matches the file's size and mtime (no ledger bytes read)`);
      assert.equal(a.scannedBytes, 0, where);
    }
    assert.ok(fresh.every((a) => a.source === 'built'));
    const table = (bs: typeof kept, groupBy: 'day' | 'model' | 'session' | 'task'): Table => tabulate(bs.map((a) => a.buckets), { inRange: () => true, groupBy, weekStartsOn: 1, breakdown: groupBy === 'task' ? undefined : 'workspace' });
    for (const g of ['day', 'model', 'session', 'task'] as const) assert.deepEqual(table(kept, g), table(fresh, g), `${where}: by ${g}`);
    const q: ReportQuery = { kind: 'custom', now };
    const rep = await buildReport(ledger, q, { readOnly: true });
    assert.equal(rep.corruptLines, corrupt, where);
    assertClose({ ...rep, corruptLines: 0 }, aggregate(recs, q), `${where}: report vs records`);
    assert.equal(kept.reduce((n, a) => n + a.stats.records, 0), recs.length, where);
  }

  it('append and appendMany, another writer in between, a torn line, a new month: rollups equal a full scan', async () => {
    const recs = generateHistory({ count: 1200, days: 40, end: now, seed: 5 });
    const ledger = new Ledger(dir, { onWarning: (m) => warnings.push(m) });
    const writer = new RollupWriter(ledger, { onWarning: (m) => warnings.push(m), debounceMs: 1 }).attach();
    const other = new Ledger(dir); // another window or the CLI: no writer of its own
    const written: UsageRecord[] = [];
    ledger.append(recs[0]); written.push(recs[0]);
    await writer.flush(); // the first append finds no rollup: built in the background
    for (let i = 1; i < 600; i++) { ledger.append(recs[i]); written.push(recs[i]); }
    await writer.flush();
    await assertRollupsEqualScan(written, 'after single appends');
    assert.ok(writer.counts.continued > 100, JSON.stringify(writer.counts));

    ledger.appendMany(recs.slice(600, 900)); written.push(...recs.slice(600, 900));
    for (let i = 900; i < 950; i++) { other.append(recs[i]); written.push(recs[i]); } // foreign appends
    for (let i = 950; i < 1000; i++) { ledger.append(recs[i]); written.push(recs[i]); }
    await writer.flush();
    await assertRollupsEqualScan(written, 'after a batch and foreign appends');

    // a writer killed mid-line: a torn, unterminated record; the next append terminates it
    const last = path.join(dir, ledgerFileName(Date.parse(recs[999].ts)));
    fs.appendFileSync(last, serializeRecord(recs[1000]).slice(0, 120));
    for (let i = 1001; i < 1200; i++) { ledger.append(recs[i]); written.push(recs[i]); }
    await writer.flush();
    await assertRollupsEqualScan(written, 'after a torn line', 1);
    const kept = await new RollupStore(ledger, 'local', { readOnly: true }).loadAll(ledger.files());
    assert.equal(kept.reduce((n, a) => n + a.stats.corruptLines, 0), 1, 'the torn line is counted once');

    // next month: a new file
    const july = makeRecord({ ts: '2025-07-02T10:00:00.000Z' });
    ledger.append(july); written.push(july);
    await writer.flush();
    await assertRollupsEqualScan(written, 'after a new month', 1);
    await writer.dispose();
    assert.equal(ledger.observer, undefined);
  });

  it('an edit behind the writer\'s back (same length) is caught: the writer resyncs, the rollup follows the file', async () => {
    const recs = generateHistory({ count: 300, days: 5, end: now, seed: 8 });
    const ledger = new Ledger(dir);
    const writer = new RollupWriter(ledger, { debounceMs: 1, onWarning: (m) => warnings.push(m) }).attach();
    for (const r of recs.slice(0, 200)) ledger.append(r);
    await writer.flush();
    const file = path.join(dir, ledgerFileName(Date.parse(recs[0].ts)));
    const text = fs.readFileSync(file, 'utf8');
    const victim = recs[10];
    const usd = JSON.stringify(victim.cost.usd);
    const bigger = `9.${'9'.repeat(usd.length)}`.slice(0, usd.length);
    const at = text.indexOf(`"id":"${victim.id}"`);
    fs.writeFileSync(file, text.slice(0, at) + text.slice(at).replace(`"usd":${usd}`, `"usd":${bigger}`));
    const edited = recs.map((r) => (r.id === victim.id ? { ...r, cost: { ...r.cost, usd: Number(bigger) } } : r));
    for (const r of recs.slice(200)) ledger.append(r);
    await writer.flush();
    assert.ok(warnings.some((w) => /changed inside the \d+ bytes it covers/.test(w)), warnings.join('\n'));
    await assertRollupsEqualScan(edited, 'after an edit');
  });

  it('the first report after writes reads only rollups; without a writer it verifies and scans the tail', async () => {
    const recs = generateHistory({ count: 800, days: 20, end: now, seed: 9 });
    const ledger = new Ledger(dir);
    for (const r of recs.slice(0, 700)) ledger.append(r);
    await buildReport(ledger, { kind: 'custom', now }); // rollups built
    const writer = new RollupWriter(ledger, { debounceMs: 1 }).attach();
    for (const r of recs.slice(700, 750)) ledger.append(r);
    await writer.flush();
    const store = new RollupStore(ledger, 'local', { readOnly: true });
    const aggs = await store.loadAll(ledger.files());
    assert.ok(aggs.every((a) => a.verifiedBy === 'metadata' && a.scannedBytes === 0), JSON.stringify(aggs.map((a) => [a.verifiedBy, a.scannedBytes])));
    await writer.dispose();
    for (const r of recs.slice(750)) new Ledger(dir).append(r); // a writer without upkeep
    const after = await new RollupStore(ledger, 'local', { readOnly: true }).loadAll(ledger.files());
    assert.ok(after.some((a) => a.verifiedBy === 'checksum' && a.scannedBytes > 0));
    assertClose(await buildReport(ledger, { kind: 'custom', now }), aggregate(recs, { kind: 'custom', now }), 'report');
  });
});
