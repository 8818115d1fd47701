// `record` never says yes and loses the record: strict dates (a real calendar date in 1970–9999), one
// maximum record size on both sides, stdin read line by line with a cap, the documented unknown-model
// form, energy ranges that contain their value; and EPIPE (`record | head -1`) is a normal end.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/ledger';
import type { UsageRecord } from '../../../src/core/types';
import { cli } from './cliHarness';

const CLI = path.resolve(__dirname, '../../../src/cli.js');
const ok = (extra: Record<string, unknown> = {}): string => JSON.stringify({ model: 'gpt-5-mini', tokens: { input: 300, output: 20 }, ...extra });

async function stored(dir: string): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for await (const r of new Ledger(dir).records()) out.push(r);
  return out;
}

describe('cli hardening', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-hard-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('record refuses timestamps the ledger would file where no reader looks, or that are no calendar date', async () => {
    const bad = ['1', '2026-02-30T10:00:00Z', '+010000-01-01T00:00:00Z', '10000-01-01T00:00:00Z', '-000001-06-01T00:00:00Z', '2026-13-01', '2026-04-31', '2026-06-01T24:00:00Z', '1969-12-31T23:59:59Z'];
    const r = await cli(['record', '--ledger', dir], bad.map((ts) => ok({ ts })).join('\n') + '\n' + ok({ ts: '2028-02-29T12:00:00Z' }) + '\n');
    assert.equal(r.code, 1, 'bad lines make the exit status 1');
    for (let i = 1; i <= bad.length; i++) assert.match(r.stderr, new RegExp(`line ${i}: "ts" .*; skipped`), r.stderr);
    assert.match(r.stderr, /2026-02-30 is not a calendar date/);
    assert.match(r.stderr, /year 10000 is outside 1970–9999|not an ISO 8601/);
    const names = fs.readdirSync(dir).filter((n) => n.startsWith('usage-'));
    assert.deepEqual(names, ['usage-2028-02.jsonl'], 'only the leap day was recorded');
    assert.equal((await stored(dir)).length, 1);
  });

  it('report and export refuse impossible --since/--until dates and date-times', async () => {
    for (const since of ['2026-13-45', '2026-02-30', '2026-02-30T00:00:00Z', '10000-01-01']) {
      const r = await cli(['report', '--ledger', dir, '--since', since]);
      assert.equal(r.code, 2, `--since ${since}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /not a calendar date|not a date|outside|must be a date/);
    }
  });

  it('a line longer than a record may be is skipped with a message, and the line after it is recorded', async () => {
    const huge = ok({ error: 'x'.repeat(40 * 1024 * 1024) });
    const r = await cli(['record', '--ledger', dir], `${ok()}\n${huge}\n${ok()}\n`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 2: the line is \d+ bytes, longer than the 4194304 a record may take; skipped/);
    assert.equal((await stored(dir)).length, 2, 'the lines around it are recorded');
  });

  it('a record the ledger cannot hold is not acknowledged', async () => {
    const r = await cli(['record', '--ledger', dir], `${ok({ workspace: { id: 'w', name: 'n'.repeat(4 * 1024 * 1024 - 400) } })}\n`);
    assert.equal(r.code, 1, r.stdout);
    assert.doesNotMatch(r.stdout, /recorded/);
    assert.match(r.stderr, /more than the 4194304 a ledger line may hold; not recorded/);
    assert.equal((await stored(dir)).length, 0);
  });

  it('the documented unknown-model form works without carbon; energy ranges must contain their value', async () => {
    const unknown = JSON.stringify({ model: { id: 'my-llm', provider: 'openai-compatible', location: 'local' }, tokens: { input: 10, output: 5 }, energy: { wh: 0.5 }, cost: { usd: 0 } });
    const r = await cli(['record', '--ledger', dir, '--json'], unknown + '\n');
    assert.equal(r.code, 0, r.stderr);
    const rec = JSON.parse(r.stdout) as UsageRecord;
    assert.equal(rec.model.id, 'my-llm');
    assert.ok(rec.carbon.g > 0 && Math.abs(rec.carbon.g - (0.5 / 1000) * rec.carbon.gPerKwh) < 1e-12);
    const inverted = await cli(['record', '--ledger', dir], ok({ energy: { wh: 1, low: 2, high: 3 }, cost: { usd: 0.01 } }) + '\n');
    assert.equal(inverted.code, 1);
    assert.match(inverted.stderr, /low <= wh <= high/);
  });

  it('negative and huge numbers, inverted energy ranges and other schema versions in ledger lines are not read, and all count as unreadable', async () => {
    const r = await cli(['record', '--ledger', dir, '--json'], ok() + '\n');
    const rec = JSON.parse(r.stdout) as UsageRecord;
    const file = path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('usage-'))!);
    fs.appendFileSync(file, [
      JSON.stringify({ ...rec, id: 'neg', tokens: { ...rec.tokens, input: -4900 } }),
      JSON.stringify({ ...rec, id: 'huge', cost: { ...rec.cost, usd: 1e308 } }),
      JSON.stringify({ ...rec, id: 'inverted', energy: { ...rec.energy, wh: 1, low: 2, high: 3 } }),
      JSON.stringify({ ...rec, id: 'from-a-newer-writer', v: 2 }),
    ].join('\n') + '\n');
    // Twice: the first report scans the file (and writes its rollup), the second reads the rollup.
    for (const pass of ['scan', 'rollup']) {
      const rep = await cli(['report', '--ledger', dir, '--since', 'all', '--json']);
      assert.equal(rep.code, 0, rep.stderr);
      const j = JSON.parse(rep.stdout);
      assert.equal(j.totals.requests, 1, `${pass}: only the valid record is counted`);
      assert.ok(j.totals.inputTokens >= 0 && j.totals.usd < 1, `${pass}: ${JSON.stringify(j.totals)}`);
      assert.equal(j.unreadableLines, 4, `${pass}: the four lines (schema version 2 included) are counted as unreadable`);
    }
    const text = await cli(['report', '--ledger', dir, '--since', 'all']);
    assert.match(text.stdout, /4 unreadable ledger line\(s\) were skipped/);
  });

  /** Runs the CLI and closes its stdout after the first chunk, as `| head -1` does. */
  const headOne = (args: string[], stdin: string) => new Promise<{ code: number | null; stderr: string; first: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.once('data', (d) => { first = String(d).split('\n')[0]; child.stdout.destroy(); });
    child.on('exit', (code) => resolve({ code, stderr, first }));
    child.stdin.end(stdin);
  });
  const lines = (n: number): string => Array.from({ length: n }, () => ok()).join('\n') + '\n';

  it('EPIPE is a normal end: `record | head -1` exits quietly, and every record is kept', async () => {
    const rec = await headOne(['record', '--ledger', dir], lines(3000));
    assert.match(rec.first, /^recorded /);
    assert.equal(rec.stderr, '', 'no stack trace');
    assert.equal(rec.code, 0);
    assert.equal((await stored(dir)).length, 3000, 'the records after the reader left are recorded too');
  });

  it('EPIPE is a normal end: `export | head -1` exits quietly', async () => {
    await cli(['record', '--ledger', dir], lines(3000));
    for (const format of ['csv', 'json']) {
      const exp = await headOne(['export', '--ledger', dir, '--format', format, '--since', '2000-01-01'], '');
      assert.ok(exp.first.length > 0, `${format}: something was exported`);
      assert.doesNotMatch(exp.stderr, /EPIPE|Error|\n\s+at /, `${format}: no stack trace`);
      assert.equal(exp.code, 0, format);
    }
  });
});
