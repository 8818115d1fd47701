// AnthropicBackend against the fake Anthropic Messages API.
import * as assert from 'node:assert/strict';
import { AnthropicBackend, maxTokensFor, toAnthropicMessages } from '../../../src/core/backends/anthropicBackend';
import { BackendError } from '../../../src/core/types';
import { FakeAnthropic, startFakeAnthropic } from '../../fakes/fakeAnthropic';
import { drain, req, spec } from './helpers';

describe('AnthropicBackend', () => {
  const KEY = 'sk-ant-test-0000';
  let fake: FakeAnthropic;
  let backend: AnthropicBackend;
  const sonnet = spec('claude-sonnet-4-5', 'anthropic', { maxOutputTokens: 64_000 });

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    backend = new AnthropicBackend({ baseUrl: fake.url, apiKey: async () => KEY });
  });
  afterEach(async () => { await fake.close(); });

  it('streams text and maps usage with cache reads and writes', async () => {
    fake.script({ text: 'Here is the refactor.', promptTokens: 2000, cachedTokens: 1500, cacheCreationTokens: 200 });
    const d = await drain(backend.stream(sonnet, req([
      { role: 'system', content: 'You are a careful engineer.' },
      { role: 'system', content: 'Answer in English.' },
      { role: 'user', content: 'Refactor this.' },
    ], { temperature: 0.3 }), new AbortController().signal));
    assert.equal(d.error, undefined);
    assert.equal(d.text, 'Here is the refactor.');
    assert.equal(d.usageIndex, d.parts.length - 1);
    const r = fake.requestsTo('/v1/messages')[0].reported as any;
    assert.equal(r.input_tokens, 300);
    assert.deepEqual(d.usage!.tokens, { input: 2000, cachedInput: 1500, output: r.output_tokens, reasoning: 0, cacheWrite: r.cache_creation_input_tokens });
    assert.equal(d.usage!.source, 'reported');
    assert.equal(d.usage!.doneReason, 'end_turn');
    const rec = fake.requestsTo('/v1/messages')[0];
    assert.equal(rec.headers['x-api-key'], KEY);
    assert.equal(rec.headers['anthropic-version'], '2023-06-01');
    assert.equal(rec.headers.authorization, undefined);
    assert.equal(rec.body.system, 'You are a careful engineer.\n\nAnswer in English.');
    assert.deepEqual(rec.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Refactor this.' }] }]);
    assert.equal(rec.body.max_tokens, 32_000, "the model's limit, capped");
    assert.equal(rec.body.temperature, 0.3);
    assert.equal(rec.body.stream, true);
  });

  it('takes max_tokens from the request when it has one, else the model limit capped', () => {
    assert.equal(maxTokensFor(sonnet, req([], { maxOutputTokens: 1000 })), 1000);
    assert.equal(maxTokensFor(spec('claude-3-5-haiku-20241022', 'anthropic', { maxOutputTokens: 8192 }), req([])), 8192);
    assert.equal(maxTokensFor(spec('x', 'anthropic', { maxOutputTokens: 0 }), req([])), 4096);
  });

  it('yields tool_use as tool calls and sends tool results as leading tool_result blocks', async () => {
    const tools = [{ name: 'run_tests', description: 'Run the tests', inputSchema: { type: 'object', properties: { filter: { type: 'string' } } } }];
    fake.script({ text: 'I will run them.', toolCalls: [{ name: 'run_tests', arguments: { filter: 'router', watch: false } }] });
    const first = await drain(backend.stream(sonnet, req([{ role: 'user', content: 'are the tests green?' }], { tools }), new AbortController().signal));
    assert.equal(first.error, undefined);
    assert.equal(first.text, 'I will run them.');
    assert.equal(first.toolCalls.length, 1);
    const call = first.toolCalls[0];
    assert.match(call.callId, /^toolu_/);
    assert.deepEqual(call.input, { filter: 'router', watch: false });
    assert.equal(first.usage!.doneReason, 'tool_use');
    assert.deepEqual(fake.requestsTo('/v1/messages')[0].body.tools, [{ name: 'run_tests', description: 'Run the tests', input_schema: tools[0].inputSchema }]);

    fake.script({ text: 'All 42 pass.' });
    const second = await drain(backend.stream(sonnet, req([
      { role: 'user', content: 'are the tests green?' },
      { role: 'assistant', content: [{ type: 'text', text: 'I will run them.' }, { type: 'toolCall', callId: call.callId, name: call.name, input: call.input }] },
      { role: 'tool', content: [{ type: 'toolResult', callId: call.callId, content: '42 passing', isError: false }] },
      { role: 'user', content: 'Summarise.' },
    ], { tools }), new AbortController().signal));
    assert.equal(second.error, undefined, 'the fake validates that tool_result answers the previous tool_use');
    assert.equal(second.text, 'All 42 pass.');
    assert.deepEqual(fake.requestsTo('/v1/messages')[1].body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'are the tests green?' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I will run them.' }, { type: 'tool_use', id: call.callId, name: 'run_tests', input: { filter: 'router', watch: false } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.callId, content: '42 passing' }, { type: 'text', text: 'Summarise.' }] },
    ]);
  });

  it('converts images and error tool results', () => {
    const { messages } = toAnthropicMessages([
      { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image', mimeType: 'image/jpeg', bytes: 3, dataBase64: 'BBBB' }] },
      { role: 'assistant', content: [{ type: 'toolCall', callId: 'toolu_1', name: 'x', input: {} }] },
      { role: 'user', content: [{ type: 'text', text: 'after' }, { type: 'toolResult', callId: 'toolu_1', content: 'boom', isError: true }] },
    ]);
    assert.deepEqual(messages[0].content[1], { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'BBBB' } });
    assert.deepEqual(messages[2].content, [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'boom', is_error: true }, { type: 'text', text: 'after' }]);
  });

  it('counts thinking inside output_tokens as reasoning', async () => {
    fake.script({ thinking: 'Consider the edge cases of empty input first.', text: 'Handle [] first.' });
    const d = await drain(backend.stream(sonnet, req([{ role: 'user', content: 'q' }]), new AbortController().signal));
    assert.equal(d.text, 'Handle [] first.');
    const r = fake.requestsTo('/v1/messages')[0].reported as any;
    assert.equal(d.usage!.tokens.reasoning, Math.ceil('Consider the edge cases of empty input first.'.length / 4));
    assert.equal(d.usage!.tokens.output, r.output_tokens, 'output includes reasoning (TokenCounts convention)');
    assert.ok(d.usage!.tokens.reasoning < d.usage!.tokens.output);
  });

  it('asks to re-enter a rejected key, and sends nothing without one', async () => {
    const wrong = new AnthropicBackend({ baseUrl: fake.url, apiKey: async () => 'sk-ant-wrong-000000' });
    const d1 = await drain(wrong.stream(sonnet, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d1.error as BackendError).kind, 'auth');
    assert.equal((d1.error as BackendError).message, 'Anthropic rejected the API key (401). Run “Rightsize: Manage API Keys…” to re-enter it.');
    const before = fake.requests.length;
    const none = new AnthropicBackend({ baseUrl: fake.url, apiKey: async () => undefined });
    const d2 = await drain(none.stream(sonnet, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d2.error as BackendError).kind, 'auth');
    assert.equal((d2.error as BackendError).message, 'No API key is set for Anthropic. Run “Rightsize: Manage API Keys…” to add one.');
    assert.equal(fake.requests.length, before, 'no request reached the server');
  });

  it('maps 429 (retry-after), 529 overloaded, 404 and a mid-stream error event', async () => {
    fake.script({ status: 429, retryAfterSeconds: 30 }, { status: 529 }, { chunks: ['Part ', 'one ', 'two'], errorAfterChunks: 2 });
    const d1 = await drain(backend.stream(sonnet, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d1.error as BackendError).kind, 'rateLimit');
    assert.equal((d1.error as BackendError).retryAfterSeconds, 30);
    assert.equal((d1.error as BackendError).message, 'Anthropic rate-limited the request (429); retry after 30 s.');
    const d2 = await drain(backend.stream(sonnet, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d2.error as BackendError).kind, 'server');
    assert.equal((d2.error as BackendError).message, 'Anthropic is overloaded (529); try again shortly or pick another model.');
    const d3 = await drain(backend.stream(sonnet, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d3.error as BackendError).kind, 'server');
    assert.match((d3.error as BackendError).message, /overloaded and stopped "claude-sonnet-4-5" mid-answer/);
    assert.equal(d3.text, 'Part one ');
    assert.equal(d3.usage!.source, 'estimated');
    const d4 = await drain(backend.stream(spec('claude-9', 'anthropic'), req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d4.error as BackendError).kind, 'notFound');
  });

  it('on abort mid-stream: closes the connection, yields estimated usage, throws cancelled', async () => {
    fake.script({ chunks: ['a ', 'b ', 'c ', 'd '], stallAfterChunks: 1 });
    const ctrl = new AbortController();
    const d = await drain(backend.stream(sonnet, req([{ role: 'user', content: 'x' }]), ctrl.signal), (p) => {
      if (p.type === 'text') ctrl.abort();
    });
    assert.equal((d.error as BackendError).kind, 'cancelled');
    assert.equal(d.text, 'a ');
    assert.equal(d.usage!.source, 'estimated');
    assert.equal(d.usageIndex, d.parts.length - 1);
    await fake.waitForAbort(1, 2000);
    assert.equal(fake.requestsTo('/v1/messages')[0].aborted, true);
  });

  it('accepts a baseUrl with a trailing /v1', async () => {
    const b = new AnthropicBackend({ baseUrl: `${fake.url}/v1/`, apiKey: async () => KEY });
    const d = await drain(b.stream(sonnet, req([{ role: 'user', content: 'hi' }]), new AbortController().signal));
    assert.equal(d.error, undefined);
    assert.equal(fake.requests[0].path, '/v1/messages');
  });
});
