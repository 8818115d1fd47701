import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/ledger';
import { calendarFor } from '../../../src/core/report';
import type { UsageRecord } from '../../../src/core/types';
import { parseDateRange } from '../../../src/cli/dateRange';
import { workspaceIdForFolder } from '../../../src/cli/workspaceOption';
import { generateHistory, makeRecord } from '../../util/recordFactory';
import { withTimeZone } from '../report/helpers';
import { cli } from './cliHarness';

const sum = (rs: UsageRecord[], f: (r: UsageRecord) => number): number => rs.reduce((a, r) => a + f(r), 0);
const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
const NY = new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
const dayOf = (r: UsageRecord): string => NY.format(new Date(r.ts));

describe('cli: report daily|weekly|monthly|session|models|workspaces', function () {
  this.timeout(60000);
  withTimeZone('America/New_York');
  let dir: string;
  let recs: UsageRecord[];
  const end = new Date();
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-report-'));
    recs = generateHistory({ count: 1500, days: 40, end, seed: 31 });
    const ledger = new Ledger(dir);
    for (const r of recs) ledger.append(r);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const json = async (args: string[]): Promise<{ rows: Array<Record<string, unknown> & { key: string; breakdown?: Array<Record<string, unknown>> }>; totals: Record<string, number>; range: { start: string | null; end: string }; [k: string]: unknown }> => {
    const r = await cli(['report', ...args, '--ledger', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  it('daily --since 7d: one row per day with usage, sums that match the records, and the documented fields', async () => {
    const j = await json(['daily', '--since', '7d']);
    const start = Date.parse(j.range.start!);
    const inScope = recs.filter((r) => Date.parse(r.ts) >= start);
    assert.equal(j.report, 'daily');
    assert.equal(j.groupBy, 'day');
    assert.deepEqual(j.rows.map((r) => r.key), [...new Set(inScope.map(dayOf))].sort());
    for (const row of j.rows) {
      const rs = inScope.filter((r) => dayOf(r) === row.key);
      assert.equal(row.requests, rs.length, row.key);
      assert.equal(row.inputTokens, sum(rs, (r) => r.tokens.input));
      assert.equal(row.totalTokens, sum(rs, (r) => r.tokens.input + r.tokens.output));
      close(row.usd as number, sum(rs, (r) => r.cost.usd), `${row.key} usd`);
      close(row.wh as number, sum(rs, (r) => r.energy.wh), `${row.key} wh`);
      close(row.gco2e as number, sum(rs, (r) => r.carbon.g), `${row.key} g`);
      assert.deepEqual([...(row.modelsUsed as string[])].sort(), [...new Set(rs.map((r) => r.model.id))].sort());
    }
    for (const k of ['requests', 'inputTokens', 'cachedInputTokens', 'outputTokens', 'reasoningTokens', 'totalTokens', 'wh', 'whLow', 'whHigh', 'usd', 'gco2e', 'localRequests', 'localShare', 'savedWh', 'savedUsd']) assert.ok(k in j.totals, k);
    assert.equal(j.totals.requests, inScope.length);
    assert.ok('missedSavings' in j && 'unreadableLines' in j && 'filters' in j);
  });

  it('--breakdown gives per-model sub-rows that add up; --breakdown=workspace per workspace', async () => {
    const j = await json(['weekly', '--since', 'all', '--breakdown']);
    for (const row of j.rows) {
      assert.ok(row.breakdown && row.breakdown.length > 1);
      assert.equal(row.breakdown.reduce((a, b) => a + (b.requests as number), 0), row.requests);
      close(row.breakdown.reduce((a, b) => a + (b.usd as number), 0), row.usd as number, 'breakdown usd');
    }
    assert.equal(j.totals.requests, recs.length);
    const w = await json(['monthly', '--since', 'all', '--breakdown=workspace']);
    assert.deepEqual(new Set(w.rows.flatMap((r) => r.breakdown!.map((b) => b.key))), new Set(['ws-alpha', 'ws-beta', 'ws-gamma']));
    // rows that are models: a bare --breakdown splits them per workspace (per model would repeat the row)
    const m = await json(['models', '--since', 'all', '--breakdown']);
    assert.equal(m.breakdown, 'workspace');
    for (const row of m.rows) {
      assert.deepEqual(new Set(row.breakdown!.map((b) => b.key)), new Set(recs.filter((r) => r.model.id === row.key).map((r) => r.workspace.id)), row.key);
      close(row.breakdown!.reduce((a, b) => a + (b.usd as number), 0), sum(recs.filter((r) => r.model.id === row.key), (r) => r.cost.usd), `${row.key} per workspace`);
    }
  });

  it('models, workspaces, session and --group-by task: rows match independent sums', async () => {
    const models = await json(['models', '--since', 'all']);
    for (const row of models.rows) close(row.usd as number, sum(recs.filter((r) => r.model.id === row.key), (r) => r.cost.usd), row.key);
    const usd = models.rows.map((r) => r.usd as number);
    assert.deepEqual(usd, [...usd].sort((a, b) => b - a), 'most expensive first');
    const ws = await json(['workspaces', '--since', 'all']);
    assert.equal(ws.rows.find((r) => r.key === 'ws-beta')!.label, 'beta');
    const tasks = await json(['daily', '--since', 'all', '--group-by', 'task']);
    for (const row of tasks.rows) assert.equal(row.requests, recs.filter((r) => r.task === row.key).length, row.key);
    const sessions = await json(['session', '--since', 'all', '--workspace', 'alpha']);
    const alpha = recs.filter((r) => r.workspace.id === 'ws-alpha');
    assert.equal(sessions.rows.length, new Set(alpha.map((r) => r.session)).size);
    for (const row of sessions.rows) {
      const rs = alpha.filter((r) => r.session === row.key);
      assert.equal(row.requests, rs.length);
      assert.equal(row.lastActivity, rs[rs.length - 1].ts);
    }
    const bad = await cli(['report', 'daily', '--group-by', 'task', '--model', 'gpt-4o', '--ledger', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot be combined/);
  });

  it('--model and --workspace filter; --until includes its day; --csv has one line per row', async () => {
    const day = dayOf(recs[700]);
    const j = await json(['daily', '--since', day, '--until', day, '--model', 'gpt-4o', '--workspace', 'ws-gamma']);
    const rs = recs.filter((r) => dayOf(r) === day && r.model.id === 'gpt-4o' && r.workspace.id === 'ws-gamma');
    assert.equal(j.rows.length, rs.length ? 1 : 0);
    assert.equal(j.totals.requests, rs.length);
    const csv = await cli(['report', 'daily', '--since', '5d', '--csv', '--breakdown', '--ledger', dir]);
    const lines = csv.stdout.trim().split('\n');
    assert.match(lines[0], /^day,label,breakdown,requests,input_tokens/);
    const d = await json(['daily', '--since', '5d', '--breakdown']);
    assert.equal(lines.length - 1, d.rows.length + d.rows.reduce((a, r) => a + r.breakdown!.length, 0));
  });

  it('--breakdown sub-rows in tables: the workspace (by name) in the first column, never in the Provider column', async () => {
    const cells = (line: string): string[] => line.split('│').slice(1, -1).map((c) => c.trim());
    const rowsOf = (text: string): string[][] => text.split('\n').filter((l) => l.startsWith('│')).map(cells);
    const models = await cli(['report', 'models', '--since', 'all', '--breakdown', '--ledger', dir], '', { COLUMNS: '250' });
    assert.equal(models.code, 0, models.stderr);
    const rows = rowsOf(models.stdout);
    assert.deepEqual(rows[0].slice(0, 2), ['Model', 'Provider']);
    const providers = new Set(recs.map((r) => r.model.provider));
    const names = new Map(recs.map((r) => [r.workspace.name, r.workspace.id]));
    let parent = '';
    let subs = 0;
    for (const r of rows.slice(1)) {
      if (r[0].startsWith('└─')) {
        const name = r[0].replace('└─', '').trim();
        assert.ok(names.has(name), `sub-row names a workspace: ${r[0]}`);
        assert.equal(r[1], '', `no provider on the sub-row ${parent} / ${name}`);
        assert.ok(recs.some((x) => x.model.id === parent && x.workspace.name === name), `${parent} was used in ${name}`);
        subs++;
      } else if (r[0] !== 'Total') {
        parent = r[0];
        assert.ok(providers.has(r[1] as UsageRecord['model']['provider']), `a model row shows its provider: ${r.join(' | ')}`);
        assert.equal(r[1], recs.find((x) => x.model.id === parent)!.model.provider);
      }
    }
    assert.ok(subs > 3);
    const daily = await cli(['report', 'daily', '--since', '3d', '--breakdown', '--ledger', dir], '', { COLUMNS: '250' });
    const modelIds = new Set(recs.map((r) => r.model.id));
    const dailySubs = rowsOf(daily.stdout).filter((r) => r[0].startsWith('└─'));
    assert.ok(dailySubs.length > 0);
    for (const r of dailySubs) assert.ok(modelIds.has(r[0].replace('└─', '').trim()), `per-model sub-row: ${r[0]}`);
  });

  it('tables fit the terminal: full columns when wide, compact when narrow, with a total row', async () => {
    const wide = await cli(['report', 'daily', '--since', '3d', '--ledger', dir], '', { COLUMNS: '250' });
    assert.match(wide.stdout, /Cache Read/);
    assert.match(wide.stdout, /│ Total /);
    const narrow = await cli(['report', 'daily', '--since', '3d', '--ledger', dir], '', { COLUMNS: '90' });
    assert.doesNotMatch(narrow.stdout, /Cache Read/);
    assert.match(narrow.stdout, /Compact view/);
    for (const line of narrow.stdout.split('\n').filter((l) => l.startsWith('│') || l.startsWith('┌'))) assert.ok([...line].length <= 90, `fits 90 columns: ${line}`);
    const none = await cli(['report', 'daily', '--since', '2000-01-01', '--until', '2000-01-02', '--ledger', dir]);
    assert.match(none.stdout, /No requests recorded/);
  });

  it('rejects impossible dates and ranges clearly', async () => {
    for (const [args, re] of [[['--since', '2026-02-30'], /not a calendar date/], [['--since', 'fortnight'], /must be a date/], [['--since', '2026-11-05', '--until', '2026-11-01'], /before --since/], [['--timezone', 'Mars/Olympus'], /not a time zone/]] as const) {
      const r = await cli(['report', 'daily', ...args, '--ledger', dir]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
  });
});

describe('cli: dates and workspaces for reports', () => {
  withTimeZone('Europe/Paris');
  const now = new Date('2026-03-31T10:00:00.000Z'); // Tuesday, after the switch to summer time
  const cal = calendarFor('local');
  const iso = (r: { startMs: number; endMs: number }): [string, string] => [new Date(r.startMs).toISOString(), new Date(r.endMs).toISOString()];

  it('reads presets, relative ranges and dates in the local calendar', () => {
    assert.deepEqual(iso(parseDateRange('today', undefined, '30d', now, cal, 1)), ['2026-03-30T22:00:00.000Z', '2026-03-31T22:00:00.000Z']);
    assert.deepEqual(iso(parseDateRange('7d', undefined, '30d', now, cal, 1)), ['2026-03-24T23:00:00.000Z', '2026-03-31T22:00:00.000Z']);
    assert.deepEqual(iso(parseDateRange('this-week', undefined, '30d', now, cal, 1)), ['2026-03-29T22:00:00.000Z', '2026-04-05T22:00:00.000Z']);
    assert.deepEqual(iso(parseDateRange('last-month', undefined, '30d', now, cal, 1)), ['2026-01-31T23:00:00.000Z', '2026-02-28T23:00:00.000Z']);
    assert.deepEqual(iso(parseDateRange('20260301', '2026-03-02', '30d', now, cal, 1)), ['2026-02-28T23:00:00.000Z', '2026-03-02T23:00:00.000Z']);
    assert.equal(parseDateRange('all', undefined, '30d', now, cal, 1).startMs, -Infinity);
  });

  it('a folder gives the id the extension computes for it', () => {
    const id = workspaceIdForFolder('/home/u/my proj');
    // sha256("file:///home/u/my%20proj") — what vscode.Uri.file(...).toString() gives
    assert.equal(id, require('crypto').createHash('sha256').update('file:///home/u/my%20proj').digest('hex').slice(0, 16));
  });
});

describe('cli: statusline', function () {
  this.timeout(30000);
  let dir: string;
  let project: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-status-'));
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-project-'));
    fs.mkdirSync(path.join(project, '.vscode'));
    fs.mkdirSync(path.join(project, 'src'));
    fs.writeFileSync(path.join(project, '.vscode', 'settings.json'), '{\n  // the team budget\n  "rightsize.budget.day.usd": 2,\n  "rightsize.budget.month.wh": 1000,\n}\n');
    const ledger = new Ledger(dir);
    const ws = { id: workspaceIdForFolder(project), name: 'project' };
    const now = Date.now();
    for (let i = 0; i < 5; i++) ledger.append(makeRecord({ ts: new Date(now - i * 1000).toISOString(), workspace: ws, cost: { usd: 0.3, method: 'x' } }));
    ledger.append(makeRecord({ ts: new Date(now).toISOString(), workspace: { id: 'other', name: 'other' }, cost: { usd: 5, method: 'x' } }));
  });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); fs.rmSync(project, { recursive: true, force: true }); });

  it('finds the workspace from Claude Code\'s input (a subfolder of it), and its committed budget', async () => {
    const input = JSON.stringify({ session_id: 'x', workspace: { current_dir: path.join(project, 'src') } });
    const j = JSON.parse((await cli(['statusline', '--ledger', dir, '--json'], input)).stdout);
    assert.equal(j.workspace.id, workspaceIdForFolder(project));
    assert.equal(j.day.requests, 5);
    close(j.day.usd, 1.5, 'usd today');
    assert.equal(j.budget.period, 'day');
    assert.equal(j.budget.unit, 'usd');
    close(j.budget.fraction, 0.75, 'fraction');
    const line = (await cli(['statusline', '--ledger', dir], input)).stdout;
    assert.match(line, /^today .* tok · .* Wh · \$1\.50 · 75% of \$2\.00\/day\n$/);
  });

  it('--all and --format', async () => {
    const all = (await cli(['statusline', '--ledger', dir, '--all', '--format', '{requests} req {usd}'], '{}')).stdout;
    assert.equal(all, '6 req $6.50\n');
  });
});
