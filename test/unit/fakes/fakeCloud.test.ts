// The fake OpenAI and Anthropic servers, exercised with plain fetch and an independent SSE split.
import * as assert from 'node:assert/strict';
import { FakeOpenAI, startFakeOpenAI } from '../../fakes/fakeOpenAI';
import { FakeAnthropic, startFakeAnthropic } from '../../fakes/fakeAnthropic';

/** Naive SSE split (the fakes always send `\n\n`-terminated events). */
async function sse(res: Response): Promise<Array<{ event?: string; data: string }>> {
  const text = await res.text();
  return text.split('\n\n').filter((b) => b.trim()).map((block) => {
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
    return { event, data };
  });
}

describe('fake OpenAI', () => {
  let fake: FakeOpenAI;
  const key = 'sk-test-openai-0000';
  const post = (body: unknown, auth: string | null = `Bearer ${key}`): Promise<Response> => fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(body),
  });

  beforeEach(async () => { fake = await startFakeOpenAI(); });
  afterEach(async () => { await fake.close(); });

  it('requires a Bearer key and answers 401 in OpenAI\'s error shape, masking the key', async () => {
    const none = await post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, null);
    assert.equal(none.status, 401);
    const noneBody = await none.json() as any;
    assert.equal(noneBody.error.type, 'invalid_request_error');
    assert.match(noneBody.error.message, /You didn't provide an API key/);
    const wrong = await post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, 'Bearer sk-wrong-key-abcdefgh');
    assert.equal(wrong.status, 401);
    const wrongBody = await wrong.json() as any;
    assert.equal(wrongBody.error.code, 'invalid_api_key');
    assert.match(wrongBody.error.message, /Incorrect API key provided: sk-\*+efgh\./);
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.requests[1].headers.authorization, 'Bearer sk-wrong-key-abcdefgh');
  });

  it('lists models', async () => {
    const res = await fetch(`${fake.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.json() as any;
    assert.equal(body.object, 'list');
    assert.ok(body.data.some((m: any) => m.id === 'gpt-4o-mini' && m.object === 'model'));
  });

  it('streams chat.completion.chunk events, a usage chunk with include_usage, then [DONE]', async () => {
    fake.script({ text: 'Hello world again', cachedTokens: 3, thinking: 'hmm hmm hmm' });
    const res = await post({ model: 'gpt-5-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say hello to the world please' }] });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = await sse(res);
    assert.equal(events[events.length - 1].data, '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, 'Hello world again');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish.choices[0].finish_reason, 'stop');
    const last = chunks[chunks.length - 1];
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.prompt_tokens, 4 + Math.ceil('Say hello to the world please'.length / 4));
    assert.equal(last.usage.prompt_tokens_details.cached_tokens, 3);
    assert.equal(last.usage.completion_tokens_details.reasoning_tokens, Math.ceil('hmm hmm hmm'.length / 4));
    assert.equal(last.usage.completion_tokens, Math.ceil('Hello world again'.length / 4) + last.usage.completion_tokens_details.reasoning_tokens);
    assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'other chunks carry usage: null');
  });

  it('sends no usage chunk without include_usage', async () => {
    const events = await sse(await post({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] }));
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    assert.ok(chunks.every((c) => c.usage === undefined && c.choices.length === 1));
  });

  it('streams tool calls as index/id/name then argument fragments, and validates tool messages', async () => {
    fake.script({ text: '', chunks: [], toolCalls: [{ name: 'grep', arguments: { pattern: 'TODO', path: 'src' } }, { name: 'ls', arguments: { dir: '.' } }] });
    const tools = [{ type: 'function', function: { name: 'grep', parameters: { type: 'object' } } }, { type: 'function', function: { name: 'ls', parameters: { type: 'object' } } }];
    const events = await sse(await post({ model: 'gpt-4.1', stream: true, tools, messages: [{ role: 'user', content: 'find todos' }] }));
    const deltas = events.slice(0, -1).map((e) => JSON.parse(e.data)).flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    const byIndex = new Map<number, { id?: string; name?: string; args: string }>();
    for (const d of deltas) {
      const e = byIndex.get(d.index) ?? { args: '' };
      if (d.id) e.id = d.id;
      if (d.function?.name) e.name = d.function.name;
      e.args += d.function?.arguments ?? '';
      byIndex.set(d.index, e);
    }
    assert.equal(byIndex.size, 2);
    assert.equal(byIndex.get(0)!.name, 'grep');
    assert.deepEqual(JSON.parse(byIndex.get(0)!.args), { pattern: 'TODO', path: 'src' });
    assert.ok(deltas.filter((d) => d.index === 0).length > 2, 'arguments arrive in several fragments');
    const finish = events.slice(0, -1).map((e) => JSON.parse(e.data)).find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish.choices[0].finish_reason, 'tool_calls');

    const orphan = await post({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_nope', content: 'r' }] });
    assert.equal(orphan.status, 400);
    assert.match(((await orphan.json()) as any).error.message, /must be a response to a preceeding message with 'tool_calls'/);
    const ok = await post({ model: 'gpt-4.1', messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, tool_calls: [{ id: byIndex.get(0)!.id, type: 'function', function: { name: 'grep', arguments: byIndex.get(0)!.args } }] },
      { role: 'tool', tool_call_id: byIndex.get(0)!.id, content: 'src/a.ts: TODO' },
    ] });
    assert.equal(ok.status, 200);
  });

  it('sends 429 with retry-after, 404 for unknown models, and a non-streaming completion', async () => {
    fake.script({ status: 429, retryAfterSeconds: 12 });
    const limited = await post({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '12');
    assert.equal(((await limited.json()) as any).error.code, 'rate_limit_exceeded');
    const unknown = await post({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as any).error.code, 'model_not_found');
    const full = await (await post({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] })).json() as any;
    assert.equal(full.object, 'chat.completion');
    assert.equal(full.choices[0].message.content, 'Echo: hello');
    assert.equal(full.usage.prompt_tokens, 4 + 2);
  });
});

describe('fake Anthropic', () => {
  let fake: FakeAnthropic;
  const key = 'sk-ant-test-0000';
  const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': key, 'anthropic-version': '2023-06-01' }): Promise<Response> =>
    fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const base = { model: 'claude-sonnet-4-5', max_tokens: 256 };

  beforeEach(async () => { fake = await startFakeAnthropic(); });
  afterEach(async () => { await fake.close(); });

  it('requires x-api-key and anthropic-version, with Anthropic\'s error shape', async () => {
    const noKey = await post({ ...base, messages: [{ role: 'user', content: 'x' }] }, { 'anthropic-version': '2023-06-01' });
    assert.equal(noKey.status, 401);
    const b1 = await noKey.json() as any;
    assert.equal(b1.type, 'error');
    assert.equal(b1.error.type, 'authentication_error');
    const wrong = await post({ ...base, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'nope', 'anthropic-version': '2023-06-01' });
    assert.equal(((await wrong.json()) as any).error.message, 'invalid x-api-key');
    const noVersion = await post({ ...base, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': key });
    assert.equal(noVersion.status, 400);
    assert.match(((await noVersion.json()) as any).error.message, /anthropic-version/);
    const noMax = await post({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(noMax.status, 400);
    assert.match(((await noMax.json()) as any).error.message, /max_tokens: Field required/);
    const system = await post({ ...base, messages: [{ role: 'system', content: 'x' }] });
    assert.equal(system.status, 400);
  });

  it('streams the Messages event sequence with cache-aware usage', async () => {
    fake.script({ text: 'Sure thing, here it is.', promptTokens: 1000, cachedTokens: 600, cacheCreationTokens: 100 });
    const events = await sse(await post({ ...base, stream: true, system: 'Be brief.', messages: [{ role: 'user', content: 'go' }] }));
    const types = events.map((e) => e.event);
    assert.deepEqual(types.slice(0, 3), ['message_start', 'ping', 'content_block_start']);
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    const parsed = events.map((e) => JSON.parse(e.data));
    parsed.forEach((p, i) => assert.equal(p.type, events[i].event, 'event name matches data.type'));
    const start = parsed[0].message.usage;
    assert.deepEqual([start.input_tokens, start.cache_read_input_tokens, start.cache_creation_input_tokens], [300, 600, 100]);
    const text = parsed.filter((p) => p.type === 'content_block_delta').map((p) => p.delta.text).join('');
    assert.equal(text, 'Sure thing, here it is.');
    const delta = parsed.find((p) => p.type === 'message_delta');
    assert.equal(delta.delta.stop_reason, 'end_turn');
    assert.equal(delta.usage.output_tokens, Math.ceil(text.length / 4));
  });

  it('streams tool_use blocks with input_json_delta and validates tool_result ids', async () => {
    fake.script({ text: 'Let me look.', toolCalls: [{ name: 'read_file', arguments: { path: 'README.md', lines: [1, 20] } }] });
    const tools = [{ name: 'read_file', description: 'read', input_schema: { type: 'object' } }];
    const parsed = (await sse(await post({ ...base, stream: true, tools, messages: [{ role: 'user', content: 'read it' }] }))).map((e) => JSON.parse(e.data));
    const start = parsed.find((p) => p.type === 'content_block_start' && p.content_block.type === 'tool_use');
    assert.equal(start.content_block.name, 'read_file');
    assert.match(start.content_block.id, /^toolu_/);
    const json = parsed.filter((p) => p.type === 'content_block_delta' && p.index === start.index).map((p) => p.delta.partial_json).join('');
    assert.deepEqual(JSON.parse(json), { path: 'README.md', lines: [1, 20] });
    assert.equal(parsed.find((p) => p.type === 'message_delta').delta.stop_reason, 'tool_use');

    const orphan = await post({ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }] }] });
    assert.equal(orphan.status, 400);
    const ok = await post({ ...base, tools, messages: [
      { role: 'user', content: 'read it' },
      { role: 'assistant', content: [{ type: 'tool_use', id: start.content_block.id, name: 'read_file', input: { path: 'README.md' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: start.content_block.id, content: '# Title' }] },
    ] });
    assert.equal(ok.status, 200);
  });

  it('sends 429 with retry-after, 529 overloaded, and an error event mid-stream', async () => {
    fake.script({ status: 429, retryAfterSeconds: 30 }, { status: 529 }, { text: 'a b c d', errorAfterChunks: 1 });
    const r1 = await post({ ...base, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r1.status, 429);
    assert.equal(r1.headers.get('retry-after'), '30');
    assert.equal(((await r1.json()) as any).error.type, 'rate_limit_error');
    const r2 = await post({ ...base, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r2.status, 529);
    assert.equal(((await r2.json()) as any).error.type, 'overloaded_error');
    const events = await sse(await post({ ...base, stream: true, messages: [{ role: 'user', content: 'x' }] }));
    const last = events[events.length - 1];
    assert.equal(last.event, 'error');
    assert.equal(JSON.parse(last.data).error.type, 'overloaded_error');
  });
});
