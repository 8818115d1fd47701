// Fault injection for hard budgets: 50 parallel requests whose answers run far past their estimate
// (100k tokens each), against a `block` limit of 10.5× one estimate, in one process and split over two
// processes sharing the ledger; and processes killed with SIGKILL while holding reservations and the lock.
// Spend (summed from the ledger) must stay ≤ limit + one request's floor of output.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BudgetGate } from '../../src/core/budget/budgetGate';
import { HARD_FLOOR_OUTPUT_TOKENS } from '../../src/core/budget/hardAllowance';
import { SharedBudget } from '../../src/core/budget/sharedBudget';
import { Catalog } from '../../src/core/catalog/catalog';
import { defaultEstimateSettings, estimate } from '../../src/core/estimate';
import { Ledger } from '../../src/core/ledger';
import type { UsageRecord } from '../../src/core/types';
import { FakeOpenAI, startFakeOpenAI } from '../fakes';
import { held, say } from './summary';

const WINDOW = path.join(__dirname, 'budgetWindow.js');
const LONG = 'word '.repeat(80_000);

function runWindow(args: Record<string, unknown>): { child: ChildProcess; result: Promise<Record<string, number>> } {
  const child = spawn(process.execPath, [WINDOW, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const result = new Promise<Record<string, number>>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.on('exit', (code, signal) => { if (!out.includes('\n')) reject(new Error(`window exited ${code ?? signal} without a result`)); });
  });
  return { child, result };
}

async function ledgerRecords(dir: string): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for await (const r of new Ledger(dir).records()) out.push(r);
  return out;
}

describe('faults: hard budgets under parallel load', function () {
  this.timeout(120_000);
  let openai: FakeOpenAI;
  let dir: string;
  const model = Catalog.builtIn().get('gpt-5-mini')!;
  const settings = defaultEstimateSettings();
  // The pipeline's estimate of one of these requests (400 input tokens, the explain task's expected output).
  let oneEstimate: number;
  const floorUsd = estimate(model, { input: 400, cachedInput: 0, output: HARD_FLOOR_OUTPUT_TOKENS, reasoning: 0 }, settings).cost.usd;

  before(async () => {
    openai = await startFakeOpenAI({ tokensPerSecond: 5_000_000 });
    openai.models.push('gpt-5-mini');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-fault-budget-'));
    oneEstimate = (await runWindow({ dir, url: openai.url, limit: 1000, count: 1, session: 'probe' }).result).estimateUsd;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(async () => { await openai.close(); });
  beforeEach(() => { openai.reset(); dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-fault-budget-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const processes of [1, 2]) {
    it(`50 parallel requests with answers 100k tokens long, in ${processes} process(es): spend ≤ limit + one floor`, async () => {
      const limit = 10.5 * oneEstimate;
      for (let i = 0; i < 50; i++) openai.script({ text: LONG });
      const windows = Array.from({ length: processes }, (_, w) => runWindow({ dir, url: openai.url, limit, count: 50 / processes, session: `w${w}` }));
      const results = await Promise.all(windows.map((w) => w.result));
      const records = await ledgerRecords(dir);
      const total = records.reduce((n, r) => n + r.cost.usd, 0);
      const unlimited = 50 * estimate(model, { input: 400, cachedInput: 0, output: 100_000, reasoning: 0 }, settings).cost.usd;
      say(`${processes} process(es): ${results.map((r) => `${r.answered} answered / ${r.blocked} blocked`).join(', ')}; spent $${total.toPrecision(3)} against a $${limit.toPrecision(3)} limit (${(total / limit).toFixed(2)}×; the answers at full length would have cost $${unlimited.toPrecision(3)})`);
      assert.ok(total <= limit + floorUsd, `spent $${total} against $${limit} + floor $${floorUsd}`);
      assert.ok(results.reduce((n, r) => n + r.answered, 0) >= 2, 'the budget was spent on answers, not refused outright');
      held(`50 parallel requests in ${processes} process(es) on one ledger, each answer running to 100k tokens, block limit 10.5× one estimate`, `${results.reduce((n, r) => n + r.answered, 0)} answered; spent $${total.toPrecision(3)} = ${(total / limit).toFixed(2)}× the limit (allowed: limit + one ${HARD_FLOOR_OUTPUT_TOKENS}-token floor = ${((limit + floorUsd) / limit).toFixed(2)}×; unlimited: ${(unlimited / limit).toFixed(0)}×)`);
    });
  }

  it('a process killed with SIGKILL while holding reservations: its reservations stop counting', async () => {
    const limit = 1;
    const holder = runWindow({ dir, url: openai.url, limit, count: 4, session: 'holder', hold: true });
    const holding = await holder.result;
    assert.equal(holding.held, 4);
    const own = new Set(['me']);
    const gate = new BudgetGate({ limits: { day: { usd: limit } }, warnAt: 0.8, action: 'block' }, { shared: new SharedBudget({ ledgerDir: dir, workspaceId: 'ws', ownSessions: () => own }) });
    const ask = () => gate.admit({ location: 'cloud', estimate: { tokens: { input: 400, output: 800 }, energy: { wh: 0.1 }, cost: { usd: 0.2 } } });
    assert.equal(ask().verdict, 'block', 'the live holder\'s $1 in flight is seen');
    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.once('exit', r));
    const after = ask();
    assert.equal(after.verdict, 'admit', 'after kill -9 its reservations are dropped');
    say('a window holding $1 in flight blocked a $0.20 request; after kill -9 of it the same request was admitted');
    held('a process holding $1 of reservations killed with SIGKILL', 'while alive its reservations blocked another process; after kill -9 they stopped counting');
  });

  it('a lock file left by a process killed with SIGKILL does not stop the others', async () => {
    const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await new Promise((r) => setTimeout(r, 100));
    const lock = path.join(dir, 'budget', 'ws.json.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: victim.pid, nonce: 'dead', at: Date.now() }));
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    const own = new Set(['me']);
    const gate = new BudgetGate({ limits: { day: { usd: 1 } }, warnAt: 0.8, action: 'block' }, { shared: new SharedBudget({ ledgerDir: dir, workspaceId: 'ws', ownSessions: () => own }) });
    const t0 = Date.now();
    const r = gate.admit({ location: 'cloud', estimate: { tokens: { input: 400, output: 800 }, energy: { wh: 0.1 }, cost: { usd: 0.2 } } });
    assert.equal(r.verdict, 'admit');
    assert.ok(!fs.existsSync(lock), 'the lock was released');
    say(`a lock left by a killed process was broken after ${Date.now() - t0} ms`);
    held('the budget lock file left by a process killed with SIGKILL', `broken after ${Date.now() - t0} ms; the next request admitted`);
  });
});
