import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanMarkedLines, ScanStats } from '../../../src/core/import/lineScan';
import { tempDir } from './helpers';

async function scan(text: string | Buffer, opts: { from?: number; chunkBytes?: number; maxLineBytes?: number } = {}) {
  const dir = tempDir('scan');
  const file = path.join(dir, 'f.jsonl');
  fs.writeFileSync(file, text);
  const stats: ScanStats = { bytes: 0, lines: 0, overlong: 0 };
  const lines: Array<[string, number, number]> = [];
  const end = await scanMarkedLines(file, ['"usage"', 'MARK'], { from: opts.from ?? 0, chunkBytes: opts.chunkBytes, maxLineBytes: opts.maxLineBytes }, stats, (t, o, n) => lines.push([t, o, n]));
  fs.rmSync(dir, { recursive: true, force: true });
  return { lines, end, stats };
}

describe('import/lineScan', function () {
  it('hands over only complete marked lines, with their offsets, at any chunk size', async function () {
    const text = 'a\n{"usage":1}\nnothing here\nMARK and "usage"\r\nx MARK\n';
    for (const chunkBytes of [1, 3, 7, 4096]) {
      const { lines, end } = await scan(text, { chunkBytes });
      assert.deepEqual(lines.map((l) => l[0]), ['{"usage":1}', 'MARK and "usage"', 'x MARK'], `chunk ${chunkBytes}`);
      assert.deepEqual(lines.map((l) => text.slice(l[1], l[2])), ['{"usage":1}\n', 'MARK and "usage"\r\n', 'x MARK\n']);
      assert.equal(end, text.length);
    }
  });

  it('leaves an unterminated last line for the next read, and starts at an offset', async function () {
    const text = 'MARK 1\nMARK 2 still being writ';
    const { lines, end } = await scan(text, { chunkBytes: 4 });
    assert.deepEqual(lines.map((l) => l[0]), ['MARK 1']);
    assert.equal(end, 7);
    const later = await scan('MARK 1\nMARK 2\n', { from: 7 });
    assert.deepEqual(later.lines.map((l) => l[0]), ['MARK 2']);
  });

  it('skips a line longer than the limit and goes on after it', async function () {
    const long = `MARK ${'x'.repeat(100_000)}`;
    const { lines, stats } = await scan(`${long}\nMARK after\n`, { chunkBytes: 1024, maxLineBytes: 8192 });
    assert.deepEqual(lines.map((l) => l[0]), ['MARK after']);
    assert.equal(stats.overlong, 1);
  });

  it('keeps multi-byte characters whole across chunk boundaries', async function () {
    const text = `MARK ${'é€😀'.repeat(50)}\n`;
    const { lines } = await scan(Buffer.from(text, 'utf8'), { chunkBytes: 5 });
    assert.equal(lines[0][0], text.slice(0, -1));
  });
});
