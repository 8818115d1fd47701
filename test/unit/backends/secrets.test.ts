// No API key may appear in any error: message, stack, JSON, string form or own properties.
// Every error path is forced with a recognisable canary key; the fakes (or a hostile fetch) echo it back.
import * as assert from 'node:assert/strict';
import { AnthropicBackend } from '../../../src/core/backends/anthropicBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { Backend, BackendError, ModelSpec } from '../../../src/core/types';
import { startFakeAnthropic, FakeAnthropic } from '../../fakes/fakeAnthropic';
import { startFakeOpenAI, FakeOpenAI } from '../../fakes/fakeOpenAI';
import { closedPort, drain, req, spec } from './helpers';

const CANARY = 'sk-CANARY-rightsize-9f8e7d6c5b4a3210ZZ';

function assertNoKey(e: unknown, where: string): void {
  assert.ok(e instanceof BackendError, `${where}: expected a BackendError, got ${String(e)}`);
  const err = e as BackendError;
  const views = [
    err.message,
    String(err.stack),
    String(err),
    JSON.stringify(err),
    JSON.stringify(Object.getOwnPropertyNames(err).map((k) => [k, String((err as unknown as Record<string, unknown>)[k])])),
  ];
  for (const v of views) {
    assert.ok(!v.includes(CANARY), `${where}: the key leaked into ${v}`);
    // Nor a recognisable piece of it (OpenAI echoes a masked key: first 3 + last 4 characters).
    assert.ok(!v.includes(CANARY.slice(-10)), `${where}: a piece of the key leaked into ${v}`);
    assert.ok(!v.includes('CANARY'), `${where}: a piece of the key leaked into ${v}`);
  }
}

async function errorOf(backend: Backend, model: ModelSpec, signal = new AbortController().signal): Promise<unknown> {
  const d = await drain(backend.stream(model, req([{ role: 'user', content: `please ${CANARY.slice(0, 3)}` }]), signal));
  return d.error;
}

/** A fetch that answers with `body` at `status`, as a hostile or buggy server echoing the key would. */
function echoing(status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): typeof fetch {
  return async () => new Response(body, { status, headers });
}

describe('no API key in errors', () => {
  let openai: FakeOpenAI;
  let anthropic: FakeAnthropic;
  const gpt = spec('gpt-4o-mini', 'openai');
  const claude = spec('claude-haiku-4-5', 'anthropic');

  before(async () => {
    openai = await startFakeOpenAI({ apiKey: 'sk-the-right-one-000000' });
    anthropic = await startFakeAnthropic({ apiKey: 'sk-ant-the-right-one-000' });
  });
  after(async () => { await openai.close(); await anthropic.close(); });

  it('OpenAI: 401 with the server echoing the masked key', async () => {
    const b = new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => CANARY });
    const e = await errorOf(b, gpt);
    assert.equal((e as BackendError).kind, 'auth');
    assertNoKey(e, 'openai 401');
    // The request did carry the key (so the test really exercised it).
    assert.equal(openai.requests[openai.requests.length - 1].headers.authorization, `Bearer ${CANARY}`);
  });

  const hostile: Array<[string, number, string, BackendError['kind']]> = [
    ['400 echoing the key', 400, JSON.stringify({ error: { message: `Invalid header: Bearer ${CANARY}`, type: 'invalid_request_error' } }), 'badRequest'],
    ['403 echoing the key', 403, JSON.stringify({ error: { message: `key ${CANARY} may not use this model` } }), 'auth'],
    ['404 echoing the key', 404, JSON.stringify({ error: { message: `no model for key ${CANARY}` } }), 'notFound'],
    ['429 echoing the key', 429, JSON.stringify({ error: { message: `rate limit for ${CANARY}` } }), 'rateLimit'],
    ['500 echoing the key in plain text', 500, `internal error while handling Authorization: Bearer ${CANARY}`, 'server'],
    ['529 echoing the key', 529, JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: CANARY } }), 'server'],
  ];
  for (const [name, status, body, kind] of hostile) {
    it(`OpenAI-compatible: ${name}`, async () => {
      const b = new OpenAICompatibleBackend({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: async () => CANARY, fetch: echoing(status, body) });
      const e = await errorOf(b, gpt);
      assert.equal((e as BackendError).kind, kind);
      assertNoKey(e, name);
    });
    it(`Anthropic: ${name}`, async () => {
      const b = new AnthropicBackend({ baseUrl: 'http://127.0.0.1:9', apiKey: async () => CANARY, fetch: echoing(status, body) });
      const e = await errorOf(b, claude);
      assert.equal((e as BackendError).kind, kind);
      assertNoKey(e, name);
    });
  }

  it('OpenAI-compatible and Anthropic: a mid-stream error event echoing the key', async () => {
    const sseHeaders = { 'content-type': 'text/event-stream' };
    const o = new OpenAICompatibleBackend({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: async () => CANARY,
      fetch: echoing(200, `data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: {"error":{"message":"bad key ${CANARY}"}}\n\n`, sseHeaders) });
    assertNoKey(await errorOf(o, gpt), 'openai mid-stream');
    const a = new AnthropicBackend({ baseUrl: 'http://127.0.0.1:9', apiKey: async () => CANARY,
      fetch: echoing(200, `event: error\ndata: {"type":"error","error":{"type":"api_error","message":"bad key ${CANARY}"}}\n\n`, sseHeaders) });
    assertNoKey(await errorOf(a, claude), 'anthropic mid-stream');
  });

  it('a fetch that throws with the key in its message', async () => {
    const throwing: typeof fetch = async (_url, init) => {
      throw new Error(`request failed: ${JSON.stringify(init?.headers)}`);
    };
    const o = new OpenAICompatibleBackend({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: async () => CANARY, fetch: throwing });
    assertNoKey(await errorOf(o, gpt), 'openai fetch throws');
    const a = new AnthropicBackend({ baseUrl: 'http://127.0.0.1:9', apiKey: async () => CANARY, fetch: throwing });
    assertNoKey(await errorOf(a, claude), 'anthropic fetch throws');
  });

  it('Anthropic: 401, 429 and 529 from the fake', async () => {
    const b = new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => CANARY });
    assertNoKey(await errorOf(b, claude), 'anthropic 401');
    assert.equal(anthropic.requests[anthropic.requests.length - 1].headers['x-api-key'], CANARY);
    const good = new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => 'sk-ant-the-right-one-000' });
    anthropic.script({ status: 429, retryAfterSeconds: 3, error: `limit for ${CANARY}` }, { status: 529, error: CANARY });
    // A key-looking string in a server message is scrubbed even when it is not the key in use.
    const e1 = await errorOf(good, claude);
    assert.equal((e1 as BackendError).kind, 'rateLimit');
    const e2 = await errorOf(good, claude);
    assert.equal((e2 as BackendError).kind, 'server');
    for (const e of [e1, e2]) assert.ok(!(e as Error).message.includes(CANARY));
  });

  it('unreachable endpoints and cancellation', async () => {
    const port = await closedPort();
    const o = new OpenAICompatibleBackend({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: async () => CANARY });
    const e1 = await errorOf(o, gpt);
    assert.equal((e1 as BackendError).kind, 'unreachable');
    assertNoKey(e1, 'unreachable');
    const ctrl = new AbortController();
    ctrl.abort();
    const a = new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => CANARY });
    const e2 = await errorOf(a, claude, ctrl.signal);
    assert.equal((e2 as BackendError).kind, 'cancelled');
    assertNoKey(e2, 'cancelled');
  });
});
