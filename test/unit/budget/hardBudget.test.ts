// Hard `block` budgets against real usage: requests in flight together never spend more than is left.
// Each request is sized (max_tokens from what is left of the tightest limit), reserves its worst case, and
// is stopped by the pipeline if its answer runs past that anyway. (Before: 50 parallel requests against a
// limit of 10.5× one estimate spent 158× the limit when each answer ran long.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnthropicBackend } from '../../../src/core/backends/anthropicBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { HARD_FLOOR_OUTPUT_TOKENS, hardAllowance } from '../../../src/core/budget/hardAllowance';
import { SharedBudget } from '../../../src/core/budget/sharedBudget';
import { Catalog } from '../../../src/core/catalog/catalog';
import { defaultEstimateSettings, estimate } from '../../../src/core/estimate';
import { Ledger } from '../../../src/core/ledger';
import { Pipeline, PipelineEvent } from '../../../src/core/pipeline';
import type { BudgetLine, BudgetPolicy, ChatRequest, UsageRecord } from '../../../src/core/types';
import { FakeAnthropic, FakeOpenAI, startFakeAnthropic, startFakeOpenAI } from '../../fakes';
import { chatRequest } from '../../util/fixtures';

const KEY = 'sk-test-openai-0000';
const LONG = 'word '.repeat(80_000); // 100k tokens by the fakes' rule

function line(limit: number, used = 0, reserved = 0): BudgetLine {
  return { period: 'day', unit: 'usd', limit, used, reserved, fraction: used / limit, level: 'ok' };
}

describe('hard budgets', function () {
  this.timeout(60_000);

  describe('hardAllowance', () => {
    const price = (out: number) => ({ tokens: 1000 + out, wh: 0.001 * out, usd: 0.001 + out * 1e-5 });
    it('sizes the output to what is left of the tightest line', () => {
      const a = hardAllowance({ lines: [line(0.1, 0.04, 0.01)], price, expectedOutputTokens: 1500, capOutputTokens: 32_000 });
      assert.ok(a.ok);
      assert.equal(a.maxOutputTokens, 4900); // (0.1 - 0.05 - 0.001) / 1e-5
      assert.ok(a.amount.usd <= 0.05 + 1e-12);
      const tokens: BudgetLine = { ...line(3000), unit: 'tokens' };
      const b = hardAllowance({ lines: [line(0.1, 0.04, 0.01), tokens], price, expectedOutputTokens: 1500, capOutputTokens: 32_000 });
      assert.ok(b.ok && b.maxOutputTokens === 2000 && b.limitedBy === tokens, 'the token line is tighter');
      const share = hardAllowance({ lines: [line(0.1, 0.04, 0.01)], price, expectedOutputTokens: 800, capOutputTokens: 32_000 });
      assert.ok(share.ok && share.maxOutputTokens === 3200, 'near the limit: at most 4× the expected output, so others can run too');
    });
    it('the model cap applies when the budget is roomy; too little left blocks', () => {
      const roomy = hardAllowance({ lines: [line(100)], price, expectedOutputTokens: 800, capOutputTokens: 32_000 });
      assert.ok(roomy.ok && roomy.maxOutputTokens === 32_000 && roomy.limitedBy === undefined);
      const tight = hardAllowance({ lines: [line(0.1, 0.0975)], price, expectedOutputTokens: 800, capOutputTokens: 32_000 });
      assert.ok(!tight.ok);
      assert.equal(tight.allowedOutputTokens, 150);
      assert.equal(tight.neededOutputTokens, HARD_FLOOR_OUTPUT_TOKENS);
    });
  });

  describe('through the pipeline, against the fake OpenAI', () => {
    let openai: FakeOpenAI;
    let dir: string;
    const model = Catalog.builtIn().get('gpt-5-mini')!;
    before(async () => { openai = await startFakeOpenAI({ apiKey: KEY, tokensPerSecond: 5_000_000 }); openai.models.push('gpt-5-mini'); });
    after(async () => { await openai.close(); });
    beforeEach(() => { openai.reset(); dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-hard-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function pipelineFor(gate: BudgetGate, records: UsageRecord[], session = 's1'): { run(i: number): Promise<PipelineEvent[]>; session: string } {
      const ledger = new Ledger(dir);
      const pipeline = new Pipeline({
        candidates: async () => [model],
        backendFor: () => new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => KEY }),
        countInputTokens: () => 400,
        gate,
        append: (r) => { records.push(r); ledger.append(r); },
        settings: () => ({ mode: 'suggest', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '' }),
      });
      const request = (i: number): ChatRequest => chatRequest(`Explain step ${i} of the build.`, { id: `r${i}`, workspace: { id: 'ws', name: 'W' }, session });
      return {
        session,
        run: async (i) => {
          const out: PipelineEvent[] = [];
          for await (const e of pipeline.run(request(i), { kind: 'model', modelId: 'gpt-5-mini' }, new AbortController().signal)) out.push(e);
          return out;
        },
      };
    }

    /** One request's estimate, as the pipeline makes it (its decision event). */
    async function oneEstimateUsd(): Promise<number> {
      const events = await pipelineFor(new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn' }), []).run(0);
      const d = events.find((e) => e.type === 'decision');
      assert.ok(d && d.type === 'decision');
      return d.decision.estimate.cost.usd;
    }

    const spent = (records: UsageRecord[]): number => records.reduce((n, r) => n + r.cost.usd, 0);
    const floorUsd = estimate(model, { input: 400, cachedInput: 0, output: HARD_FLOOR_OUTPUT_TOKENS, reasoning: 0 }, defaultEstimateSettings()).cost.usd;

    for (const ignore of [false, true]) {
      it(`50 parallel requests, each answer 100k tokens long${ignore ? ', from a server that ignores max_tokens' : ''}: spend stays within the limit`, async () => {
        const limit = 10.5 * await oneEstimateUsd();
        openai.reset();
        const policy: BudgetPolicy = { limits: { day: { usd: limit } }, warnAt: 0.8, action: 'block' };
        const gate = new BudgetGate(policy);
        const records: UsageRecord[] = [];
        for (let i = 0; i < 50; i++) openai.script({ text: LONG, ignoreMaxTokens: ignore });
        const p = pipelineFor(gate, records);
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => p.run(i + 1)));
        const admitted = results.filter((ev) => ev.some((e) => e.type === 'decision')).length;
        const sentMax = openai.requestsTo('/v1/chat/completions').map((q) => q.body.max_completion_tokens);
        assert.ok(sentMax.every((m) => typeof m === 'number' && m >= 1), `every request carried max_completion_tokens: ${sentMax.slice(0, 5)}`);
        const total = spent(records);
        process.stdout.write(`        · ${admitted} of 50 admitted; spent $${total.toPrecision(3)} of a $${limit.toPrecision(3)} limit; max_completion_tokens sent ${Math.min(...sentMax)}–${Math.max(...sentMax)}\n`);
        assert.ok(total <= limit + (ignore ? 0.1 * limit : 0) + floorUsd, `spent $${total} against a $${limit} limit (${admitted} admitted)`);
        assert.ok(total >= 0.5 * limit, `the budget was used, not refused outright ($${total} of $${limit})`);
        if (ignore) assert.ok(records.some((r) => r.outcome === 'cancelled' && /stopped this answer/.test(r.error ?? '')), 'the pipeline stopped a run-away answer');
        assert.equal(gate.inFlight(), 0);
      });
    }

    it('two windows on one ledger see each other: spending and requests in flight', async () => {
      const limit = 10.5 * await oneEstimateUsd();
      openai.reset();
      const policy: BudgetPolicy = { limits: { day: { usd: limit } }, warnAt: 0.8, action: 'block' };
      const records: UsageRecord[] = [];
      const windows = ['w1', 'w2'].map((session) => {
        const own = new Set([session]);
        const shared = new SharedBudget({ ledgerDir: dir, workspaceId: 'ws', ownSessions: () => own });
        shared.beginBaseline()(); // the baseline: an empty ledger
        return pipelineFor(new BudgetGate(policy, { shared }), records, session);
      });
      for (let i = 0; i < 50; i++) openai.script({ text: LONG });
      await Promise.all(Array.from({ length: 50 }, (_, i) => windows[i % 2].run(i + 1)));
      const total = spent(records);
      process.stdout.write(`        · w1 ${records.filter((r) => r.session === 'w1' && r.outcome === 'ok').length} and w2 ${records.filter((r) => r.session === 'w2' && r.outcome === 'ok').length} answered; spent $${total.toPrecision(3)} of $${limit.toPrecision(3)}\n`);
      assert.ok(total <= limit + floorUsd, `two windows spent $${total} against $${limit}`);
      assert.ok(records.filter((r) => r.session === 'w1' && r.outcome === 'ok').length > 0 && records.filter((r) => r.session === 'w2' && r.outcome === 'ok').length > 0, 'both windows were served');
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'budget', 'ws.json'), 'utf8')).reservations, [], 'nothing left reserved');
    });
  });

  describe('through the pipeline, against the fake Anthropic (max_tokens)', () => {
    const ANT_KEY = 'sk-ant-test-0000';
    let anthropic: FakeAnthropic;
    const model = Catalog.builtIn().get('claude-haiku-4-5')!;
    before(async () => { anthropic = await startFakeAnthropic({ apiKey: ANT_KEY, tokensPerSecond: 5_000_000 }); });
    after(async () => { await anthropic.close(); });

    it('30 parallel requests, each answer 100k tokens long: every request is sent with max_tokens from what is left, spend stays within the limit', async () => {
      const records: UsageRecord[] = [];
      const run = async (gate: BudgetGate, i: number): Promise<PipelineEvent[]> => {
        const pipeline = new Pipeline({
          candidates: async () => [model],
          backendFor: () => new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => ANT_KEY }),
          countInputTokens: () => 400,
          gate,
          append: (r) => { records.push(r); },
          settings: () => ({ mode: 'suggest', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '' }),
        });
        const out: PipelineEvent[] = [];
        const request: ChatRequest = { id: `a${i}`, messages: [{ role: 'user', content: `Explain step ${i} of the build.` }], surface: 'chat', workspace: { id: 'ws', name: 'W' }, session: 's' };
        for await (const e of pipeline.run(request, { kind: 'model', modelId: model.id }, new AbortController().signal)) out.push(e);
        return out;
      };
      const probe = await run(new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn' }), 0);
      const d = probe.find((e) => e.type === 'decision');
      assert.ok(d && d.type === 'decision');
      const limit = 10.5 * d.decision.estimate.cost.usd;
      const unlimitedMax = anthropic.requestsTo('/v1/messages')[0].body.max_tokens as number;
      anthropic.reset();
      records.length = 0;
      const gate = new BudgetGate({ limits: { day: { usd: limit } }, warnAt: 0.8, action: 'block' });
      for (let i = 0; i < 30; i++) anthropic.script({ text: LONG });
      await Promise.all(Array.from({ length: 30 }, (_, i) => run(gate, i + 1)));
      const sent = anthropic.requestsTo('/v1/messages').map((q) => q.body.max_tokens as number);
      const total = records.reduce((n, r) => n + r.cost.usd, 0);
      const floorUsd = estimate(model, { input: 400, cachedInput: 0, output: HARD_FLOOR_OUTPUT_TOKENS, reasoning: 0 }, defaultEstimateSettings()).cost.usd;
      process.stdout.write(`        · Anthropic: ${sent.length} of 30 sent, max_tokens ${Math.min(...sent)}–${Math.max(...sent)} (without a limit: ${unlimitedMax}); spent $${total.toPrecision(3)} of a $${limit.toPrecision(3)} limit\n`);
      assert.ok(sent.length >= 2, 'the budget was spent on answers');
      assert.ok(sent.every((m) => Number.isInteger(m) && m >= 1 && m < unlimitedMax), `max_tokens sized from the budget: ${sent.join(', ')}`);
      assert.ok(total <= limit + floorUsd, `spent $${total} against a $${limit} limit`);
      assert.equal(gate.inFlight(), 0);
    });
  });
});
