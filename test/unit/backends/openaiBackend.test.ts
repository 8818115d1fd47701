// OpenAICompatibleBackend against the fake OpenAI server.
import * as assert from 'node:assert/strict';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BackendError } from '../../../src/core/types';
import { FakeOpenAI, startFakeOpenAI } from '../../fakes/fakeOpenAI';
import { closedPort, drain, req, spec } from './helpers';

describe('OpenAICompatibleBackend', () => {
  const KEY = 'sk-test-openai-0000';
  let fake: FakeOpenAI;
  let backend: OpenAICompatibleBackend;
  let keyReads: number;
  const gpt = spec('gpt-4.1', 'openai');

  beforeEach(async () => {
    fake = await startFakeOpenAI({ apiKey: KEY });
    keyReads = 0;
    backend = new OpenAICompatibleBackend({ baseUrl: `${fake.url}/v1`, apiKey: async () => { keyReads++; return KEY; } });
  });
  afterEach(async () => { await fake.close(); });

  it('streams text and maps the final usage chunk (cached and reasoning tokens)', async () => {
    fake.script({ text: 'Use a Map for O(1) lookups.', cachedTokens: 5, thinking: 'The user wants a data structure.' });
    const d = await drain(backend.stream(gpt, req([
      { role: 'system', content: 'Be concise.' },
      { role: 'user', content: 'Which structure for fast lookups by key?' },
    ], { temperature: 0, maxOutputTokens: 200 }), new AbortController().signal));
    assert.equal(d.error, undefined);
    assert.equal(d.text, 'Use a Map for O(1) lookups.');
    assert.equal(d.usageIndex, d.parts.length - 1);
    const r = fake.requestsTo('/v1/chat/completions')[0].reported as any;
    const u = d.usage!;
    assert.equal(u.source, 'reported');
    assert.deepEqual(u.tokens, {
      input: r.prompt_tokens,
      cachedInput: 5,
      output: r.completion_tokens,
      reasoning: r.completion_tokens_details.reasoning_tokens,
    });
    assert.ok(u.tokens.reasoning > 0);
    assert.equal(u.doneReason, 'stop');
    assert.ok(u.ttftMs !== undefined && u.ttftMs <= u.durationMs);
    const rec = fake.requestsTo('/v1/chat/completions')[0];
    assert.equal(rec.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(rec.body.stream_options, { include_usage: true });
    assert.equal(rec.body.stream, true);
    assert.equal(rec.body.max_completion_tokens, 200);
    assert.equal(rec.body.temperature, 0);
    assert.deepEqual(rec.body.messages, [{ role: 'system', content: 'Be concise.' }, { role: 'user', content: 'Which structure for fast lookups by key?' }]);
    assert.equal(keyReads, 1);
  });

  it('assembles parallel tool calls from fragments and sends tool results with tool_call_id', async () => {
    const tools = [
      { name: 'grep', description: 'search', inputSchema: { type: 'object', properties: { pattern: { type: 'string' } } } },
      { name: 'read_file', description: 'read', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
    ];
    fake.script({ text: '', chunks: [], toolCalls: [
      { name: 'grep', arguments: { pattern: 'TODO', flags: ['-n', '-r'] } },
      { name: 'read_file', arguments: { path: 'src/very/long/path/to/a/file.ts' } },
    ] });
    const first = await drain(backend.stream(gpt, req([{ role: 'user', content: 'find todos' }], { tools }), new AbortController().signal));
    assert.equal(first.error, undefined);
    assert.deepEqual(first.toolCalls.map((c) => [c.name, c.input]), [
      ['grep', { pattern: 'TODO', flags: ['-n', '-r'] }],
      ['read_file', { path: 'src/very/long/path/to/a/file.ts' }],
    ]);
    assert.ok(first.toolCalls.every((c) => /^call_/.test(c.callId)));
    assert.equal(first.usage!.doneReason, 'tool_calls');
    assert.deepEqual(fake.requestsTo('/v1/chat/completions')[0].body.tools[0], {
      type: 'function', function: { name: 'grep', description: 'search', parameters: tools[0].inputSchema },
    });

    fake.script({ text: 'Found 2 TODOs.' });
    const [a, b] = first.toolCalls;
    const second = await drain(backend.stream(gpt, req([
      { role: 'user', content: 'find todos' },
      { role: 'assistant', content: [a, b].map((c) => ({ type: 'toolCall' as const, callId: c.callId, name: c.name, input: c.input })) },
      { role: 'user', content: [{ type: 'toolResult', callId: a.callId, content: 'a.ts:3: TODO' }, { type: 'toolResult', callId: b.callId, content: 'file text', isError: false }] },
    ], { tools }), new AbortController().signal));
    assert.equal(second.error, undefined, 'the fake accepts the tool messages (it validates tool_call_id)');
    assert.equal(second.text, 'Found 2 TODOs.');
    const sent = fake.requestsTo('/v1/chat/completions')[1].body.messages;
    assert.deepEqual(sent[1], {
      role: 'assistant', content: null,
      tool_calls: [
        { id: a.callId, type: 'function', function: { name: 'grep', arguments: JSON.stringify(a.input) } },
        { id: b.callId, type: 'function', function: { name: 'read_file', arguments: JSON.stringify(b.input) } },
      ],
    });
    assert.deepEqual(sent.slice(2), [
      { role: 'tool', tool_call_id: a.callId, content: 'a.ts:3: TODO' },
      { role: 'tool', tool_call_id: b.callId, content: 'file text' },
    ]);
  });

  it('sends images as data URLs', async () => {
    await drain(backend.stream(gpt, req([{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', mimeType: 'image/png', bytes: 3, dataBase64: 'AAAA' }] }]), new AbortController().signal));
    assert.deepEqual(fake.requestsTo('/v1/chat/completions')[0].body.messages[0].content, [
      { type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ]);
  });

  it('asks to re-enter a rejected key (401)', async () => {
    const b = new OpenAICompatibleBackend({ baseUrl: `${fake.url}/v1`, apiKey: async () => 'sk-wrong-key-000000000000' });
    const d = await drain(b.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d.error as BackendError).kind, 'auth');
    assert.equal((d.error as BackendError).message, 'OpenAI rejected the API key (401). Run “Rightsize: Manage API Keys…” to re-enter it.');
    assert.equal(d.parts.length, 0);
  });

  it('reports rate limits (429) with retryAfterSeconds', async () => {
    fake.script({ status: 429, retryAfterSeconds: 7 });
    const d = await drain(backend.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    const e = d.error as BackendError;
    assert.equal(e.kind, 'rateLimit');
    assert.equal(e.retryAfterSeconds, 7);
    assert.equal(e.message, 'OpenAI rate-limited the request (429); retry after 7 s.');
  });

  it('tells an exhausted quota from a rate limit', async () => {
    // The fake sends code rate_limit_exceeded for every 429; OpenAI's exhausted quota carries code insufficient_quota.
    const quotaFetch: typeof fetch = async () => new Response(JSON.stringify({ error: { message: 'You exceeded your current quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }), { status: 429 });
    const b = new OpenAICompatibleBackend({ baseUrl: `${fake.url}/v1`, apiKey: async () => KEY, fetch: quotaFetch });
    const d = await drain(b.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d.error as BackendError).kind, 'rateLimit');
    assert.equal((d.error as BackendError).retryAfterSeconds, undefined);
    assert.match((d.error as BackendError).message, /no quota left/);
  });

  it('sends nothing when no key is set', async () => {
    const b = new OpenAICompatibleBackend({ baseUrl: `${fake.url}/v1`, apiKey: async () => undefined });
    const d = await drain(b.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d.error as BackendError).kind, 'auth');
    assert.equal((d.error as BackendError).message, 'No API key is set for OpenAI. Run “Rightsize: Manage API Keys…” to add one.');
    assert.equal(fake.requests.length, 0, 'no request reached the server');
    const blank = new OpenAICompatibleBackend({ baseUrl: `${fake.url}/v1`, apiKey: async () => '   ' });
    assert.equal(((await drain(blank.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal))).error as BackendError).kind, 'auth');
    const failing = new OpenAICompatibleBackend({ baseUrl: `${fake.url}/v1`, apiKey: async () => { throw new Error('keychain locked'); } });
    assert.equal(((await drain(failing.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal))).error as BackendError).kind, 'auth');
    assert.equal(fake.requests.length, 0);
  });

  it('maps unknown models, server errors and mid-stream errors', async () => {
    const d1 = await drain(backend.stream(spec('gpt-9', 'openai'), req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d1.error as BackendError).kind, 'notFound');
    assert.match((d1.error as BackendError).message, /OpenAI has no model "gpt-9" \(404\)/);

    fake.script({ status: 503, retryAfterSeconds: 2 });
    const d2 = await drain(backend.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d2.error as BackendError).kind, 'server');
    assert.equal((d2.error as BackendError).retryAfterSeconds, 2);

    fake.script({ text: 'a b c d e', errorAfterChunks: 2, error: 'upstream connect error' });
    const d3 = await drain(backend.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d3.error as BackendError).kind, 'server');
    assert.match((d3.error as BackendError).message, /upstream connect error/);
    assert.equal(d3.text, 'a b ');
    assert.equal(d3.usage!.source, 'estimated');
    assert.equal(d3.usageIndex, d3.parts.length - 1);
  });

  it('on abort mid-stream: closes the connection, yields estimated usage, throws cancelled', async () => {
    fake.script({ chunks: ['one ', 'two ', 'three ', 'four '], stallAfterChunks: 2 });
    const ctrl = new AbortController();
    const d = await drain(backend.stream(gpt, req([{ role: 'user', content: 'count' }]), ctrl.signal), (p) => {
      if (p.type === 'text' && p.text === 'two ') ctrl.abort();
    });
    assert.equal((d.error as BackendError).kind, 'cancelled');
    assert.equal(d.text, 'one two ');
    assert.equal(d.usage!.source, 'estimated');
    assert.equal(d.usage!.tokens.output, 2);
    await fake.waitForAbort(1, 2000);
  });

  it('closes the connection when the consumer stops iterating early', async () => {
    fake.script({ chunks: ['x ', 'y ', 'z '], stallAfterChunks: 1 });
    for await (const p of backend.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal)) {
      if (p.type === 'text') break;
    }
    await fake.waitForAbort(1, 2000);
  });

  it('estimates usage when a compatible server sends no usage chunk', async () => {
    // A server that ignores stream_options: plain chunks, finish_reason, [DONE].
    const noUsage: typeof fetch = async () => new Response(
      'data: {"choices":[{"index":0,"delta":{"content":"Hello"}}]}\n\n' +
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const b = new OpenAICompatibleBackend({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: async () => undefined, keyRequired: false, provider: 'openai-compatible', fetch: noUsage });
    const d = await drain(b.stream(spec('local-model', 'openai-compatible'), req([{ role: 'user', content: 'hi' }]), new AbortController().signal));
    assert.equal(d.error, undefined);
    assert.equal(d.text, 'Hello');
    assert.equal(d.usage!.source, 'estimated');
    assert.equal(d.usage!.tokens.output, 2);
  });

  it('uses max_tokens and its own label for openai-compatible providers', async () => {
    const b = new OpenAICompatibleBackend({ baseUrl: `${fake.url}/v1`, apiKey: async () => 'bad-key-123456', provider: 'openai-compatible', label: 'LM Studio' });
    const d = await drain(b.stream(gpt, req([{ role: 'user', content: 'x' }], { maxOutputTokens: 50 }), new AbortController().signal));
    assert.equal(b.provider, 'openai-compatible');
    assert.match((d.error as BackendError).message, /^LM Studio rejected the API key/);
    assert.equal((d.error as BackendError).backend, 'openai-compatible');
    assert.equal(fake.requests[0].body.max_tokens, 50);
    assert.equal(fake.requests[0].body.max_completion_tokens, undefined);
  });

  it('names the endpoint (origin only) when it cannot be reached', async () => {
    const port = await closedPort();
    const b = new OpenAICompatibleBackend({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: async () => KEY });
    const d = await drain(b.stream(gpt, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d.error as BackendError).kind, 'unreachable');
    assert.match((d.error as BackendError).message, new RegExp(`OpenAI is unreachable at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  });
});
