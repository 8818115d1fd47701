// The door's path with Ollama's real windows: the captured Agent envelope through the pipeline. Local
// models are described as the chat door describes them (their window capped by context_length and
// memory, withWindowCap), so a prompt larger than every local window goes to a model whose window fits,
// or gets a clear message; the record names the window used.
import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { withWindowCap } from '../../../src/core/backends/ollamaContextWindow';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { Catalog } from '../../../src/core/catalog/catalog';
import { describeOllamaModel } from '../../../src/core/catalog/ollamaModels';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import { Pipeline, PipelineEvent, PipelineSettings } from '../../../src/core/pipeline';
import { sharedTokenCounter } from '../../../src/core/tokens';
import { ChatRequest, UsageRecord } from '../../../src/core/types';
import { FakeOllama, FakeOpenAI, startFakeOllama, startFakeOpenAI } from '../../fakes';
import { providerRequests } from '../../util/envelopes';

const KEY = 'sk-test-window-0123456789';
const count = (r: ChatRequest): number => sharedTokenCounter().countMessages(r.messages, r.tools);

describe('pipeline: Ollama windows for the captured Agent envelope', function () {
  this.timeout(30_000);
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
  beforeEach(() => { ollama.reset(); openai.reset(); });

  /** A pipeline whose Ollama machine has `memoryGiB` (caps every local window). */
  async function rig(memoryGiB: number, localOnly = false): Promise<{ pipeline: Pipeline; records: UsageRecord[] }> {
    const catalog = Catalog.builtIn();
    const backend = new OllamaBackend({ host: ollama.url, memoryBytes: memoryGiB * 2 ** 30, countPromptTokens: count });
    const found = await backend.discoverModels();
    const local = found.map((f) => withWindowCap(describeOllamaModel(f.tag, f.show, catalog), backend.contextCap(f.tag))).filter((m) => m.location === 'local');
    const candidates = [...local, catalog.get('gpt-5-mini')!];
    const openaiBackend = new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => KEY, provider: 'openai' });
    const records: UsageRecord[] = [];
    const settings: PipelineSettings = { mode: 'auto', objective: 'balanced', localOnly, estimate: defaultEstimateSettings(), referenceModel: '' };
    const pipeline = new Pipeline({
      candidates: async () => candidates,
      backendFor: (m) => (m.provider === 'ollama' ? backend : openaiBackend),
      countInputTokens: count,
      gate: new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn' }),
      append: (r) => records.push(r),
      settings: () => settings,
    });
    return { pipeline, records };
  }

  async function run(pipeline: Pipeline, r: ChatRequest): Promise<PipelineEvent[]> {
    const events: PipelineEvent[] = [];
    for await (const e of pipeline.run(r, { kind: 'auto' }, new AbortController().signal)) events.push(e);
    return events;
  }

  it('with room, a local model answers and the record names the window it used', async () => {
    const { pipeline, records } = await rig(64, true);
    const [first] = providerRequests('vscode-agent-rename-toolloop.json');
    ollama.script({ chunks: [], toolCalls: [{ name: 'read_file', arguments: { filePath: '/w/app.js', startLine: 1, endLine: 3 } }] });
    await run(pipeline, first);
    const chats = ollama.requestsTo('/api/chat');
    assert.equal(chats.length, 1, 'a local model answered');
    assert.equal(records.length, 1);
    assert.equal(records[0].model.location, 'local');
    assert.equal(records[0].ollama?.numCtx, chats[0].body.options.num_ctx);
    assert.ok(records[0].ollama!.numCtx >= count(first));
    assert.equal(records[0].ollama?.sentTokens, count(first));
    assert.equal(records[0].ollama?.evaluatedTokens, records[0].tokens.input);
  });

  it('a prompt larger than every local window goes to a model whose window fits', async () => {
    // 2 GiB: what is left beside the weights holds at most ~11k tokens of KV cache for any fake model.
    const { pipeline, records } = await rig(2);
    const [first] = providerRequests('vscode-agent-rename-toolloop.json');
    const events = await run(pipeline, first);
    const decision = events.find((e) => e.type === 'decision') as Extract<PipelineEvent, { type: 'decision' }>;
    assert.equal(decision.model.location, 'cloud', `chose ${decision.model.id}`);
    assert.equal(ollama.requestsTo('/api/chat').length, 0, 'nothing was sent to a window that cannot hold it');
    assert.equal(records[0].model.id, 'gpt-5-mini');
  });

  it('local only and no local window fits: a clear message, nothing sent', async () => {
    const { pipeline } = await rig(2, true);
    const [first] = providerRequests('vscode-agent-rename-toolloop.json');
    await assert.rejects(run(pipeline, first), /no local model can take this request.*needs 1[\d.]+k tokens of context, window/);
    assert.equal(ollama.requestsTo('/api/chat').length, 0);
  });
});
