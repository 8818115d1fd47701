// The context window of Ollama requests: the rules (ollamaContextWindow.ts), then what reaches the fake
// Ollama for the captured Agent-mode envelope of VS Code 1.139 (17k tokens, 39 tools, a read_file loop
// and a follow-up turn).
import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import {
  ContextWindowChooser, DEFAULT_OUTPUT_RESERVE_TOKENS, neededWindowTokens, stepUp, windowCap, windowLimitsFromShow, WINDOW_STEPS_TOKENS,
} from '../../../src/core/backends/ollamaContextWindow';
import { PromptEvalCheck } from '../../../src/core/backends/ollamaPromptCheck';
import { sharedTokenCounter } from '../../../src/core/tokens';
import { BackendError, ChatRequest } from '../../../src/core/types';
import { DEFAULT_OLLAMA_MODELS, FakeOllama, FakeOllamaModel, startFakeOllama } from '../../fakes/fakeOllama';
import { providerRequests } from '../../util/envelopes';
import { drain, spec } from './helpers';

const AGENT = 'vscode-agent-rename-toolloop.json';
const count = (r: ChatRequest): number => sharedTokenCounter().countMessages(r.messages, r.tools);
const coder7b = DEFAULT_OLLAMA_MODELS.find((m) => m.name === 'qwen2.5-coder:7b')!;

describe('Ollama context window: the rules', () => {
  it('rounds prompt + output (+ margin) up to a step', () => {
    assert.equal(stepUp(1), 4096);
    assert.equal(stepUp(4097), 8192);
    assert.equal(stepUp(20_000), 32_768);
    assert.equal(stepUp(10 ** 9), WINDOW_STEPS_TOKENS[WINDOW_STEPS_TOKENS.length - 1]);
    assert.ok(neededWindowTokens(17_000, 4096) > 17_000 + 4096, 'the margin is added');
  });

  it('reads context_length and the KV cache size from /api/show, and caps by memory', () => {
    const limits = windowLimitsFromShow({ model_info: {
      'general.architecture': 'qwen2', 'qwen2.context_length': 32_768, 'qwen2.block_count': 28,
      'qwen2.embedding_length': 3584, 'qwen2.attention.head_count': 28, 'qwen2.attention.head_count_kv': 4,
    } }, 4_683_087_019);
    // 2 (K, V) x 28 layers x 4 KV heads x 128 (3584 / 28) x 2 bytes (f16).
    assert.equal(limits.kvBytesPerToken, 2 * 28 * 4 * 128 * 2);
    assert.equal(windowCap(limits, undefined).tokens, 32_768);
    assert.equal(windowCap(limits, 64 * 2 ** 30).tokens, 32_768, 'plenty of memory: context_length caps');
    const small = windowCap(limits, 6 * 2 ** 30);
    // 6 GiB x 0.8 - 4.36 GiB of weights leaves ~0.44 GiB: ~8k tokens of 56 KiB each.
    assert.ok(small.tokens < 32_768 && small.tokens >= 4096, `cap ${small.tokens}`);
    assert.match(small.limitedBy, /memory/);
  });

  it('keeps a conversation on one window while its prompts fit, and grows by whole steps', () => {
    const chooser = new ContextWindowChooser();
    const cap = { tokens: 131_072, limitedBy: 'test' };
    const a = chooser.choose({ conversationId: 'c1', modelId: 'm', promptTokens: 17_000, cap });
    const b = chooser.choose({ conversationId: 'c1', modelId: 'm', promptTokens: 3_000, cap });
    const other = chooser.choose({ conversationId: 'c2', modelId: 'm', promptTokens: 3_000, cap });
    assert.ok(a.ok && b.ok && other.ok);
    assert.equal(a.numCtx, 32_768);
    assert.equal(b.numCtx, 32_768, 'a smaller prompt later in the conversation keeps the window (no reload)');
    assert.equal(other.numCtx, 8192);
    const grown = chooser.choose({ conversationId: 'c1', modelId: 'm', promptTokens: 40_000, cap });
    assert.ok(grown.ok);
    assert.equal(grown.numCtx, 65_536);
  });

  it('cuts the output, not the prompt, near the cap; refuses a prompt that does not fit', () => {
    const chooser = new ContextWindowChooser();
    const cap = { tokens: 32_768, limitedBy: 'its context_length 32k' };
    const near = chooser.choose({ conversationId: 'c', modelId: 'm', promptTokens: 27_000, cap });
    assert.ok(near.ok);
    assert.equal(near.numCtx, 32_768);
    assert.ok(near.numPredict !== undefined && near.numPredict < DEFAULT_OUTPUT_RESERVE_TOKENS && near.numPredict >= 1024, `num_predict ${near.numPredict}`);
    const refused = chooser.choose({ conversationId: 'd', modelId: 'qwen2.5-coder:7b', promptTokens: 40_000, cap });
    assert.equal(refused.ok, false);
    assert.match((refused as { message: string }).message, /40k tokens.*qwen2\.5-coder:7b.*32k.*context_length.*did not send it/);
  });

  it('warns when Ollama evaluated far fewer prompt tokens than sent, unless its cache explains it', () => {
    const check = new PromptEvalCheck();
    const first = 'system…'.repeat(1000);
    assert.equal(check.reusableTokens('m', first, 10_000), 0, 'nothing cached before the first request');
    const continuation = first + 'tool result';
    const reusable = check.reusableTokens('m', continuation, 10_100);
    assert.ok(reusable > 9_900, `the shared history is reusable (${reusable})`);
    assert.equal(PromptEvalCheck.judge({ modelId: 'm', numCtx: 16_384, sentTokens: 10_100, evaluatedTokens: 120, reusableTokens: reusable }).warning, undefined);
    const cut = PromptEvalCheck.judge({ modelId: 'm', numCtx: 16_384, sentTokens: 17_000, evaluatedTokens: 4096, reusableTokens: 0 });
    assert.match(cut.warning ?? '', /evaluated only 4096 of the ~17000 prompt tokens/);
    assert.equal(PromptEvalCheck.judge({ modelId: 'm', numCtx: 16_384, sentTokens: 17_000, evaluatedTokens: 15_500, reusableTokens: 0 }).warning, undefined, 'tokenizer differences are no cut');
  });
});

describe('Ollama context window: the captured 17k-token Agent envelope against the fake Ollama', () => {
  let fake: FakeOllama;
  afterEach(async () => { await fake?.close(); });

  async function start(models: FakeOllamaModel[]): Promise<OllamaBackend> {
    fake = await startFakeOllama({ models });
    return new OllamaBackend({ host: fake.url, memoryBytes: 64 * 2 ** 30, countPromptTokens: count });
  }

  it('without num_ctx the fake (like Ollama) drops the start of the prompt: the problem being fixed', async () => {
    fake = await startFakeOllama({ models: [coder7b] });
    const [first] = providerRequests(AGENT);
    const { toOllamaMessages, toOllamaTools } = await import('../../../src/core/backends/ollamaBackend');
    const res = await fetch(`${fake.url}/api/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: coder7b.name, messages: toOllamaMessages(first.messages), tools: toOllamaTools(first), stream: false }),
    });
    const body = await res.json() as { prompt_eval_count: number };
    assert.equal(body.prompt_eval_count, 4096);
    assert.ok(fake.requests[0].truncated && fake.requests[0].truncated.sentTokens > 12_000, JSON.stringify(fake.requests[0].truncated));
  });

  it('every request of the tool loop and the follow-up names one window ≥ the prompt; nothing is cut', async () => {
    const backend = await start([coder7b]);
    const requests = providerRequests(AGENT);
    const model = spec(coder7b.name, 'ollama', { contextTokens: 32_768 });
    const usages = [];
    for (const r of requests) {
      const d = await drain(backend.stream(model, r, new AbortController().signal));
      assert.equal(d.error, undefined);
      usages.push(d.usage!);
    }
    const chats = fake.requestsTo('/api/chat');
    assert.equal(chats.length, 3);
    const windows = chats.map((c) => c.body.options.num_ctx as number);
    const tokens = requests.map(count);
    const fakeCounts = chats.map((c) => Number(c.reported!.prompt_eval_count));
    // The "17k-token prompt" is Ollama's count (chars / 4 in the fake); o200k counts 13-14k.
    assert.ok(Math.max(...fakeCounts) > 16_000 && Math.max(...tokens) > 13_000, `the envelope is the 17k-token one (fake ${fakeCounts}; o200k ${tokens})`);
    for (let i = 0; i < 3; i++) {
      assert.ok(windows[i] >= tokens[i], `request ${i + 1}: num_ctx ${windows[i]} < ${tokens[i]} prompt tokens`);
      assert.ok(windows[i] >= fakeCounts[i], 'and ≥ what the fake counted');
      assert.equal(chats[i].truncated, undefined, `request ${i + 1} was cut`);
      assert.equal(usages[i].ollama!.numCtx, windows[i], 'the window is in the usage');
      assert.equal(usages[i].ollama!.sentTokens, tokens[i]);
      assert.equal(usages[i].ollama!.warning, undefined);
    }
    assert.equal(new Set(windows).size, 1, `one window across the turn and the conversation: ${windows}`);
    assert.equal(windows[0], 32_768);
  });

  it('refuses, before sending, a prompt larger than the model\'s window, with a message saying so', async () => {
    const small = { ...coder7b, name: 'tiny-coder:1b', contextLength: 8192 };
    const backend = await start([small]);
    const [first] = providerRequests(AGENT);
    const d = await drain(backend.stream(spec(small.name, 'ollama', { contextTokens: 8192 }), first, new AbortController().signal));
    assert.ok(d.error instanceof BackendError, String(d.error));
    assert.equal((d.error as BackendError).kind, 'badRequest');
    assert.match((d.error as Error).message, /tiny-coder:1b can take here: its largest window is 8k tokens \(its context_length 8k\)/);
    assert.equal(d.usage, undefined, 'nothing was sent, nothing is metered');
    assert.equal(fake.requestsTo('/api/chat').length, 0);
  });

  it('warns when Ollama reports far fewer prompt tokens than were sent', async () => {
    const warnings: string[] = [];
    fake = await startFakeOllama({ models: [coder7b] });
    const backend = new OllamaBackend({ host: fake.url, memoryBytes: 64 * 2 ** 30, countPromptTokens: count, onWarning: (m) => warnings.push(m) });
    const [first] = providerRequests(AGENT);
    fake.script({ text: 'ok', promptTokens: 2048 });
    const d = await drain(backend.stream(spec(coder7b.name, 'ollama'), first, new AbortController().signal));
    assert.equal(d.error, undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /evaluated only 2048 of the ~\d+ prompt tokens Rightsize sent to qwen2\.5-coder:7b/);
    assert.equal(d.usage!.ollama!.warning, warnings[0]);
  });
});
