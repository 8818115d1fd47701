// A line being appended while a report reads is not "unreadable": a write that crosses a page boundary can
// be seen half done (the file's size already covers part of it), and the next read sees it whole. The
// reader counts an unparsable unterminated last line as torn only when the file has not grown past it.
// (Before: such a line was counted as torn, and a report run during appends said "1 unreadable line".)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyReadStats, readBatches, serializeRecord, unreadableLines } from '../../../src/core/ledger';
import { makeRecord } from '../../util/recordFactory';

describe('ledger reader: a line in flight is not a torn line', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-torn-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function read(file: string, to?: number): Promise<{ records: number; unreadable: number; torn: number }> {
    const stats = emptyReadStats();
    let records = 0;
    for await (const b of readBatches(file, stats, to === undefined ? {} : { to })) records += b.records.length;
    return { records, unreadable: unreadableLines(stats), torn: stats.tornTail };
  }

  it('the file already holds more than was read (the half line is being written): not counted', async () => {
    const file = path.join(dir, 'usage-2026-11.jsonl');
    const lines = [makeRecord(), makeRecord(), makeRecord()].map(serializeRecord);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const halfway = Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`) + Math.floor(Buffer.byteLength(lines[2]) / 2);
    const r = await read(file, halfway);
    assert.deepEqual(r, { records: 2, unreadable: 0, torn: 0 });
  });

  it('the rest of the line arrives within moments of the read: not counted', async () => {
    const file = path.join(dir, 'usage-2026-11.jsonl');
    const lines = [makeRecord(), makeRecord()].map(serializeRecord);
    const cut = Math.floor(lines[1].length / 2);
    fs.writeFileSync(file, `${lines[0]}\n${lines[1].slice(0, cut)}`);
    const reading = read(file);
    setTimeout(() => fs.appendFileSync(file, `${lines[1].slice(cut)}\n`), 1);
    const r = await reading;
    assert.equal(r.torn, 0, JSON.stringify(r));
    assert.equal(r.unreadable, 0);
  });

  it('a torn line that stays torn (a writer killed mid-write) is still counted', async () => {
    const file = path.join(dir, 'usage-2026-11.jsonl');
    fs.writeFileSync(file, `${serializeRecord(makeRecord())}\n{"v":1,"id":"torn-`);
    const r = await read(file);
    assert.deepEqual(r, { records: 1, unreadable: 1, torn: 1 });
  });
});
