// One decision per user turn, through the whole pipeline (real router, estimator, budget gate, the real
// `ollama` client against the fake Ollama with the qwen2.5-coder 1.5b/7b/32b ladder), on the captured VS Code
// Agent-mode envelope: continuations keep the turn's model, follow-ups prefer the conversation's model,
// a failure escalates once; the budget's constraints are given before routing.
import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { Catalog } from '../../../src/core/catalog/catalog';
import { describeOllamaModel } from '../../../src/core/catalog/ollamaModels';
import { defaultEstimateSettings, estimate } from '../../../src/core/estimate';
import { Pipeline, PipelineError, PipelineEvent, PipelineSettings } from '../../../src/core/pipeline';
import { decide } from '../../../src/core/router/router';
import { sharedTokenCounter } from '../../../src/core/tokens';
import { BudgetPolicy, ChatMessage, ChatRequest, ModelSpec, UsageRecord } from '../../../src/core/types';
import { FakeOllama, FakeOpenAI, startFakeOllama, startFakeOpenAI } from '../../fakes';
import { loadEnvelope } from '../../util/envelopeFixtures';
import { chatRequest } from '../../util/fixtures';
import { QWEN_CODER_LADDER } from '../../workbench/fakeControl';

const KEY = 'sk-test-turns-0123456789';

interface Rig { pipeline: Pipeline; records: UsageRecord[]; candidates: ModelSpec[]; settings: PipelineSettings; gate: BudgetGate }

describe('pipeline: one decision per user turn (captured Agent envelope, qwen2.5-coder ladder)', function () {
  this.timeout(30000);
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  before(async () => {
    ollama = await startFakeOllama({ models: [...QWEN_CODER_LADDER] });
    openai = await startFakeOpenAI({ apiKey: KEY });
  });
  after(async () => {
    await ollama.close();
    await openai.close();
  });
  beforeEach(() => {
    ollama.reset();
    openai.reset();
  });

  async function rig(policy: Partial<BudgetPolicy> = {}): Promise<Rig> {
    const catalog = Catalog.builtIn();
    const ollamaBackend = new OllamaBackend({ host: ollama.url });
    const found = await ollamaBackend.discoverModels();
    const local = found.map((f) => describeOllamaModel(f.tag, f.show, catalog));
    const candidates = [...local, ...['gpt-5-mini', 'gpt-5'].map((id) => catalog.get(id)!)];
    const openaiBackend = new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => KEY, provider: 'openai' });
    const gate = new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn', ...policy });
    const records: UsageRecord[] = [];
    const settings: PipelineSettings = { mode: 'auto', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '' };
    const pipeline = new Pipeline({
      candidates: async () => candidates,
      backendFor: (m) => (m.provider === 'ollama' ? ollamaBackend : openaiBackend),
      countInputTokens: (r) => sharedTokenCounter().countMessages(r.messages, r.tools),
      gate,
      append: (r) => records.push(r),
      settings: () => settings,
    });
    return { pipeline, records, candidates, settings, gate };
  }

  async function run(r: Rig, req: ChatRequest): Promise<PipelineEvent[]> {
    const events: PipelineEvent[] = [];
    for await (const e of r.pipeline.run(req, { kind: 'auto' }, new AbortController().signal)) events.push(e);
    return events;
  }

  function decisionOf(events: PipelineEvent[]): Extract<PipelineEvent, { type: 'decision' }> {
    const d = events.filter((e) => e.type === 'decision').at(-1);
    assert.ok(d && d.type === 'decision', 'a decision');
    return d;
  }

  /** What a fresh look at the request (no memory of the conversation) would choose. */
  function fresh(r: Rig, req: ChatRequest): string {
    return decide(req, sharedTokenCounter().countMessages(req.messages, req.tools), {
      candidates: r.candidates, objective: 'balanced', localOnly: false, budget: { preferLocal: false, blockCloud: false },
      estimate: (m, t) => estimate(m, t, r.settings.estimate),
    }).model;
  }

  const agent = loadEnvelope('vscode-agent-rename-toolloop.json');
  const design = loadEnvelope('vscode-agent-design.json');
  const asRequest = (messages: ChatMessage[], tools = agent.requests[0].tools): ChatRequest => chatRequest(messages, {
    id: `r-${Math.random()}`, tools: tools as ChatRequest['tools'], workspace: { id: 'w1', name: 'W' }, session: 's1',
  });
  const [turnStart, continuation, followUp] = agent.requests.map((q) => asRequest(q.messages));

  /** The Agent rename turn continued with `n` more read_file round trips (each a call, then its result). */
  function longerLoop(n: number): ChatRequest {
    const base = continuation.messages.slice();
    const call = base[base.length - 2];
    const result = base[base.length - 1];
    for (let i = 0; i < n; i++) base.push(call, result);
    return asRequest(base);
  }

  it('a tool-loop continuation goes to the model that started the turn, although a fresh look would route it elsewhere', async () => {
    const r = await rig();
    const first = decisionOf(await run(r, turnStart));
    assert.equal(first.model.id, 'qwen2.5-coder:1.5b', first.decision.reason);
    // Three tool results into the turn: routed afresh, it would count as an agentic task.
    const deep = longerLoop(2);
    assert.notEqual(fresh(r, deep), first.model.id, 'the test needs a continuation that a fresh decision routes differently');
    for (const req of [continuation, deep]) {
      const d = decisionOf(await run(r, req));
      assert.equal(d.model.id, first.model.id);
      assert.match(d.decision.reason, /^Tool-loop continuation: stays on qwen2\.5-coder:1\.5b \(local\), the model that started this turn$/);
      assert.equal(d.turn?.continuation, true);
    }
    const sent = ollama.requestsTo('/api/chat').map((q) => q.body.model);
    assert.deepEqual(sent, ['qwen2.5-coder:1.5b', 'qwen2.5-coder:1.5b', 'qwen2.5-coder:1.5b']);
    assert.equal(new Set(r.records.map((x) => x.turn?.id)).size, 1, 'one turn');
    assert.equal(new Set(r.records.map((x) => x.turn?.conversation)).size, 1, 'one conversation');
  });

  it('a follow-up keeps a capable conversation model (and says so), and moves up when the new words need more', async () => {
    const r = await rig();
    const d1 = decisionOf(await run(r, asRequest(design.requests[0].messages, design.requests[0].tools)));
    assert.equal(d1.model.location, 'cloud', d1.decision.reason);
    // A rename follow-up in the design conversation: a fresh look picks a small local model; the
    // conversation stays on its capable model.
    const follow = asRequest([
      ...design.requests[0].messages,
      { role: 'assistant', content: 'Here is a design…' },
      { role: 'user', content: followUp.messages[followUp.messages.length - 1].content },
    ], design.requests[0].tools);
    assert.equal(fresh(r, follow).startsWith('qwen2.5-coder'), true);
    const d2 = decisionOf(await run(r, follow));
    assert.equal(d2.model.id, d1.model.id);
    assert.match(d2.decision.reason, new RegExp(`stays on ${d1.model.id.replace('.', '\\.')} \\(cloud\\), this conversation's model`));

    // The rename conversation (on 1.5b) asked for a security review: it moves up and says from where.
    const r2 = await rig();
    assert.equal(decisionOf(await run(r2, turnStart)).model.id, 'qwen2.5-coder:1.5b');
    const review = followUp.messages.slice();
    const last = review[review.length - 1];
    review[review.length - 1] = { role: 'user', content: String(last.content).replace('Also add a comment above it that says what total holds', 'Review app.js for security vulnerabilities and race conditions') };
    const d3 = decisionOf(await run(r2, asRequest(review)));
    assert.notEqual(d3.model.id, 'qwen2.5-coder:1.5b');
    assert.match(d3.decision.reason, /moves up from qwen2\.5-coder:1\.5b, this conversation's model \(score 3\.2 < \d+/);
  });

  it('a failing model escalates once to a more capable one, says so in the answer, and both attempts are recorded', async () => {
    const r = await rig();
    ollama.script({ status: 500, error: 'model runner crashed', model: 'qwen2.5-coder:1.5b' });
    const events = await run(r, turnStart);
    const notice = events.find((e) => e.type === 'notice');
    assert.ok(notice && notice.type === 'notice' && notice.inResponse, 'said in the answer');
    assert.match(notice.message, /qwen2\.5-coder:1\.5b failed .*so this answer comes from qwen2\.5-coder:7b/);
    const d = decisionOf(events);
    assert.equal(d.model.id, 'qwen2.5-coder:7b');
    assert.ok(d.model.capability.score > 3.2);
    assert.deepEqual(r.records.map((x) => [x.model.id, x.outcome, x.turn?.attempt]), [['qwen2.5-coder:1.5b', 'error', 1], ['qwen2.5-coder:7b', 'ok', 2]]);
    assert.match(r.records[1].decision.reason, /^qwen2\.5-coder:1\.5b failed \(.*\); escalated to qwen2\.5-coder:7b\./);
    // The turn now runs on the escalated model: its continuation goes there.
    assert.equal(decisionOf(await run(r, continuation)).model.id, 'qwen2.5-coder:7b');
  });

  it('escalates only once: a second failure in the turn is an error, not a third model', async () => {
    const r = await rig();
    ollama.script({ status: 500, error: 'crash one', model: 'qwen2.5-coder:1.5b' }, { status: 500, error: 'crash two', model: 'qwen2.5-coder:7b' });
    await assert.rejects(run(r, turnStart), (e: unknown) => e instanceof PipelineError && /crash two/.test(e.message));
    assert.deepEqual(ollama.requestsTo('/api/chat').map((q) => q.body.model), ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b']);
    assert.deepEqual(r.records.map((x) => x.outcome), ['error', 'error']);
  });

  it('an empty answer or a call of a tool the request does not offer escalates too', async () => {
    const r = await rig();
    ollama.script({ chunks: [], model: 'qwen2.5-coder:1.5b' });
    let events = await run(r, turnStart);
    assert.equal(decisionOf(events).model.id, 'qwen2.5-coder:7b');
    assert.match(r.records[0].error ?? '', /empty answer/);

    const r2 = await rig();
    ollama.script({ chunks: [], toolCalls: [{ name: 'delete_everything', arguments: {} }], model: 'qwen2.5-coder:1.5b' });
    events = await run(r2, turnStart);
    assert.equal(decisionOf(events).model.id, 'qwen2.5-coder:7b');
    assert.match(r2.records[0].error ?? '', /called a tool the request does not offer \("delete_everything"\)/);
    assert.equal(events.some((e) => e.type === 'toolCall' && e.name === 'delete_everything'), false, 'the bad call never reaches the client');
  });

  it('the budget constrains routing up front: a cloud model that would overrun what is left is never chosen, nothing is re-routed', async () => {
    const r = await rig({ limits: { day: { usd: 0.0001 } }, action: 'preferLocal' });
    // The design question on its own (the Agent envelope's 14k tokens do not fit the fake machine's 32b).
    const events = await run(r, asRequest([{ role: 'user', content: design.prompts[0] }], []));
    const d = decisionOf(events);
    assert.equal(d.model.location, 'local', d.decision.reason);
    assert.equal(events.filter((e) => e.type === 'decision').length, 1);
    assert.equal(events.some((e) => e.type === 'notice'), false, 'no downgrade after the fact');
    assert.equal(openai.requests.length, 0);
    assert.match(d.decision.runnerUp?.reason ?? '', /gpt-5(-mini)? \(cloud\): cloud model; about \$[\d.]+ would overrun the budget \(\$[\d.]+ left\), which prefers local models/);
  });
});
