// Fault injection for the CLI's input: a 700 MB line on stdin (before: RangeError, and the valid line after
// it was never read) is skipped with a message while memory stays bounded (the child runs with a 200 MB
// heap), and the next line is recorded.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger } from '../../src/core/ledger';
import { held, say } from './summary';

const CLI = path.resolve(__dirname, '../../src/cli.js');

describe('faults: the CLI reading hostile input', function () {
  this.timeout(180_000);

  it('a 700 MB line then a valid one: the long line is skipped, the valid one recorded, the heap stays under 200 MB', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-fault-cli-'));
    try {
      const child = spawn(process.execPath, ['--max-old-space-size=200', CLI, 'record', '--ledger', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => { stderr += d; });
      child.stdout.on('data', (d) => { stdout += d; });
      const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const t0 = Date.now();
      const piece = Buffer.alloc(1024 * 1024, 'a');
      child.stdin.write('{"model":"gpt-5-mini","tokens":{"input":1,"output":1},"error":"');
      for (let i = 0; i < 700; i++) {
        if (!child.stdin.write(piece)) await new Promise((r) => child.stdin.once('drain', r));
      }
      child.stdin.end('"}\n{"model":"gpt-5-mini","tokens":{"input":300,"output":20}}\n');
      const code = await done;
      assert.equal(code, 1, stderr);
      assert.match(stderr, /line 1: the line is 7340\d{5} bytes, longer than the 4194304 a record may take; skipped/);
      assert.doesNotMatch(stderr, /RangeError|heap/);
      const recs: unknown[] = [];
      for await (const r of new Ledger(dir).records()) recs.push(r);
      assert.equal(recs.length, 1);
      assert.match(stdout, /^recorded /);
      say(`700 MB line + a valid line piped to \`rightsize record\` (200 MB heap): long line skipped with a message, valid line recorded, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      held('a 700 MB stdin line, then a valid one, into `rightsize record` with a 200 MB heap', `long line skipped with a message (no RangeError), the valid line recorded, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
