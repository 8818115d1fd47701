// A runaway agent loop through the whole pipeline (real router, estimator, gate, conversation budget and
// the real `ollama` / OpenAI clients) against fakes that answer every request with another tool call: the
// per-conversation limit stops it at the limit.
import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { AskConversationLimit, ConversationBudget } from '../../../src/core/budget/conversationBudget';
import { ConversationPolicy } from '../../../src/core/budget/conversationBudgetConfig';
import { Catalog } from '../../../src/core/catalog/catalog';
import { describeOllamaModel } from '../../../src/core/catalog/ollamaModels';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import { Pipeline, PipelineEvent, Target } from '../../../src/core/pipeline';
import { sharedTokenCounter } from '../../../src/core/tokens';
import type { ChatMessage, ChatRequest, ToolDefinition, UsageRecord } from '../../../src/core/types';
import { useFakeBackends } from '../../util/fakeBackends';

const KEY = 'sk-test-conversation-0123456789';
const TOOLS: ToolDefinition[] = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
const FILE = 'export const line = "some code that the agent keeps reading";\n'.repeat(40);

describe('pipeline: a per-conversation budget stops a runaway tool loop', function () {
  this.timeout(30_000);
  const fakes = useFakeBackends({ openaiKey: KEY });

  async function rig(policy: ConversationPolicy, ask?: AskConversationLimit) {
    const catalog = Catalog.builtIn();
    const ollamaBackend = new OllamaBackend({ host: fakes.ollama.url });
    const local = (await ollamaBackend.discoverModels()).map((f) => describeOllamaModel(f.tag, f.show, catalog)).filter((m) => m.location === 'local');
    const candidates = [...local, catalog.get('gpt-5-mini')!];
    const openaiBackend = new OpenAICompatibleBackend({ baseUrl: `${fakes.openai.url}/v1`, apiKey: async () => KEY, provider: 'openai' });
    const records: UsageRecord[] = [];
    const conversations = new ConversationBudget(policy, { ask });
    const pipeline = new Pipeline({
      candidates: async () => candidates,
      backendFor: (m) => (m.provider === 'ollama' ? ollamaBackend : openaiBackend),
      countInputTokens: (r) => sharedTokenCounter().countMessages(r.messages, r.tools),
      gate: new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn' }),
      conversations,
      append: (r) => records.push(r),
      // `off`: the picked model answers (meter only), as when the user picks a model in the chat.
      settings: () => ({ mode: 'off', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '' }),
    });
    return { pipeline, records, conversations };
  }

  /** Drives the loop as an agent host does: each tool call is answered with the file, then sent again. */
  async function runLoop(pipeline: Pipeline, target: Target, maxRounds: number, conversationId?: string) {
    const messages: ChatMessage[] = [{ role: 'user', content: 'Find every use of `line` in this project and rename it.' }];
    const rounds: PipelineEvent[][] = [];
    for (let i = 0; i < maxRounds; i++) {
      const request: ChatRequest = { id: `r${i}`, messages: [...messages], tools: TOOLS, surface: 'chat', workspace: { id: 'w', name: 'W' }, session: 's', ...(conversationId ? { conversationId } : {}) };
      const events: PipelineEvent[] = [];
      for await (const e of pipeline.run(request, target, new AbortController().signal)) events.push(e);
      rounds.push(events);
      const call = events.find((e) => e.type === 'toolCall');
      if (!call || call.type !== 'toolCall') break;
      messages.push({ role: 'assistant', content: [{ type: 'toolCall', callId: call.callId, name: call.name, input: call.input }] });
      messages.push({ role: 'user', content: [{ type: 'toolResult', callId: call.callId, content: FILE }] });
    }
    return rounds;
  }

  const spent = (rs: UsageRecord[]) => rs.filter((r) => r.outcome === 'ok').reduce((n, r) => n + r.tokens.input + r.tokens.output, 0);

  it('block, cloud: the loop stops at the token limit; the ledger holds no more than the limit', async () => {
    const LIMIT = 12_000;
    const r = await rig({ limits: { tokens: LIMIT }, action: 'block' });
    fakes.openai.script(...Array.from({ length: 30 }, () => ({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] })));
    const rounds = await runLoop(r.pipeline, { kind: 'model', modelId: 'gpt-5-mini' }, 30);
    const sent = fakes.openai.requestsTo('/v1/chat/completions');
    const ok = r.records.filter((x) => x.outcome === 'ok');
    const blocked = r.records.filter((x) => x.outcome === 'blocked');
    assert.ok(sent.length >= 2, `the loop ran several rounds before the limit (${sent.length})`);
    assert.ok(fakes.openai.pendingReplies > 0, 'the budget stopped the loop, not the end of the script');
    assert.equal(ok.length, sent.length, 'one ok record per request that reached the backend');
    assert.equal(blocked.length, 1, 'one refused request, then the loop ended');
    assert.equal(rounds.length, sent.length + 1);
    const total = spent(r.records);
    assert.ok(total <= LIMIT, `ledger total ${total} ≤ limit ${LIMIT}`);
    const last = rounds.at(-1)!.find((e) => e.type === 'blocked');
    assert.ok(last && last.type === 'blocked');
    const needed = Number(/needs about ([\d,]+) tokens/.exec(last.message)![1].replace(/,/g, ''));
    assert.ok(total + needed > LIMIT, `the refused request would have crossed the limit: ${total} + ${needed} > ${LIMIT}`);
    assert.match(last.message, /this conversation's token budget of 12,000 tokens would be exceeded/);
  });

  it('ask, local: the user is asked once at the limit; Stop ends the loop with a clear line, nothing more reaches Ollama', async () => {
    const LIMIT = 9_000;
    const asked: number[] = [];
    const r = await rig({ limits: { tokens: LIMIT }, action: 'ask' }, async (e) => { asked.push(e.used); return { kind: 'stop' }; });
    fakes.ollama.script(...Array.from({ length: 30 }, () => ({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] })));
    const rounds = await runLoop(r.pipeline, { kind: 'model', modelId: 'qwen2.5-coder:7b' }, 30, 'copilot-session-1');
    const sent = fakes.ollama.requestsTo('/api/chat');
    assert.ok(sent.length >= 2, `several rounds ran (${sent.length})`);
    assert.equal(asked.length, 1, 'asked once');
    assert.equal(r.records.filter((x) => x.outcome === 'ok').length, sent.length);
    const total = spent(r.records);
    assert.ok(total <= LIMIT, `ledger total ${total} ≤ ${LIMIT}`);
    assert.equal(asked[0], total, 'the question reported what the ledger holds for the conversation');
    const usage = r.conversations.usage('client:copilot-session-1');
    assert.deepEqual([usage.tokens, usage.requests], [total, sent.length], 'counted under Copilot\'s conversation id');
    const stop = rounds.at(-1)!.find((e) => e.type === 'blocked');
    assert.ok(stop && stop.type === 'blocked');
    assert.match(stop.message, /^Rightsize stopped this conversation at its token budget of 9,000 tokens/);
  });

  it('ask, Continue: the loop goes on to one more limit’s worth and is asked again there', async () => {
    const LIMIT = 6_000;
    const answers = ['continue', 'stop'] as const;
    let n = 0;
    const r = await rig({ limits: { tokens: LIMIT }, action: 'ask' }, async () => ({ kind: answers[n++] ?? 'stop' }));
    fakes.ollama.script(...Array.from({ length: 30 }, () => ({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] })));
    await runLoop(r.pipeline, { kind: 'model', modelId: 'qwen2.5-coder:7b' }, 30);
    assert.equal(n, 2, 'asked at the limit and again at twice the limit');
    const total = spent(r.records);
    assert.ok(total > LIMIT && total <= 2 * LIMIT, `after Continue the conversation spent past ${LIMIT} but not past ${2 * LIMIT}: ${total}`);
  });
});
