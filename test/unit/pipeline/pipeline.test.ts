// The whole pipeline in plain Node: real router, catalog, estimator, budget gate and backends (the
// real `ollama` client) against the fake servers that speak the providers' wire formats.
import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { Catalog } from '../../../src/core/catalog/catalog';
import { describeOllamaModel } from '../../../src/core/catalog/ollamaModels';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import { Pipeline, PipelineError, PipelineEvent, PipelineSettings, Target } from '../../../src/core/pipeline';
import { sharedTokenCounter } from '../../../src/core/tokens';
import { BudgetPolicy, ChatRequest, ModelSpec, UsageRecord } from '../../../src/core/types';
import { chatRequest } from '../../util/fixtures';
import { FakeOllama, FakeOpenAI, startFakeOllama, startFakeOpenAI } from '../../fakes';

const KEY = 'sk-test-pipeline-0123456789';

interface Rig {
  pipeline: Pipeline;
  records: UsageRecord[];
  gate: BudgetGate;
  settings: PipelineSettings;
  candidates: ModelSpec[];
}

describe('pipeline (core, plain Node, fake servers)', function () {
  this.timeout(20000);
  let ollama: FakeOllama;
  let openai: FakeOpenAI;

  before(async () => {
    ollama = await startFakeOllama();
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

  async function rig(policy: Partial<BudgetPolicy> = {}, overrides: Partial<PipelineSettings> = {}, samplePowerW?: () => Promise<number | undefined>): Promise<Rig> {
    const catalog = Catalog.builtIn();
    const ollamaBackend = new OllamaBackend({ host: ollama.url });
    const found = await ollamaBackend.discoverModels();
    const local = found.map((f) => describeOllamaModel(f.tag, f.show, catalog)).filter((m) => m.location === 'local');
    const cloud = ['gpt-5', 'gpt-5-mini'].map((id) => catalog.get(id)!);
    const candidates = [...local, ...cloud];
    const openaiBackend = new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => KEY, provider: 'openai' });
    const gate = new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn', ...policy });
    const records: UsageRecord[] = [];
    const settings: PipelineSettings = { mode: 'auto', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '', ...overrides };
    const pipeline = new Pipeline({
      candidates: async () => candidates,
      backendFor: (m) => (m.provider === 'ollama' ? ollamaBackend : openaiBackend),
      countInputTokens: (r) => sharedTokenCounter().countMessages(r.messages, r.tools),
      gate,
      append: (r) => records.push(r),
      settings: () => settings,
      samplePowerW,
    });
    return { pipeline, records, gate, settings, candidates };
  }

  function request(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
    return chatRequest(text, { id: `t-${Math.random()}`, workspace: { id: 'w1', name: 'W' }, session: 's1', ...extra });
  }

  async function collect(r: Rig, req: ChatRequest, target: Target = { kind: 'auto' }, signal = new AbortController().signal): Promise<PipelineEvent[]> {
    const events: PipelineEvent[] = [];
    for await (const e of r.pipeline.run(req, target, signal)) events.push(e);
    return events;
  }

  const RENAME = 'Rename the variable `tmp` to `total` in this function:\n\nfunction sum(a) { let tmp = 0; for (const x of a) tmp += x; return tmp; }';
  const DESIGN = 'Design a plugin architecture for our editor across these files: src/core/a.ts, src/core/b.ts, src/ui/c.ts, src/ui/d.ts, src/net/e.ts, src/net/f.ts. Weigh the trade-offs of an event bus versus dependency injection and how should I structure versioning of the plugin API so third parties do not break?';

  it('auto: a rename goes to a small local model through the real ollama client, and is recorded', async () => {
    const r = await rig();
    const events = await collect(r, request(RENAME));
    const decision = events.find((e) => e.type === 'decision');
    assert.ok(decision && decision.type === 'decision');
    assert.equal(decision.model.location, 'local', decision.decision.reason);
    const text = events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('');
    assert.ok(text.length > 0, 'streamed text');
    const chats = ollama.requestsTo('/api/chat');
    assert.equal(chats.length, 1);
    assert.equal(chats[0].body.model, decision.model.id);
    assert.equal(openai.requests.filter((q) => q.path.includes('chat/completions')).length, 0);
    const done = events.at(-1);
    assert.ok(done && done.type === 'done');
    const rec = done.record;
    assert.equal(r.records.length, 1);
    assert.equal(rec.outcome, 'ok');
    assert.equal(rec.tokens.source, 'reported');
    assert.equal(rec.tokens.input, chats[0].reported?.prompt_eval_count);
    assert.equal(rec.tokens.output, chats[0].reported?.eval_count);
    assert.equal(rec.energy.method.startsWith('local'), true);
    assert.ok(rec.energy.wh > 0 && rec.energy.low <= rec.energy.wh && rec.energy.wh <= rec.energy.high);
    assert.ok(rec.counterfactual && rec.counterfactual.wh > rec.energy.wh, 'the reference model would have cost more');
    assert.equal(rec.decision.mode, 'auto');
    assert.equal(rec.decision.followed, true);
  });

  it('auto: a multi-file design question goes to a strong cloud model', async () => {
    const r = await rig();
    const events = await collect(r, request(DESIGN));
    const d = events.find((e) => e.type === 'decision');
    assert.ok(d && d.type === 'decision');
    assert.equal(d.model.location, 'cloud', d.decision.reason);
    const sent = openai.requests.filter((q) => q.path.endsWith('/chat/completions'));
    assert.equal(sent.length, 1);
    assert.equal(sent[0].headers.authorization, `Bearer ${KEY}`);
    const rec = r.records[0];
    assert.equal(rec.model.location, 'cloud');
    assert.ok(rec.cost.usd > 0);
  });

  it('suggest mode: uses the picked model and records what would have sufficed', async () => {
    const r = await rig({}, { mode: 'suggest' });
    const events = await collect(r, request(RENAME), { kind: 'model', modelId: 'gpt-5' });
    const d = events.find((e) => e.type === 'decision');
    assert.ok(d && d.type === 'decision');
    assert.equal(d.model.id, 'gpt-5');
    assert.ok(d.suggestion && d.suggestion.location === 'local', 'suggests a local model for a rename');
    const rec = r.records[0];
    assert.equal(rec.decision.mode, 'suggest');
    assert.equal(rec.decision.chosen, 'gpt-5');
    assert.equal(rec.decision.followed, false);
    assert.ok(rec.suggestedEstimate && rec.suggestedEstimate.usd < rec.cost.usd, 'missed savings are recorded');
  });

  it('cancellation aborts the backend at once and records `cancelled` with partial usage', async () => {
    const r = await rig();
    ollama.script({ text: 'word '.repeat(400), tokensPerSecond: 50 });
    const ac = new AbortController();
    const events: PipelineEvent[] = [];
    const run = (async () => { for await (const e of r.pipeline.run(request(RENAME), { kind: 'auto' }, ac.signal)) { events.push(e); if (e.type === 'text') ac.abort(); } })();
    await run;
    await ollama.waitForAbort(1, 3000);
    const rec = r.records.at(-1)!;
    assert.equal(rec.outcome, 'cancelled');
    assert.ok(rec.tokens.input > 0, 'partial usage recorded');
    assert.ok(events.some((e) => e.type === 'done'));
  });

  it('block budget: a cloud request is refused with a clear message and nothing reaches the server', async () => {
    const r = await rig({ limits: { day: { usd: 0.0001 } }, action: 'block' }, { mode: 'off' });
    r.gate.record({ tokens: 1000, wh: 1, usd: 0.001 });
    const events = await collect(r, request('hello'), { kind: 'model', modelId: 'gpt-5' });
    const blocked = events.find((e) => e.type === 'blocked');
    assert.ok(blocked && blocked.type === 'blocked');
    assert.match(blocked.message, /budget|limit/i);
    assert.equal(openai.requests.filter((q) => q.path.endsWith('/chat/completions')).length, 0);
    assert.equal(r.records.at(-1)!.outcome, 'blocked');
    assert.equal(r.records.at(-1)!.cost.usd, 0);
  });

  it('block budget in auto mode: routes to a local model instead, nothing reaches the cloud', async () => {
    const r = await rig({ limits: { day: { usd: 0.0001 } }, action: 'block' });
    r.gate.record({ tokens: 1000, wh: 1, usd: 0.001 });
    await collect(r, request(DESIGN));
    assert.equal(openai.requests.filter((q) => q.path.endsWith('/chat/completions')).length, 0);
    assert.equal(r.records.at(-1)!.model.location, 'local');
    assert.equal(r.records.at(-1)!.outcome, 'ok');
  });

  it('preferLocal budget: a picked cloud model is downgraded to a local one, and the answer says so', async () => {
    const r = await rig({ limits: { day: { usd: 0.0001 } }, action: 'preferLocal' }, { mode: 'off' });
    r.gate.record({ tokens: 1000, wh: 1, usd: 0.001 });
    const events = await collect(r, request('Explain this regex: ^a+$'), { kind: 'model', modelId: 'gpt-5' });
    const notice = events.find((e) => e.type === 'notice');
    assert.ok(notice && notice.type === 'notice' && notice.inResponse, 'a notice in the response');
    assert.match(notice.message, /local/);
    assert.equal(openai.requests.filter((q) => q.path.endsWith('/chat/completions')).length, 0);
    assert.equal(r.records.at(-1)!.model.location, 'local');
  });

  it('local energy uses the GPU power measured during generation when a sampler gives one', async () => {
    let samples = 0;
    const r = await rig({}, { mode: 'off' }, async () => { samples++; return 320; });
    await collect(r, request(RENAME), { kind: 'model', modelId: 'qwen2.5-coder:7b' });
    const rec = r.records.at(-1)!;
    assert.equal(samples, 1, 'sampled once per request');
    assert.equal(rec.energy.method, 'local-measured');
    const chat = ollama.requestsTo('/api/chat').at(-1)!.reported as { prompt_eval_duration: number; eval_duration: number; load_duration: number };
    const hours = (chat.prompt_eval_duration + chat.eval_duration + chat.load_duration) / 1e9 / 3600;
    assert.ok(rec.energy.wh >= 320 * hours * 0.999, `at least the GPU's 320 W over Ollama's time: ${rec.energy.wh} vs ${320 * hours}`);
    const profile = await rig({}, { mode: 'off' }, async () => undefined);
    await collect(profile, request(RENAME), { kind: 'model', modelId: 'qwen2.5-coder:7b' });
    assert.equal(profile.records.at(-1)!.energy.method, 'local-profile');
  });

  it('an Ollama model the server only forwards (remote) is not metered with this machine\'s GPU power', async () => {
    let samples = 0;
    const r = await rig({}, { mode: 'off' }, async () => { samples++; return 320; });
    const i = r.candidates.findIndex((m) => m.id === 'qwen2.5-coder:7b');
    r.candidates[i] = { ...r.candidates[i], remote: true };
    await collect(r, request(RENAME), { kind: 'model', modelId: 'qwen2.5-coder:7b' });
    const rec = r.records.at(-1)!;
    assert.equal(samples, 0, 'no local power sample for a model that runs elsewhere');
    assert.notEqual(rec.energy.method, 'local-measured');
  });

  it('auto: a failing local model falls back to the next candidate and says so', async () => {
    const r = await rig();
    ollama.script({ status: 500, error: 'CUDA error: out of memory' });
    const events = await collect(r, request(RENAME));
    const notice = events.find((e) => e.type === 'notice');
    assert.ok(notice && notice.type === 'notice', 'the user is told');
    assert.match(notice.message, /failed/);
    const decisions = events.filter((e) => e.type === 'decision');
    assert.equal(decisions.length, 2);
    assert.equal(r.records.length, 2);
    assert.equal(r.records[0].outcome, 'error');
    assert.equal(r.records[1].outcome, 'ok');
    assert.notEqual(r.records[0].model.id, r.records[1].model.id);
  });

  it('a model id offered by two providers (Copilot reuses makers\' ids) is told apart by provider', async () => {
    const r = await rig({}, { mode: 'off' });
    const viaCopilot: ModelSpec = { ...r.candidates.find((m) => m.id === 'gpt-5-mini')!, provider: 'copilot' };
    r.candidates.push(viaCopilot);
    await collect(r, request('hi'), { kind: 'model', modelId: 'gpt-5-mini', provider: 'copilot' });
    assert.equal(r.records.at(-1)!.model.provider, 'copilot');
    await collect(r, request('hi'), { kind: 'model', modelId: 'gpt-5-mini', provider: 'openai' });
    assert.equal(r.records.at(-1)!.model.provider, 'openai');
  });

  it('manual pick of a missing model fails with a clear message', async () => {
    const r = await rig({}, { mode: 'off' });
    await assert.rejects(collect(r, request('hi'), { kind: 'model', modelId: 'nope:1b' }), (e: unknown) => e instanceof PipelineError && /no model "nope:1b"/.test(e.message));
  });

  it('tool calls round-trip: a tool call is streamed, the tool result reaches the server as a tool message', async () => {
    const r = await rig({}, { mode: 'off' });
    const tools = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
    ollama.script({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] });
    const first = await collect(r, request('Open src/a.ts', { tools }), { kind: 'model', modelId: 'qwen2.5-coder:7b' });
    const call = first.find((e) => e.type === 'toolCall');
    assert.ok(call && call.type === 'toolCall');
    assert.equal(call.name, 'read_file');
    assert.deepEqual(call.input, { path: 'src/a.ts' });
    const followUp = request('Open src/a.ts', {
      tools,
      messages: [
        { role: 'user', content: 'Open src/a.ts' },
        { role: 'assistant', content: [{ type: 'toolCall', callId: call.callId, name: call.name, input: call.input }] },
        { role: 'user', content: [{ type: 'toolResult', callId: call.callId, content: 'export const a = 1;' }] },
      ],
    });
    await collect(r, followUp, { kind: 'model', modelId: 'qwen2.5-coder:7b' });
    const second = ollama.requestsTo('/api/chat').at(-1)!;
    const toolMsg = second.body.messages.find((m: { role: string }) => m.role === 'tool');
    assert.ok(toolMsg, JSON.stringify(second.body.messages));
    assert.equal(toolMsg.content, 'export const a = 1;');
    const asst = second.body.messages.find((m: { role: string }) => m.role === 'assistant');
    assert.equal(asst.tool_calls[0].function.name, 'read_file');
  });
});
