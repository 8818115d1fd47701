// The status line's cache (src/cli/statuslineTotals.ts): every state it can be in gives the figures the
// records themselves give (summed here straight from the records, by local day, ISO week and month), and
// the cache answers (the rollups are not read: deleted rollup files stay deleted) exactly when it may.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger, ledgerFileName, serializeRecord } from '../../../src/core/ledger';
import { periodRange } from '../../../src/core/report';
import type { UsageRecord } from '../../../src/core/types';
import { REVERIFY_MS, cachePath } from '../../../src/cli/statuslineTotals';
import { formatPercent } from '../../../src/core/format';
import { generateHistory, makeRecord } from '../../util/recordFactory';
import { withTimeZone } from '../report/helpers';
import { cli } from './cliHarness';

interface Usage { tokens: number; wh: number; usd: number; gco2e: number; requests: number }

/** Today's usage of `ws` (all when undefined), from the records. */
function today(recs: UsageRecord[], ws: string | undefined, now: Date): Usage {
  const { start, end } = periodRange('day', now);
  const u: Usage = { tokens: 0, wh: 0, usd: 0, gco2e: 0, requests: 0 };
  for (const r of recs) {
    const ms = Date.parse(r.ts);
    if (ms < start.getTime() || ms >= end.getTime() || (ws !== undefined && r.workspace.id !== ws)) continue;
    u.tokens += r.tokens.input + r.tokens.output;
    u.wh += r.energy.wh;
    u.usd += r.cost.usd;
    u.gco2e += r.carbon.g;
    u.requests += 1;
  }
  return u;
}

function assertUsage(actual: Usage, expected: Usage, what: string): void {
  assert.equal(actual.requests, expected.requests, `${what}: requests`);
  for (const k of ['tokens', 'wh', 'usd', 'gco2e'] as const) {
    assert.ok(Math.abs(actual[k] - expected[k]) <= 1e-9 * Math.max(1, expected[k]), `${what}: ${k} ${actual[k]} vs ${expected[k]}`);
  }
}

describe('cli: statusline cache', function () {
  this.timeout(60000);
  withTimeZone('America/New_York');
  let dir: string;
  let recs: UsageRecord[];
  let ledger: Ledger;
  const now = (): Date => new Date();
  const rollupFiles = (): string[] => { try { return fs.readdirSync(path.join(dir, 'rollups')).filter((f) => f.endsWith('.rollup.json')); } catch { return []; } };
  const dropRollups = (): void => { for (const f of rollupFiles()) fs.rmSync(path.join(dir, 'rollups', f)); };
  const status = async (ws?: string): Promise<Usage> => {
    const r = await cli(['statusline', '--ledger', dir, '--json', ...(ws ? ['--workspace', ws] : ['--all'])]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { day: Usage }).day;
  };
  const check = async (what: string): Promise<void> => {
    assertUsage(await status(), today(recs, undefined, now()), `${what}, all workspaces`);
    for (const ws of ['ws-alpha', 'ws-beta', 'ws-gamma']) assertUsage(await status(ws), today(recs, ws, now()), `${what}, ${ws}`);
  };
  const todayRecord = (i: number, usd: number): UsageRecord => makeRecord({ id: `t-${i}-${Date.now()}`, ts: new Date(Date.now() - 1000).toISOString(), workspace: { id: 'ws-beta', name: 'beta' }, cost: { usd, method: 'x' } });
  const currentFile = (): string => path.join(dir, ledgerFileName(Date.now() - 1000));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-slcache-'));
    recs = generateHistory({ count: 900, days: 45, end: new Date(Date.now() - 2000), seed: 7 });
    ledger = new Ledger(dir);
    for (const r of recs) ledger.append(r);
    for (let i = 0; i < 2; i++) { const r = todayRecord(100 + i, 0.25); ledger.append(r); recs.push(r); }
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the first run reads the rollups and writes the cache; later runs answer from it without the rollups', async () => {
    await check('first run');
    assert.ok(fs.existsSync(cachePath(dir)), 'cache written');
    assert.ok(rollupFiles().length > 0, 'rollups built');
    dropRollups();
    await check('from the cache');
    assert.deepEqual(rollupFiles(), [], 'the rollups were not read (none rebuilt)');
  });

  it('records appended since are read from where the cache stopped and added, once', async () => {
    await status();
    dropRollups();
    for (let i = 0; i < 3; i++) { const r = todayRecord(i, 0.5 + i); ledger.append(r); recs.push(r); }
    await check('after 3 appends');
    await check('again (the cache moved on: nothing counted twice)');
    assert.deepEqual(rollupFiles(), [], 'answered from the cache and the appended lines');
  });

  it('an unterminated last line counts but is not cached; once terminated it counts once', async () => {
    await status();
    dropRollups();
    const half = todayRecord(1, 2.25);
    fs.appendFileSync(currentFile(), serializeRecord(half)); // a writer's line, not yet terminated
    recs.push(half);
    await check('with an unterminated complete record');
    await check('again');
    const next = todayRecord(2, 1.5);
    ledger.append(next); // terminates the line first, then appends
    recs.push(next);
    await check('after the line was terminated and another appended');
    assert.deepEqual(rollupFiles(), []);
  });

  it('an edit that keeps the file\'s length is not trusted: the rollups are read again', async () => {
    await status();
    const file = currentFile();
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l && today([JSON.parse(l) as UsageRecord], undefined, now()).requests === 1);
    assert.ok(i >= 0, 'a record of today in the current file');
    const r = JSON.parse(lines[i]) as UsageRecord;
    const usdText = JSON.stringify(r.cost.usd);
    const last = Number(usdText[usdText.length - 1]);
    const edited = { ...r, cost: { ...r.cost, usd: Number(usdText.slice(0, -1) + String(last === 9 ? 8 : last + 1)) } };
    lines[i] = serializeRecord(edited);
    const newText = lines.join('\n');
    assert.equal(newText.length, text.length, 'the edit keeps the length');
    fs.writeFileSync(file, newText);
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    recs = recs.map((x) => (x.id === r.id ? edited : x));
    await check('after the edit');
  });

  it('growth is trusted only for a while after the rollups verified the cache', async () => {
    await status();
    dropRollups();
    const c = JSON.parse(fs.readFileSync(cachePath(dir), 'utf8')) as { verifiedMs: number };
    c.verifiedMs = Date.now() - REVERIFY_MS - 1000;
    fs.writeFileSync(cachePath(dir), JSON.stringify(c));
    assertUsage(await status(), today(recs, undefined, now()), 'old cache, nothing appended: still used');
    assert.deepEqual(rollupFiles(), []);
    const r = todayRecord(1, 3);
    ledger.append(r);
    recs.push(r);
    await check('old cache, appended');
    assert.ok(rollupFiles().length > 0, 'the rollups were read (and rebuilt) instead');
  });

  it('a cache made in another time zone, or a corrupt one, is not used', async () => {
    await status();
    dropRollups();
    process.env.TZ = 'Asia/Tokyo';
    try {
      await check('Tokyo');
      assert.ok(rollupFiles().some((f) => f.includes('Tokyo')), 'Tokyo\'s rollups were read');
    } finally {
      process.env.TZ = 'America/New_York';
    }
    fs.writeFileSync(cachePath(dir), '{"format":1,"zone":');
    await check('corrupt cache');
  });
});

describe('cli: statusline as Claude Code runs it (the built dist/cli.js, JSON on a pipe)', function () {
  this.timeout(60000);
  const bundle = path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
  it('finds the workspace from the piped JSON, counts what was appended between prompts, and shows the budget', function () {
    if (!fs.existsSync(bundle)) this.skip();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { workspaceIdForFolder } = require('../../../src/cli/workspaceOption') as typeof import('../../../src/cli/workspaceOption');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-slpipe-'));
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-slproj-'));
    try {
      fs.mkdirSync(path.join(project, '.vscode'));
      fs.mkdirSync(path.join(project, 'src'));
      fs.writeFileSync(path.join(project, '.vscode', 'settings.json'), '{ "rightsize.budget.day.usd": 4 }\n');
      const ledger = new Ledger(dir);
      const ws = { id: workspaceIdForFolder(project), name: 'proj' };
      const input = JSON.stringify({ session_id: 's', workspace: { current_dir: path.join(project, 'src') } });
      const run = (): string => {
        const r = spawnSync(process.execPath, [bundle, 'statusline', '--ledger', dir], { input, encoding: 'utf8', cwd: os.tmpdir() });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      for (let i = 1; i <= 3; i++) {
        ledger.append(makeRecord({ ts: new Date(Date.now() - 500).toISOString(), workspace: ws, cost: { usd: 0.5, method: 'x' } }));
        ledger.append(makeRecord({ ts: new Date(Date.now() - 500).toISOString(), workspace: { id: 'other', name: 'other' }, cost: { usd: 9, method: 'x' } }));
        const line = run();
        assert.ok(line.startsWith('today ') && line.endsWith(` · $${(0.5 * i).toFixed(2)} · ${formatPercent(0.125 * i)} of $4.00/day\n`), `after ${i} request(s): ${line}`);
      }
      assert.ok(fs.existsSync(cachePath(dir)), 'answered from the cache after the first prompt');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('cli: reading commands leave the ledger as it is', function () {
  this.timeout(30000);
  it('report and statusline count the complete records of a file with a torn last line and do not touch the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-readonly-'));
    try {
      const ledger = new Ledger(dir);
      const ts = new Date(Date.now() - 1000).toISOString();
      for (let i = 0; i < 4; i++) ledger.append(makeRecord({ ts, cost: { usd: 1, method: 'x' } }));
      const file = path.join(dir, ledgerFileName(Date.parse(ts)));
      fs.appendFileSync(file, serializeRecord(makeRecord({ ts })).slice(0, 40)); // a writer died mid-line
      const bytes = fs.readFileSync(file);
      const rep = await cli(['report', 'daily', '--since', '7d', '--ledger', dir, '--json']);
      assert.equal(rep.code, 0, rep.stderr);
      assert.equal((JSON.parse(rep.stdout) as { totals: { requests: number } }).totals.requests, 4);
      const sl = await cli(['statusline', '--all', '--ledger', dir, '--json']);
      assert.equal((JSON.parse(sl.stdout) as { day: Usage }).day.requests, 4);
      assert.deepEqual(fs.readFileSync(file), bytes, 'the torn line is left for the next writer to terminate');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
