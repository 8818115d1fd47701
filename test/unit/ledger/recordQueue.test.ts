// A record that can never be written does not stop the ledger: it is quarantined with its reason and the
// records behind it are written. A failing disk keeps records queued, in order, until it works again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger, MAX_RECORD_BYTES, QUARANTINE_FILE, UnwritableRecordError } from '../../../src/core/ledger';
// The window's sink (src/vscode/recordSink.ts) is the core's RecordQueue.
import { RecordSink as RecordQueue } from '../../../src/vscode/recordSink';
import type { UsageRecord } from '../../../src/core/types';
import { makeRecord } from '../../util/recordFactory';

async function all(ledger: Ledger): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for await (const r of ledger.records()) out.push(r);
  return out;
}

describe('ledger/RecordQueue and quarantine', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-queue-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an invalid record (usd = Infinity) is quarantined with its reason; the records before and after are written', async () => {
    const ledger = new Ledger(dir);
    const errors: string[] = [];
    const queue = new RecordQueue(() => ledger, (m) => errors.push(m));
    const good1 = makeRecord({ ts: '2026-03-02T10:00:00.000Z' });
    const poison = makeRecord({ ts: '2026-03-02T10:01:00.000Z' });
    poison.cost = { ...poison.cost, usd: Number.POSITIVE_INFINITY };
    const good2 = makeRecord({ ts: '2026-03-02T10:02:00.000Z' });
    const good3 = makeRecord({ ts: '2026-03-02T10:03:00.000Z' });
    for (const r of [good1, poison, good2, good3]) queue.append(r);
    assert.equal(queue.pendingCount, 0, 'nothing waits behind the bad record');
    assert.deepEqual((await all(ledger)).map((r) => r.id), [good1.id, good2.id, good3.id]);
    const q = fs.readFileSync(path.join(dir, QUARANTINE_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(q.length, 1);
    assert.equal(q[0].reason, 'cost.usd must be a finite number');
    assert.equal(q[0].record.id, poison.id);
    assert.equal(q[0].record.cost.usd, 'Infinity', 'the odd number stays visible');
    assert.equal(queue.quarantined, 1);
    assert.equal(errors.length, 1);
    assert.ok(errors[0].includes(path.join(dir, QUARANTINE_FILE)) && errors[0].includes('cost.usd'), errors[0]);
  });

  it('a record too large for a ledger line is refused (readers would skip it) and quarantined, cut to 256 KiB', async () => {
    const ledger = new Ledger(dir);
    const big = makeRecord({ ts: '2026-03-02T10:00:00.000Z' });
    big.error = 'x'.repeat(MAX_RECORD_BYTES);
    assert.throws(() => ledger.append(big), (e: unknown) => e instanceof UnwritableRecordError && /more than the 4194304/.test(e.reason));
    const queue = new RecordQueue(() => ledger, () => undefined);
    queue.append(big);
    queue.append(makeRecord({ ts: '2026-03-02T10:05:00.000Z' }));
    assert.equal((await all(ledger)).length, 1);
    const entry = JSON.parse(fs.readFileSync(path.join(dir, QUARANTINE_FILE), 'utf8'));
    assert.equal(typeof entry.recordText, 'string');
    assert.equal(Buffer.byteLength(entry.recordText), 256 * 1024);
  });

  it('one maximum on both sides: the largest record a writer accepts is read back', async () => {
    const ledger = new Ledger(dir);
    const r = makeRecord({ ts: '2026-03-02T10:00:00.000Z' });
    const base = Buffer.byteLength(JSON.stringify({ ...r, error: '' })) + 1; // + '\n'
    r.error = 'y'.repeat(MAX_RECORD_BYTES - base);
    ledger.append(r);
    const back = await all(ledger);
    assert.equal(back.length, 1, 'a record at the limit is readable');
    assert.equal(back[0].error!.length, r.error.length);
    r.error += 'y';
    assert.throws(() => ledger.append(r), UnwritableRecordError, 'one byte more is refused');
  });

  it('a failing write keeps the records queued in order, and they are written once the ledger works again', async () => {
    let broken = true;
    const ledger = new Ledger(dir);
    const flaky = { ...ledger, append: (rec: UsageRecord) => { if (broken) throw new Error('ENOSPC: no space left on device'); ledger.append(rec); }, quarantine: ledger.quarantine.bind(ledger) } as unknown as Ledger;
    const errors: string[] = [];
    const queue = new RecordQueue(() => flaky, (m) => errors.push(m));
    const recs = [0, 1, 2].map((i) => makeRecord({ ts: `2026-03-02T10:0${i}:00.000Z` }));
    queue.append(recs[0]);
    queue.append(recs[1]);
    assert.equal(queue.pendingCount, 2);
    assert.equal(errors.length, 1, 'told once');
    assert.match(errors[0], /ENOSPC.*1 record\(s\) kept/);
    broken = false;
    queue.append(recs[2]);
    assert.equal(queue.pendingCount, 0);
    assert.deepEqual((await all(ledger)).map((r) => r.id), recs.map((r) => r.id));
    assert.equal(fs.existsSync(path.join(dir, QUARANTINE_FILE)), false, 'a failed write is not a reason to quarantine');
  });
});
