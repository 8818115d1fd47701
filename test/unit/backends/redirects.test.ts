// Keys never follow a redirect: every backend refuses 3xx answers from its endpoint (same or other origin),
// with a message naming the endpoint and the target's origin and no key; the other origin receives nothing.
// (Before: Node's fetch followed them; `x-api-key` and, for 307/308, the whole prompt reached the other server.)
import * as assert from 'node:assert/strict';
import { AnthropicBackend } from '../../../src/core/backends/anthropicBackend';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { Backend, BackendError, ModelSpec } from '../../../src/core/types';
import { Catcher, startCatcher } from '../../fakes/catcher';
import { FakeAnthropic, startFakeAnthropic } from '../../fakes/fakeAnthropic';
import { FakeOllama, startFakeOllama } from '../../fakes/fakeOllama';
import { FakeOpenAI, startFakeOpenAI } from '../../fakes/fakeOpenAI';
import type { FakeServerBase } from '../../fakes/common';
import { drain, req, spec } from './helpers';

const OPENAI_KEY = 'sk-test-openai-0000';
const ANTHROPIC_KEY = 'sk-ant-test-0000';
const PROMPT = 'the secret plan is in src/plan.ts';

describe('backends refuse redirects', () => {
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  let anthropic: FakeAnthropic;
  let other: Catcher;

  before(async () => {
    [ollama, openai, anthropic, other] = await Promise.all([startFakeOllama(), startFakeOpenAI(), startFakeAnthropic(), startCatcher()]);
  });
  after(async () => { await Promise.all([ollama.close(), openai.close(), anthropic.close(), other.close()]); });
  beforeEach(() => { other.caught.length = 0; for (const f of [ollama, openai, anthropic]) f.reset(); });

  const cases: Array<{ name: string; fake: () => FakeServerBase; backend: () => Backend; model: ModelSpec; path: string; key?: string }> = [
    { name: 'Ollama', fake: () => ollama, backend: () => new OllamaBackend({ host: ollama.url }), model: spec('qwen2.5-coder:7b', 'ollama'), path: '/api/chat' },
    { name: 'OpenAI', fake: () => openai, backend: () => new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => OPENAI_KEY }), model: spec('gpt-4o-mini', 'openai'), path: '/v1/chat/completions', key: OPENAI_KEY },
    { name: 'Anthropic', fake: () => anthropic, backend: () => new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => ANTHROPIC_KEY }), model: spec('claude-haiku-4-5', 'anthropic'), path: '/v1/messages', key: ANTHROPIC_KEY },
  ];

  for (const c of cases) {
    for (const status of [301, 302, 307, 308] as const) {
      it(`${c.name}: ${status} to another origin is refused, and nothing reaches it`, async () => {
        c.fake().script({ fault: { kind: 'redirect', status, location: `${other.url}${c.path}` } });
        const d = await drain(c.backend().stream(c.model, req([{ role: 'user', content: PROMPT }]), new AbortController().signal));
        const leaked = other.caught.map((r) => `${r.method} ${r.path} key=${c.key ? JSON.stringify(r.headers).includes(c.key) : 'n/a'} prompt=${r.body.includes(PROMPT)}`);
        assert.deepEqual(leaked, [], 'nothing reaches the other origin');
        assert.ok(d.error instanceof BackendError, `expected a BackendError, got ${String(d.error)}`);
        const e = d.error as BackendError;
        assert.equal(e.kind, 'redirect');
        assert.ok(e.message.includes(`${c.fake().url}${c.path}`), `names the endpoint: ${e.message}`);
        assert.ok(e.message.includes(`to ${other.url}`), `names the target origin: ${e.message}`);
        assert.ok(e.message.includes(`(${status})`), e.message);
        if (c.key) assert.ok(!e.message.includes(c.key), 'no key in the message');
        assert.equal(c.fake().requestsTo(c.path).length, 1, 'the endpoint was asked once');
        assert.equal(d.usage, undefined, 'no usage part: nothing was generated');
      });
    }
    it(`${c.name}: a same-origin redirect is refused too (model endpoints never redirect)`, async () => {
      c.fake().script({ fault: { kind: 'redirect', status: 307, location: `${c.path}?moved=1` } });
      const d = await drain(c.backend().stream(c.model, req([{ role: 'user', content: PROMPT }]), new AbortController().signal));
      assert.equal((d.error as BackendError).kind, 'redirect', String(d.error));
      assert.ok((d.error as BackendError).message.includes(`to ${c.fake().url}`), (d.error as Error).message);
      assert.equal(c.fake().requestsTo(c.path).length, 1, 'not re-sent to the same origin either');
    });
  }

  it('Ollama model discovery (/api/tags) refuses a redirect as well', async () => {
    const redirecting = new OllamaBackend({
      host: ollama.url,
      fetch: async (input, init) => (String(input).endsWith('/api/tags')
        ? new Response(null, { status: 302, headers: { location: `${other.url}/api/tags` } })
        : fetch(input, init)),
    });
    await assert.rejects(redirecting.listTags(), (e: unknown) => e instanceof BackendError && e.kind === 'redirect' && e.message.includes(other.url));
    assert.equal(other.caught.length, 0);
  });
});
