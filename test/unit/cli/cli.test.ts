import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Catalog } from '../../../src/core/catalog/catalog';
import { defaultEstimateSettings, estimate } from '../../../src/core/estimate';
import { COMMAND_NAMES } from '../../../src/cli/main';
import { cli, jsonLines } from './cliHarness';

const repo = path.resolve(__dirname, '../../../..');

const made: string[] = [];
function tempLedger(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-cli-'));
  made.push(dir);
  return dir;
}
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

describe('cli: estimate', () => {
  it('prints Wh low/mid/high, USD and gCO2e that match the core estimator', async () => {
    const r = await cli(['estimate', '--model', 'gpt-5-mini', '--input', '20000', '--output', '800', '--cached', '5000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const expected = estimate(Catalog.builtIn().get('gpt-5-mini')!, { input: 20000, cachedInput: 5000, output: 800, reasoning: 0 }, defaultEstimateSettings());
    assert.equal(j.model, 'gpt-5-mini');
    assert.ok(j.wh.low <= j.wh.mid && j.wh.mid <= j.wh.high, 'ordered range');
    assert.ok(Math.abs(j.wh.mid - expected.energy.wh) < 1e-12);
    assert.ok(Math.abs(j.usd - expected.cost.usd) < 1e-12);
    assert.ok(j.gco2e > 0);
  });

  it('gpt-4o, 1k input / 500 output lands in 0.1-2 Wh, and 100k input costs at least 3x as much', async () => {
    const run = async (input: number) => {
      const r = await cli(['estimate', '--model', 'gpt-4o', '--input', String(input), '--output', '500', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { wh: { low: number; mid: number; high: number }; region: string; embodiedG: number };
    };
    const short = await run(1000);
    const long = await run(100_000);
    assert.ok(short.wh.mid >= 0.1 && short.wh.mid <= 2, `${short.wh.mid} Wh`);
    assert.ok(long.wh.mid >= 3 * short.wh.mid, `${long.wh.mid} vs ${short.wh.mid}`);
    assert.equal(short.region, 'us', "the provider's data-centre region");
    assert.ok(short.embodiedG > 0);
  });

  it('text output names the model and the units', async () => {
    const r = await cli(['estimate', '--model', 'qwen2.5-coder:7b', '--input', '1000', '--output', '200']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /qwen2\.5-coder:7b \(local/);
    assert.match(r.stdout, /Wh/);
    assert.match(r.stdout, /\$/);
  });

  it('bad arguments: clear message on stderr, non-zero exit', async () => {
    for (const argv of [
      ['estimate', '--model', 'gpt-5'],
      ['estimate', '--model', 'no-such-model', '--input', '1', '--output', '1'],
      ['estimate', '--model', 'gpt-5', '--input', '-4', '--output', '1'],
      ['estimate', '--model', 'gpt-5', '--input', '10', '--output', '1', '--cached', '11'],
      ['estimate', '--bogus'],
    ]) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')} -> ${r.code}`);
      assert.match(r.stderr, /rightsize estimate: /);
      assert.equal(r.stdout, '');
    }
  });

  it('--help for every command', async () => {
    for (const c of ['estimate', 'route', 'record', 'report', 'export']) {
      const r = await cli([c, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`Usage: rightsize ${c}`));
      assert.match(r.stdout, /--json/);
    }
  });
});

describe('cli: route', () => {
  const models = (obj: unknown) => {
    const f = path.join(tempLedger(), 'models.json');
    fs.writeFileSync(f, JSON.stringify(obj));
    return f;
  };

  it('writes one decision per good line, reports bad lines and still routes the rest', async () => {
    const file = models({ local: ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b', 'qwen2.5-coder:14b'], cloud: ['gpt-5', 'claude-sonnet-4-5', 'claude-opus-4-5'], objective: 'energy' });
    const input = [
      JSON.stringify({ id: 'rename', messages: [{ role: 'user', content: 'Rename the variable `tmp` to `total` in this function:\n\nfunction f(a){ let tmp = 0; for (const x of a) tmp += x; return tmp; }' }] }),
      'this is not json',
      JSON.stringify({ id: 'bad-role', messages: [{ role: 'robot', content: 'hi' }] }),
      JSON.stringify({ id: 'design', messages: [{ role: 'user', content: 'Design a plugin architecture for our editor across these files: src/core/a.ts, src/core/b.ts, src/ui/c.ts, src/ui/d.ts, src/net/e.ts, src/net/f.ts. Weigh the trade-offs of event buses versus dependency injection, and how should I structure versioning of the plugin API?' }] }),
      JSON.stringify({ id: 'huge', messages: [{ role: 'user', content: 'Explain this file.' }], contextTokens: 60000 }),
    ].join('\n');
    const r = await cli(['route', '--models', file], input);
    assert.equal(r.code, 1, 'bad lines make the exit status non-zero');
    assert.match(r.stderr, /line 2: not valid JSON/);
    assert.match(r.stderr, /line 3: messages\[0\]\.role/);
    const out = jsonLines(r.stdout) as Array<Record<string, any>>;
    assert.deepEqual(out.map((d) => d.id), ['rename', 'design', 'huge']);
    for (const d of out) {
      for (const k of ['id', 'model', 'location', 'task', 'reason', 'runnerUp', 'estimate']) assert.ok(k in d, `${k} in ${JSON.stringify(d)}`);
      assert.ok(d.estimate.wh > 0 && d.estimate.usd >= 0);
    }
    const cat = Catalog.builtIn();
    assert.equal(out[0].location, 'local', `rename went to ${out[0].model}`);
    assert.ok(cat.get(out[0].model)!.params.activeB.max <= 8, `rename went to a small model: ${out[0].model}`);
    assert.ok(cat.get(out[1].model)!.capability.score >= 70, `design went to a strong model: ${out[1].model}`);
    const huge = cat.get(out[2].model)!;
    assert.ok(huge.contextTokens >= 60000, `60k-token context went to ${huge.id} with a ${huge.contextTokens} window`);
  });

  it('rejects a models file with unknown ids', async () => {
    const r = await cli(['route', '--models', models({ local: ['nope:1b'], cloud: [] })], '{}');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown model\(s\) nope:1b/);
  });
});

describe('cli: record, report, export', () => {
  it('record computes a full record from model and tokens; report totals equal what was recorded', async () => {
    const dir = tempLedger();
    const lines = [
      JSON.stringify({ model: 'gpt-5-mini', tokens: { input: 12000, output: 700 } }),
      JSON.stringify({ model: 'qwen2.5-coder:7b', tokens: { input: 3000, output: 400 } }),
      '{"model": "gpt-5-mini"}',
      '{broken',
      JSON.stringify({ model: 'claude-sonnet-4-5', tokens: { input: 40000, cachedInput: 30000, output: 1500 }, workspace: { id: 'w2', name: 'Other' } }),
    ].join('\n');
    const r = await cli(['record', '--ledger', dir, '--json'], lines);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 3: "tokens"/);
    assert.match(r.stderr, /line 4: not valid JSON/);
    const recs = jsonLines(r.stdout) as Array<Record<string, any>>;
    assert.equal(recs.length, 3);
    for (const rec of recs) {
      assert.equal(rec.v, 1);
      assert.ok(rec.id && rec.ts && rec.session && rec.workspace.id);
      assert.ok(rec.energy.low <= rec.energy.wh && rec.energy.wh <= rec.energy.high);
    }
    const rep = await cli(['report', '--period', 'week', '--ledger', dir, '--json']);
    assert.equal(rep.code, 0, rep.stderr);
    const j = JSON.parse(rep.stdout);
    assert.equal(j.totals.requests, 3);
    const sum = (f: (x: Record<string, any>) => number) => recs.reduce((a, x) => a + f(x), 0);
    assert.equal(j.totals.tokens, sum((x) => x.tokens.input + x.tokens.output));
    assert.ok(Math.abs(j.totals.wh - sum((x) => x.energy.wh)) < 1e-9);
    assert.ok(Math.abs(j.totals.usd - sum((x) => x.cost.usd)) < 1e-9);
    assert.ok(Math.abs(j.totals.gco2e - sum((x) => x.carbon.g)) < 1e-9);
    assert.ok(Array.isArray(j.days) && Array.isArray(j.models));
    assert.equal(j.models.length, 3);

    const only = JSON.parse((await cli(['report', '--period', 'week', '--ledger', dir, '--workspace', 'w2', '--json'])).stdout);
    assert.equal(only.totals.requests, 1);

    const text = await cli(['report', '--period', 'day', '--ledger', dir]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /Requests/);
    assert.match(text.stdout, /By model:/);
    assert.match(text.stdout, /gpt-5-mini/);

    const csv = await cli(['export', '--format', 'csv', '--ledger', dir]);
    assert.equal(csv.code, 0);
    const rows = csv.stdout.trim().split('\n');
    assert.equal(rows.length, 4, 'header + 3 records');
    assert.match(rows[0], /^id,ts,session/);
    const json = await cli(['export', '--format', 'json', '--ledger', dir, '--since', '2000-01-01']);
    assert.equal(jsonLines(json.stdout).length, 3);
    const none = await cli(['export', '--format', 'json', '--ledger', dir, '--since', '2999-01-01']);
    assert.equal(none.stdout, '');
    const bad = await cli(['export', '--format', 'xml', '--ledger', dir]);
    assert.equal(bad.code, 2);
  });

  it('RIGHTSIZE_LEDGER_DIR selects the ledger', async () => {
    const dir = tempLedger();
    const r = await cli(['record'], JSON.stringify({ model: 'gpt-5-nano', tokens: { input: 10, output: 5 } }), { RIGHTSIZE_LEDGER_DIR: dir });
    assert.equal(r.code, 0, r.stderr);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    assert.equal(files.length, 1);
  });

  it('report --period with a bad value fails clearly', async () => {
    const r = await cli(['report', '--period', 'fortnight', '--ledger', tempLedger()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--period must be one of/);
  });
});

describe('cli: the bundled dist/cli.js', () => {
  const bundle = path.join(repo, 'dist', 'cli.js');
  it('runs as a real process and counts tokens with the shipped tiktoken assets', function () {
    if (!fs.existsSync(bundle)) this.skip();
    // Copied away from the repository so only the shipped assets (not node_modules) can serve it.
    const shipped = fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-dist-'));
    made.push(shipped);
    fs.cpSync(path.dirname(bundle), shipped, { recursive: true });
    const req = JSON.stringify({ id: 'a', messages: [{ role: 'user', content: 'Add a docstring to this function: def add(a, b): return a + b' }] });
    const r = spawnSync(process.execPath, [path.join(shipped, 'cli.js'), 'route'], { input: req + '\n', encoding: 'utf8', cwd: os.tmpdir(), env: { ...process.env, NODE_PATH: '' } });
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout.trim());
    assert.equal(d.id, 'a');
    assert.ok(d.estimate.tokens.input > 5, `counted input tokens: ${d.estimate.tokens.input}`);
  });

  it('every command runs from the files the VSIX ships (one bundle per command, named in .vscodeignore)', function () {
    if (!fs.existsSync(bundle)) this.skip();
    this.timeout(60000);
    const built = fs.readFileSync(path.join(repo, 'esbuild.js'), 'utf8');
    const listed = /const CLI_COMMANDS = \[([^\]]*)\]/.exec(built);
    assert.ok(listed, 'esbuild.js lists the CLI commands');
    assert.deepEqual(listed[1].split(',').map((x) => x.trim().replace(/'/g, '')).filter(Boolean).sort(), [...COMMAND_NAMES].sort(), 'esbuild.js bundles every command of main.ts');
    const patterns = fs.readFileSync(path.join(repo, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!dist/')).map((l) => new RegExp(`^${l.slice('!dist/'.length).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`));
    const shipped = fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-vsix-'));
    made.push(shipped);
    const copy = (rel: string): void => {
      const from = path.join(path.dirname(bundle), rel);
      if (fs.statSync(from).isDirectory()) { for (const f of fs.readdirSync(from)) copy(path.join(rel, f)); return; }
      if (!patterns.some((re) => re.test(rel.split(path.sep).join('/')))) return;
      fs.mkdirSync(path.dirname(path.join(shipped, rel)), { recursive: true });
      fs.copyFileSync(from, path.join(shipped, rel));
    };
    copy('.');
    for (const name of COMMAND_NAMES) {
      assert.ok(fs.existsSync(path.join(shipped, `cli-${name}.js`)), `cli-${name}.js is shipped`);
      const r = spawnSync(process.execPath, [path.join(shipped, 'cli.js'), name, '--help'], { encoding: 'utf8', cwd: os.tmpdir(), env: { ...process.env, NODE_PATH: '' } });
      assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`rightsize ${name}`), `${name} --help prints its usage`);
    }
    const bad = spawnSync(process.execPath, [path.join(shipped, 'cli.js'), 'report', 'daily', '--since', '2026-02-30'], { encoding: 'utf8', cwd: os.tmpdir() });
    assert.equal(bad.status, 2, 'a usage error from a command bundle is a usage error');
    assert.match(bad.stderr, /is not a calendar date\nRun `rightsize report --help` for usage/);
    const led = fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-vsix-ledger-'));
    made.push(led);
    const sl = spawnSync(process.execPath, [path.join(shipped, 'cli.js'), 'statusline', '--all', '--ledger', led], { encoding: 'utf8', cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(sl.status, 0, sl.stderr);
    assert.match(sl.stdout, /^today 0 tok · 0 Wh · \$0\.00\n$/);
  });
});
