// The evaluation harness's own parts: where it finds the data, the ordinal fit, the tier of a candidate.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DATA_FILES, findRouterData, loadSet } from '../../../eval/router/data';
import { classAt, fitOrdinal, predictOrdinal } from '../../../eval/router/ordinal';
import { candidates, routerTier } from '../../../eval/router/evaluate';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-eval-'));
}

function writeData(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const row = (id: string, tier: number): string => JSON.stringify({ id, tier, dataset: 'humaneval', messages: [{ role: 'user', content: `Implement ${id}` }] });
  fs.writeFileSync(path.join(dir, DATA_FILES.adaptive), [row('a', 0), row('b', 3)].join('\n') + '\n');
  fs.writeFileSync(path.join(dir, DATA_FILES.swebench), JSON.stringify({ id: 'x__y-1', tier: 2, repo: 'x/y', resolvedBy: ['gpt-5-mini'], messages: [{ role: 'user', content: 'Fix this issue in the x/y repository:\n\nIt breaks.' }] }) + '\n');
}

describe('eval/router', () => {
  it('finds the data beside the repository, beside a worktree\'s main checkout, or where the environment says', () => {
    const base = tmp();
    const main = path.join(base, 'main');
    fs.mkdirSync(path.join(main, '.git', 'worktrees', 'wt1'), { recursive: true });
    const wt = path.join(base, 'wt', 'wt1');
    fs.mkdirSync(wt, { recursive: true });
    fs.writeFileSync(path.join(wt, '.git'), `gitdir: ${path.join(main, '.git', 'worktrees', 'wt1')}\n`);
    // Nothing yet: the places looked in are reported.
    const none = findRouterData(wt, {});
    assert.equal(none.dir, undefined);
    assert.deepEqual(none.tried, [path.join(base, 'wt', 'shared', 'router-data'), path.join(base, 'shared', 'router-data')]);
    writeData(path.join(base, 'shared', 'router-data'));
    assert.equal(findRouterData(wt, {}).dir, path.join(base, 'shared', 'router-data'));
    assert.equal(findRouterData(main, {}).dir, path.join(base, 'shared', 'router-data'));
    const elsewhere = path.join(base, 'elsewhere');
    writeData(elsewhere);
    assert.equal(findRouterData(wt, { RIGHTSIZE_ROUTER_DATA: elsewhere }).dir, elsewhere);
    // A folder missing one of the files is passed over.
    fs.rmSync(path.join(elsewhere, DATA_FILES.swebench));
    assert.equal(findRouterData(wt, { RIGHTSIZE_ROUTER_DATA: elsewhere }).dir, path.join(base, 'shared', 'router-data'));
  });

  it('turns rows into requests from their messages only, labels kept apart', () => {
    const dir = tmp();
    writeData(dir);
    const s = loadSet(dir, 'swebench');
    assert.equal(s.rows.length, 1);
    const r = s.rows[0];
    assert.equal(r.tier, 2);
    assert.deepEqual(r.resolvedBy, ['gpt-5-mini']);
    assert.equal(r.subset, 'x/y');
    assert.deepEqual(Object.keys(r.request.messages[0]).sort(), ['content', 'role']);
    assert.ok(!JSON.stringify(r.request).includes('resolvedBy'));
    assert.match(s.sha256, /^[0-9a-f]{64}$/);
    fs.writeFileSync(path.join(dir, DATA_FILES.adaptive), '{"id": "a", "tier": 0, "messages": [}\n');
    assert.throws(() => loadSet(dir, 'adaptive'), /adaptive-train\.jsonl:1: not JSON/);
  });

  it('fits an ordinal model that orders classes by the feature and keeps cutpoints increasing', () => {
    // y = 0..3 with a noisy threshold on x.
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const v = (i % 50) / 12.5 - 2; // -2..2
      x.push([v, ((i * 7919) % 13) / 13 - 0.5]); // a second, irrelevant feature
      y.push(Math.max(0, Math.min(3, Math.floor(v + 2 + (((i * 31) % 7) - 3) / 6))));
    }
    const fit = fitOrdinal(x, y, 4, { lambda: 0.5 });
    assert.ok(fit.weights[0] > 1.5, `weight ${fit.weights[0]}`);
    assert.ok(Math.abs(fit.weights[1]) < fit.weights[0] / 4, `irrelevant weight ${fit.weights[1]}`);
    for (let k = 1; k < fit.cutpoints.length; k++) assert.ok(fit.cutpoints[k] > fit.cutpoints[k - 1]);
    const lo = predictOrdinal(fit, [-2, 0]);
    const hi = predictOrdinal(fit, [2, 0]);
    assert.equal(classAt(lo, 0.5), 0);
    assert.equal(classAt(hi, 0.5), 3);
    for (let k = 1; k < hi.length; k++) assert.ok(hi[k] <= hi[k - 1], 'P(y >= k) decreases with k');
  });

  it('puts the candidates on the README\'s router tiers', () => {
    const tiers = Object.fromEntries(candidates().map((m) => [m.id, routerTier(m)]));
    assert.deepEqual(tiers, {
      'qwen2.5-coder:1.5b': 0, 'qwen2.5-coder:7b': 1, 'qwen2.5-coder:32b': 2, 'gpt-5-mini': 2, 'claude-sonnet-4-5': 3, 'claude-opus-4-5': 3,
    });
  });
});

describe('eval/router run without data', () => {
  const script = path.resolve(__dirname, '..', '..', '..', 'eval', 'router', 'run.js');
  const runIt = (ci: boolean): { status: number | null; stderr: string } => {
    const empty = tmp();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CI;
    if (ci) env.CI = 'true';
    const r = require('node:child_process').spawnSync(process.execPath, [script, '--data', empty, '--json', path.join(empty, 'out.json')], { env, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };

  it('is skipped (exit 3) with the places it looked, outside CI', () => {
    const r = runIt(false);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /router eval SKIPPED: router data not found \(looked in .*rightsize-eval-/);
  });

  it('fails (exit 1) under CI, where shared/ must be beside the clone', () => {
    const r = runIt(true);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /router eval FAILED: router data not found .*CI has shared\/ beside the clone/);
  });
});
