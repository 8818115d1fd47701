// OpenAI Chat Completions, OpenAI Responses and Ollama through the gateway, each served by a backend of
// another wire format: what the client got (events, tool calls, stop reasons, usage) against what reached
// the backend and what the fake reported. The Ollama side uses the real `ollama` client library.
import * as assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { Fakes, GATEWAY_TOKEN, gatewaySuite, GatewayRig, post, sseEvents, waitForRecords } from './rig';

const BEARER = { authorization: `Bearer ${GATEWAY_TOKEN}` };
const RENAME = 'Rename the variable `tmp` to `total` in this function:\n\nfunction sum(a) { let tmp = 0; for (const x of a) tmp += x; return tmp; }';
const EXEC = { type: 'function', name: 'exec_command', description: 'Run a shell command', parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] } };
const PATCH = { type: 'custom', name: 'apply_patch', description: 'Apply a patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: "*** Begin Patch" /.+/s' } };
const READ_FN = { type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } };

describe('gateway: OpenAI and Ollama formats, any backend', function () {
  this.timeout(20_000);
  const suite = gatewaySuite();
  let fakes: Fakes;
  let rig: GatewayRig;
  beforeEach(() => ({ fakes, rig } = suite));

  it('Chat Completions served by Anthropic: streamed tool call, finish_reason, usage chunk; the tool result goes back as tool_result', async () => {
    fakes.anthropic.script({ text: 'Let me read it.', toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }], cachedTokens: 100, promptTokens: 500 });
    const res = await post(rig.url, '/v1/chat/completions', {
      model: 'claude-sonnet-4-5', stream: true, stream_options: { include_usage: true }, tools: [READ_FN],
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'read a.ts' }],
    }, BEARER);
    assert.equal(res.status, 200);
    const events = await sseEvents(res);
    assert.equal(events[events.length - 1].data, '[DONE]');
    const chunks = events.slice(0, -1).map((e) => e.data);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'Let me read it.');
    const call = chunks.find((c) => c.choices[0]?.delta?.tool_calls)!.choices[0].delta.tool_calls[0];
    assert.equal(call.function.name, 'read_file');
    assert.deepEqual(JSON.parse(call.function.arguments), { path: 'a.ts' });
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)!.choices[0].finish_reason, 'tool_calls');
    const usage = chunks[chunks.length - 1].usage;
    const sent = fakes.anthropic.requestsTo('/v1/messages');
    assert.equal(sent[0].body.system, 'Be brief.');
    const reported = sent[0].reported as Record<string, number>;
    assert.equal(usage.prompt_tokens, reported.input_tokens + reported.cache_read_input_tokens + reported.cache_creation_input_tokens);
    assert.equal(usage.prompt_tokens_details.cached_tokens, 100);
    assert.equal(usage.completion_tokens, reported.output_tokens);

    fakes.anthropic.script({ text: 'It exports x.' });
    const next = await post(rig.url, '/v1/chat/completions', {
      model: 'claude-sonnet-4-5', tools: [READ_FN],
      messages: [
        { role: 'user', content: 'read a.ts' },
        { role: 'assistant', content: 'Let me read it.', tool_calls: [{ id: call.id, type: 'function', function: call.function }] },
        { role: 'tool', tool_call_id: call.id, content: 'export const x = 1;' },
      ],
    }, BEARER);
    assert.equal(next.status, 200, await next.clone().text());
    const body = await next.json() as any;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices[0].message.content, 'It exports x.');
    assert.equal(body.choices[0].finish_reason, 'stop');
    const second = fakes.anthropic.requestsTo('/v1/messages')[1].body;
    assert.deepEqual(second.messages[2].content[0], { type: 'tool_result', tool_use_id: call.id, content: 'export const x = 1;' });
  });

  it('Responses (Codex\'s shape) served by local Ollama: function and custom tool calls come back as their own item types', async () => {
    fakes.ollama.script({ text: '', toolCalls: [{ name: 'exec_command', arguments: { cmd: 'cat a.ts' } }, { name: 'apply_patch', arguments: { input: '*** Begin Patch\n*** End Patch' } }] });
    const res = await post(rig.url, '/v1/responses', {
      model: 'rightsize-auto', stream: false, store: false, tools: [EXEC, PATCH],
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: RENAME }] },
      ],
    }, { ...BEARER, 'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64)' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json() as any;
    assert.equal(body.object, 'response');
    assert.equal(body.status, 'completed');
    const fc = body.output.find((o: any) => o.type === 'function_call');
    const custom = body.output.find((o: any) => o.type === 'custom_tool_call');
    assert.deepEqual(JSON.parse(fc.arguments), { cmd: 'cat a.ts' });
    assert.equal(custom.name, 'apply_patch');
    assert.equal(custom.input, '*** Begin Patch\n*** End Patch');
    const sent = fakes.ollama.requestsTo('/api/chat')[0].body;
    assert.equal(sent.model, body.model);
    assert.deepEqual(sent.messages.map((m: any) => m.role), ['system', 'user']);
    assert.deepEqual(sent.tools.map((t: any) => t.function.name), ['exec_command', 'apply_patch']);
    assert.equal(sent.tools[1].function.parameters.properties.input.type, 'string');
    const reported = fakes.ollama.requestsTo('/api/chat')[0].reported as Record<string, number>;
    assert.equal(body.usage.input_tokens, reported.prompt_eval_count);
    assert.equal(body.usage.output_tokens, reported.eval_count);
    await waitForRecords(rig.records, 1);
    assert.equal(rig.records[0].client, 'codex');

    // The continuation: both outputs go back, the turn keeps its model.
    fakes.ollama.script({ text: 'Renamed.' });
    const next = await post(rig.url, '/v1/responses', {
      model: 'rightsize-auto', stream: true, tools: [EXEC, PATCH],
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: RENAME }] },
        fc, { type: 'function_call_output', call_id: fc.call_id, output: 'let tmp = 0;' },
        custom, { type: 'custom_tool_call_output', call_id: custom.call_id, output: 'Done!' },
      ],
    }, BEARER);
    const events = await sseEvents(next);
    const types = events.map((e) => e.event);
    assert.deepEqual(types, ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      'response.output_text.delta', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    assert.equal(events[events.length - 1].data.response.output[0].content[0].text, 'Renamed.');
    assert.equal(events[events.length - 1].data.response.model, body.model);
    const toolMsgs = fakes.ollama.requestsTo('/api/chat')[1].body.messages.filter((m: any) => m.role === 'tool');
    assert.deepEqual(toolMsgs.map((m: any) => [m.tool_name, m.content]), [['exec_command', 'let tmp = 0;'], ['apply_patch', 'Done!']]);
    await waitForRecords(rig.records, 2);
    assert.match(rig.records[1].decision.reason, /Tool-loop continuation: stays on/);
  });

  it('Responses served by OpenAI Chat Completions: the streamed usage is what the backend reported', async () => {
    fakes.openai.script({ text: 'Hello there.', cachedTokens: 64, promptTokens: 640, thinking: 'hmm' });
    const res = await post(rig.url, '/v1/responses', { model: 'gpt-5-mini', stream: true, input: 'say hello' }, BEARER);
    const events = await sseEvents(res);
    const done = events[events.length - 1];
    assert.equal(done.event, 'response.completed');
    const reported = fakes.openai.requestsTo('/v1/chat/completions')[0].reported as any;
    assert.deepEqual(done.data.response.usage, {
      input_tokens: 640, input_tokens_details: { cached_tokens: 64 },
      output_tokens: reported.completion_tokens, output_tokens_details: { reasoning_tokens: reported.completion_tokens_details.reasoning_tokens },
      total_tokens: 640 + reported.completion_tokens,
    });
    assert.ok(events.every((e, i) => e.data.sequence_number === i), 'sequence numbers count up');
    const bad = await post(rig.url, '/v1/responses', { model: 'gpt-5-mini', input: 'x', previous_response_id: 'resp_1' }, BEARER);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as any).error.message, /previous_response_id is not supported/);
  });

  it('the real ollama client: streamed chat through the gateway to Anthropic, tool call ids made up and matched for the round trip', async () => {
    const client = new Ollama({ host: rig.url, headers: { Authorization: `Bearer ${GATEWAY_TOKEN}` } });
    const tags = await client.list();
    assert.equal(tags.models[0].name, 'rightsize-auto');
    assert.ok(tags.models.some((m) => m.name === 'claude-sonnet-4-5'));
    fakes.anthropic.script({ text: 'Reading.', toolCalls: [{ name: 'read_file', arguments: { path: 'b.ts' } }] }, { text: 'b.ts is empty.' });
    const tools = [READ_FN as never];
    let text = '';
    const calls: Array<{ function: { name: string; arguments: Record<string, unknown> } }> = [];
    let last: any;
    for await (const part of await client.chat({ model: 'claude-sonnet-4-5', stream: true, tools, messages: [{ role: 'user', content: 'read b.ts' }] })) {
      text += part.message.content;
      if (part.message.tool_calls) calls.push(...part.message.tool_calls);
      last = part;
    }
    assert.equal(text, 'Reading.');
    assert.equal(calls[0].function.name, 'read_file');
    assert.equal(last.done, true);
    assert.equal(last.done_reason, 'stop');
    const reported = fakes.anthropic.requestsTo('/v1/messages')[0].reported as Record<string, number>;
    assert.equal(last.prompt_eval_count, reported.input_tokens);
    assert.equal(last.eval_count, reported.output_tokens);
    // Ollama's history has no call ids: Anthropic requires them to match (the fake checks, as the API does).
    const answer = await client.chat({
      model: 'claude-sonnet-4-5', stream: false, tools,
      messages: [{ role: 'user', content: 'read b.ts' }, { role: 'assistant', content: 'Reading.', tool_calls: calls.map((c) => ({ function: c.function })) }, { role: 'tool', content: '', tool_name: 'read_file' } as never],
    });
    assert.equal(answer.message.content, 'b.ts is empty.');
    const second = fakes.anthropic.requestsTo('/v1/messages')[1].body;
    assert.equal(second.messages[2].content[0].tool_use_id, second.messages[1].content.find((b: any) => b.type === 'tool_use').id);
  });

  it('Ollama generate with a suffix is fill-in-the-middle at a local model; /api/version and /api/show answer', async () => {
    const client = new Ollama({ host: rig.url, headers: { Authorization: `Bearer ${GATEWAY_TOKEN}` } });
    fakes.ollama.script({ text: ' + b' });
    const r = await client.generate({ model: 'qwen2.5-coder:1.5b', prompt: 'function add(a, b) { return a', suffix: '; }', stream: false });
    assert.equal(r.response, ' + b');
    const sent = fakes.ollama.requestsTo('/api/generate')[0].body;
    assert.equal(sent.suffix, '; }');
    assert.equal(sent.model, 'qwen2.5-coder:1.5b');
    assert.match((await client.version()).version, /^\d+\.\d+\.\d+$/);
    const show = await client.show({ model: 'rightsize-auto' });
    assert.ok(show.capabilities.includes('tools'));
  });

  it('images travel across formats: an OpenAI data-URL image reaches Anthropic as a base64 image block, an Ollama image reaches OpenAI as a data URL', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    fakes.anthropic.script({ text: 'A tiny PNG.' });
    const res = await post(rig.url, '/v1/chat/completions', {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }] }],
    }, BEARER);
    assert.equal(res.status, 200);
    await res.json();
    const blocks = fakes.anthropic.requestsTo('/v1/messages')[0].body.messages[0].content;
    assert.deepEqual(blocks[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } });
    fakes.openai.script({ text: 'Also a PNG.' });
    const ollama = await post(rig.url, '/api/chat', { model: 'gpt-5-mini', stream: false, messages: [{ role: 'user', content: 'And this?', images: [png] }] }, BEARER);
    assert.equal(ollama.status, 200);
    const parts = fakes.openai.requestsTo('/v1/chat/completions')[0].body.messages[0].content;
    assert.equal(parts[1].image_url.url, `data:image/png;base64,${png}`);
  });

  it('errors come back in each client\'s own shape', async () => {
    const chat = await post(rig.url, '/v1/chat/completions', { model: 'nope-model', messages: [{ role: 'user', content: 'x' }] }, BEARER);
    assert.equal(chat.status, 404);
    assert.equal(((await chat.json()) as any).error.code, 'model_not_found');
    const ollama = await post(rig.url, '/api/chat', { model: 'nope-model', messages: [{ role: 'user', content: 'x' }] }, BEARER);
    assert.equal(ollama.status, 404);
    assert.match(((await ollama.json()) as any).error, /no model "nope-model"/);
    const malformed = await post(rig.url, '/v1/chat/completions', { model: 'gpt-5-mini', messages: [{ role: 'wizard', content: 'x' }] }, BEARER);
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as any).error.message, /messages\[0\]\.role/);
  });
});
