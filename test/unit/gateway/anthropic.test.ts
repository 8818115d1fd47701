// Anthropic Messages through the gateway, as Claude Code and the Anthropic SDK speak it: which model
// answered, what reached the backend, the stream's events and usage, tool loops kept on the turn's model,
// budgets, token counting, and whose key paid.
import * as assert from 'node:assert/strict';
import { closeFakes, Fakes, GATEWAY_TOKEN, gatewaySuite, GatewayRig, post, sseEvents, startFakes, startRig, waitForRecords } from './rig';

const CLAUDE_UA = 'claude-cli/2.1.332 (external, sdk-cli)';
const H = { 'x-api-key': GATEWAY_TOKEN, 'anthropic-version': '2023-06-01', 'user-agent': CLAUDE_UA };
const RENAME = 'Rename the variable `tmp` to `total` in this function:\n\nfunction sum(a) { let tmp = 0; for (const x of a) tmp += x; return tmp; }';
const READ_TOOL = { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] } };

describe('gateway: Anthropic Messages', function () {
  this.timeout(20_000);
  const suite = gatewaySuite();
  let fakes: Fakes;
  let rig: GatewayRig;
  beforeEach(() => ({ fakes, rig } = suite));

  it('rightsize-auto: a rename is answered by a small local model, in Anthropic\'s message shape, and recorded', async () => {
    fakes.ollama.script({ text: 'function sum(a) { let total = 0; … }' });
    const res = await post(rig.url, '/v1/messages', { model: 'rightsize-auto', max_tokens: 512, system: 'You are terse.', messages: [{ role: 'user', content: RENAME }] }, H);
    assert.equal(res.status, 200);
    const body = await res.json() as any;
    const generated = fakes.ollama.requestsTo('/api/chat');
    assert.equal(generated.length, 1, 'one request reached Ollama');
    assert.equal(body.type, 'message');
    assert.equal(body.model, generated[0].body.model, 'the answer names the model that answered');
    assert.equal(res.headers.get('x-rightsize-model'), body.model);
    assert.deepEqual(body.content, [{ type: 'text', text: 'function sum(a) { let total = 0; … }' }]);
    assert.equal(body.stop_reason, 'end_turn');
    // What reached Ollama: the system prompt and the user's words.
    assert.deepEqual(generated[0].body.messages.map((m: any) => m.role), ['system', 'user']);
    assert.equal(generated[0].body.messages[1].content, RENAME);
    const reported = generated[0].reported as { prompt_eval_count: number; eval_count: number };
    assert.equal(body.usage.input_tokens, reported.prompt_eval_count);
    assert.equal(body.usage.output_tokens, reported.eval_count);
    await waitForRecords(rig.records, 1);
    const r = rig.records[0];
    assert.equal(r.surface, 'gateway');
    assert.equal(r.client, 'claude-code');
    assert.equal(r.model.id, body.model);
    assert.equal(r.model.location, 'local');
    assert.equal(r.decision.mode, 'auto');
    assert.equal(r.tokens.input, reported.prompt_eval_count);
    assert.equal(r.outcome, 'ok');
  });

  it('a named model passes through (even in auto mode): streamed tool_use with the usage Anthropic reported', async () => {
    rig.settings.mode = 'auto';
    try {
      fakes.anthropic.script({ text: 'Reading it.', toolCalls: [{ name: 'Read', arguments: { file_path: '/tmp/a.ts' } }], cachedTokens: 300, cacheCreationTokens: 40, promptTokens: 1000 });
      const res = await post(rig.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, tools: [READ_TOOL], messages: [{ role: 'user', content: 'Read /tmp/a.ts' }] }, H);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      const events = await sseEvents(res);
      const types = events.map((e) => e.event);
      assert.deepEqual(types, ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
        'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
      assert.equal(events[0].data.message.model, 'claude-sonnet-4-5');
      const toolStart = events[6].data.content_block;
      assert.equal(toolStart.type, 'tool_use');
      assert.equal(toolStart.name, 'Read');
      assert.deepEqual(JSON.parse(events[7].data.delta.partial_json), { file_path: '/tmp/a.ts' });
      const delta = events[9].data;
      assert.equal(delta.delta.stop_reason, 'tool_use');
      const sent = fakes.anthropic.requestsTo('/v1/messages');
      assert.equal(sent.length, 1);
      assert.equal(sent[0].body.model, 'claude-sonnet-4-5');
      assert.equal(sent[0].headers['x-api-key'], 'sk-ant-test-0000', 'Rightsize\'s key, not the gateway token');
      assert.deepEqual(sent[0].body.tools.map((t: any) => t.name), ['Read']);
      const reported = sent[0].reported as Record<string, number>;
      assert.deepEqual(
        [delta.usage.input_tokens, delta.usage.cache_read_input_tokens, delta.usage.cache_creation_input_tokens, delta.usage.output_tokens],
        [reported.input_tokens, reported.cache_read_input_tokens, reported.cache_creation_input_tokens, reported.output_tokens]);
      await waitForRecords(rig.records, 1);
      assert.equal(rig.records[0].decision.mode, 'manual');
      assert.equal(rig.records[0].model.id, 'claude-sonnet-4-5');
      assert.equal(rig.records[0].tokens.input, 1000);
      assert.equal(rig.records[0].tokens.cachedInput, 300);
    } finally {
      rig.settings.mode = 'suggest';
    }
  });

  it('routes once per user turn: the tool-loop continuation goes to the turn\'s model; a new turn is routed afresh', async () => {
    const ASK = `${RENAME}\n(in a.ts)`;
    fakes.ollama.script({ text: '', toolCalls: [{ name: 'Read', arguments: { file_path: 'a.ts' } }] }, { text: 'Done: renamed.' });
    const first = await post(rig.url, '/v1/messages', { model: 'rightsize-auto', max_tokens: 512, tools: [READ_TOOL], messages: [{ role: 'user', content: ASK }] }, H);
    const a = await first.json() as any;
    assert.equal(a.stop_reason, 'tool_use');
    const call = a.content.find((b: any) => b.type === 'tool_use');
    assert.ok(call, JSON.stringify(a.content));
    // Claude Code sends the whole history back with the tool's result, plus a large file this time.
    const continuation = await post(rig.url, '/v1/messages', {
      model: 'rightsize-auto', max_tokens: 512, tools: [READ_TOOL],
      messages: [
        { role: 'user', content: ASK },
        { role: 'assistant', content: a.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: `// a.ts\n${'export const x = 1;\n'.repeat(400)}` }] },
      ],
    }, H);
    const b = await continuation.json() as any;
    assert.equal(b.model, a.model);
    assert.equal(b.content[0].text, 'Done: renamed.');
    const sent = fakes.ollama.requestsTo('/api/chat');
    assert.equal(sent.length, 2);
    assert.equal(sent[1].body.model, a.model);
    const toolMsg = sent[1].body.messages.find((m: any) => m.role === 'tool');
    assert.ok(toolMsg && toolMsg.content.startsWith('// a.ts'), 'the tool result reached the backend as Ollama\'s tool message');
    await waitForRecords(rig.records, 2);
    assert.match(rig.records[1].decision.reason, /Tool-loop continuation: stays on .*the model that started this turn/);
    assert.doesNotMatch(rig.records[0].decision.reason, /Tool-loop continuation/);
    // A new user turn in the same conversation is routed again.
    fakes.anthropic.script({ text: 'Here is the design.' });
    fakes.ollama.script({ text: 'Here is the design.' });
    const next = await post(rig.url, '/v1/messages', {
      model: 'rightsize-auto', max_tokens: 512,
      messages: [{ role: 'user', content: ASK }, { role: 'assistant', content: 'Done: renamed.' }, { role: 'user', content: 'Thanks. Now design a plugin architecture for the editor across src/core and src/ui, weighing an event bus against dependency injection, with versioning of the plugin API.' }],
    }, H);
    await next.json();
    await waitForRecords(rig.records, 3);
    assert.doesNotMatch(rig.records[2].decision.reason, /Tool-loop continuation/);
  });

  it('count_tokens counts with the real tokenizer; /v1/models lists rightsize-auto and the models in Anthropic\'s shape', async () => {
    const small = await (await post(rig.url, '/v1/messages/count_tokens', { model: 'rightsize-auto', messages: [{ role: 'user', content: 'hi' }] }, H)).json() as any;
    const large = await (await post(rig.url, '/v1/messages/count_tokens', { model: 'rightsize-auto', messages: [{ role: 'user', content: 'hello world '.repeat(500) }] }, H)).json() as any;
    assert.ok(small.input_tokens > 0 && small.input_tokens < 20, JSON.stringify(small));
    assert.ok(large.input_tokens > 900 && large.input_tokens < 1100, JSON.stringify(large));
    const models = await (await fetch(`${rig.url}/v1/models`, { headers: H })).json() as any;
    assert.equal(models.data[0].id, 'rightsize-auto');
    assert.equal(models.data[0].type, 'model');
    assert.ok(models.data.some((m: any) => m.id === 'qwen2.5-coder:7b'));
    assert.ok(models.data.some((m: any) => m.id === 'claude-sonnet-4-5'));
    assert.equal(rig.records.length, 0, 'listing and counting are not requests to a model');
  });

  it('an unknown model is a 404 not_found_error that names what is available', async () => {
    const res = await post(rig.url, '/v1/messages', { model: 'claude-imaginary-9', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, H);
    assert.equal(res.status, 404);
    const body = await res.json() as any;
    assert.equal(body.error.type, 'not_found_error');
    assert.match(body.error.message, /no model "claude-imaginary-9".*rightsize-auto/);
  });

  it('a budget block answers with Anthropic\'s permission_error and a clear message, and records the block', async () => {
    const strict = await startRig(fakes, { budget: { limits: { session: { usd: 0.05 } }, action: 'block' } });
    try {
      fakes.anthropic.script({ text: 'spent', promptTokens: 2_000_000 }); // ~$6 of input: the session's $0.05 is used up
      const ok = await post(strict.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'first' }] }, H);
      assert.equal(ok.status, 200);
      await ok.json();
      const blocked = await post(strict.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'second' }] }, H);
      assert.equal(blocked.status, 403);
      const body = await blocked.json() as any;
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'permission_error');
      assert.match(body.error.message, /Rightsize blocked this cloud request: this session's cost budget of \$0\.05 is used up/);
      assert.equal(fakes.anthropic.requestsTo('/v1/messages').length, 1, 'the blocked request never reached Anthropic');
      await waitForRecords(strict.records, 2);
      assert.deepEqual(strict.records.map((r) => r.outcome), ['ok', 'blocked']);
    } finally {
      await strict.close();
    }
  });
});

describe('gateway: the client\'s own credential', function () {
  this.timeout(20_000);
  const CLIENT_KEY = 'sk-ant-api03-client-own-key-ABCDEFGHIJKLMNOP';
  const OAUTH = 'sk-ant-oat01-client-oauth-token-QRSTUVWXYZ';
  let fakes: Fakes;
  let rig: GatewayRig;
  const official: Array<{ url: string; headers: Record<string, string> }> = [];

  before(async () => {
    fakes = await startFakes();
    // Stands in for https://api.anthropic.com: records what was sent there, answers as the fake does.
    const officialFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      official.push({ url, headers: { ...(init?.headers as Record<string, string>) } });
      if (!url.startsWith('https://api.anthropic.com/')) throw new Error(`not an official endpoint: ${url}`);
      const key = (init?.headers as Record<string, string>)['x-api-key'] ?? (init?.headers as Record<string, string>).authorization?.replace(/^Bearer /, '');
      fakes.anthropic.apiKey = key ?? '';
      return fetch(url.replace('https://api.anthropic.com', fakes.anthropic.url), { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-api-key': key ?? '' } });
    };
    rig = await startRig(fakes, { fetch: officialFetch, cloud: ['gpt-5-mini', 'claude-sonnet-4-5'] });
  });
  after(async () => {
    await rig?.close();
    await closeFakes(fakes);
  });
  beforeEach(() => {
    official.length = 0;
    fakes.anthropic.reset();
    fakes.openai.reset();
    fakes.ollama.reset();
    fakes.anthropic.apiKey = 'sk-ant-test-0000';
    rig.records.length = 0;
  });

  function everythingTheFakesSaw(): string {
    return JSON.stringify([...fakes.ollama.requests, ...fakes.openai.requests, ...fakes.anthropic.requests].map((r) => [r.headers, r.rawBody]));
  }

  it('a client API key goes only to Anthropic\'s official endpoint, for Anthropic models', async () => {
    const res = await post(rig.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] },
      { authorization: `Bearer ${GATEWAY_TOKEN}`, 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' });
    assert.equal(res.status, 200, await res.clone().text());
    await res.json();
    assert.equal(official.length, 1);
    assert.equal(new URL(official[0].url).origin, 'https://api.anthropic.com');
    assert.equal(official[0].headers['x-api-key'], CLIENT_KEY);
    await waitForRecords(rig.records, 1);
    assert.ok(!JSON.stringify(rig.records).includes(CLIENT_KEY), 'never recorded');
  });

  it('Claude Code\'s OAuth token travels as Bearer with the OAuth beta header, to the official endpoint only', async () => {
    const res = await post(rig.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] },
      { authorization: `Bearer ${OAUTH}`, 'x-api-key': GATEWAY_TOKEN, 'anthropic-version': '2023-06-01' });
    assert.equal(res.status, 200);
    await res.json();
    assert.equal(official.length, 1);
    assert.equal(official[0].headers.authorization, `Bearer ${OAUTH}`);
    assert.match(official[0].headers['anthropic-beta'], /oauth-2025-04-20/);
    assert.equal(official[0].headers['x-api-key'], undefined);
  });

  it('for a model of another provider (or a local one) the client key is not used and reaches no one', async () => {
    fakes.openai.script({ text: 'from openai' });
    const res = await post(rig.url, '/v1/messages', { model: 'gpt-5-mini', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] },
      { authorization: `Bearer ${GATEWAY_TOKEN}`, 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as any).content[0].text, 'from openai');
    const local = await post(rig.url, '/v1/messages', { model: 'qwen2.5-coder:7b', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] },
      { authorization: `Bearer ${GATEWAY_TOKEN}`, 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' });
    assert.equal(local.status, 200);
    await local.json();
    assert.equal(official.length, 0);
    assert.equal(fakes.openai.requestsTo('/v1/chat/completions')[0].headers.authorization, 'Bearer sk-test-openai-0000');
    assert.ok(!everythingTheFakesSaw().includes(CLIENT_KEY), 'the client key reached a non-official origin');
  });
});
