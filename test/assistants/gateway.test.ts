// The real assistants through `rightsize serve`, against the fake model servers: Claude Code (`claude -p`,
// ANTHROPIC_BASE_URL at the gateway), Codex CLI (`codex exec`, a custom provider with wire_api =
// "responses") and the official openai and @anthropic-ai/sdk SDKs. Each test checks which model answered,
// what reached the backend, and the ledger record serve wrote.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeFakes, Fakes, startFakes } from '../unit/gateway/rig';
import { ledgerRecords, run, Serve, setup, startServe, waitForLedger, CLI } from './serveHarness';

const READ_TOOL_NOTE = 'rightsize gateway notes: the tool loop works\n';

describe('real assistants through rightsize serve', function () {
  this.timeout(300_000);
  let bins: ReturnType<typeof setup.install>;
  let dir: string;
  let fakes: Fakes;
  let serve: Serve;

  before(async function () {
    bins = setup.install();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-gateway-real-'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), READ_TOOL_NOTE);
    fakes = await startFakes(50_000);
    serve = await startServe(fakes, dir);
  });
  after(async function () {
    if (serve && serve.child.exitCode === null) await serve.stop();
    await closeFakes(fakes);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fakes.ollama.reset();
    fakes.openai.reset();
    fakes.anthropic.reset();
  });

  const claudeEnv = (model: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH, HOME: path.join(dir, 'claude-home'), CLAUDE_CONFIG_DIR: path.join(dir, 'claude-home', '.claude'),
    ANTHROPIC_BASE_URL: serve.url, ANTHROPIC_AUTH_TOKEN: serve.token, ANTHROPIC_MODEL: model,
    DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  });
  const claude = (model: string, prompt: string) => run(bins.claudeBin, ['-p', '--allowedTools', 'Read', '--', prompt], claudeEnv(model), dir);
  const newRecords = (before: number): any[] => ledgerRecords(serve.ledgerDir).slice(before);

  it('Claude Code, a named model: its Read tool loop goes through the gateway to Anthropic, both calls in the ledger with Anthropic\'s usage', async () => {
    const before = ledgerRecords(serve.ledgerDir).length;
    fakes.anthropic.script(
      { text: 'Reading the notes.', toolCalls: [{ name: 'Read', arguments: { file_path: path.join(dir, 'notes.txt') } }], cachedTokens: 2000 },
      { text: 'The notes say the tool loop works.' },
    );
    const r = await claude('claude-sonnet-4-5', 'read notes.txt and tell me what it says');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /The notes say the tool loop works\./);
    const sent = fakes.anthropic.requestsTo('/v1/messages');
    assert.equal(sent.length, 2);
    assert.ok(sent.every((s) => s.body.model === 'claude-sonnet-4-5' && s.headers['x-api-key'] === 'sk-ant-test-0000'), 'Rightsize\'s key, the named model');
    assert.ok(sent.every((s) => s.headers.authorization === undefined), 'the gateway token did not travel on');
    const result = sent[1].body.messages.at(-1).content.find((b: any) => b.type === 'tool_result');
    assert.ok(result, 'the second call carries the tool result');
    assert.match(JSON.stringify(result.content), /the tool loop works/);
    const recs = await waitForLedger(serve.ledgerDir, before + 2).then(() => newRecords(before));
    assert.equal(recs.length, 2);
    assert.ok(recs.every((x) => x.surface === 'gateway' && x.client === 'claude-code' && x.model.id === 'claude-sonnet-4-5' && x.outcome === 'ok'));
    assert.equal(recs[0].workspace.name, path.basename(dir));
    const reported = sent.map((s) => s.reported as Record<string, number>);
    assert.deepEqual(recs.map((x) => [x.tokens.input, x.tokens.cachedInput, x.tokens.output]),
      reported.map((u) => [u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens, u.cache_read_input_tokens, u.output_tokens]));
  });

  it('Claude Code with rightsize-auto: routed once, the tool-loop continuation keeps the turn\'s model', async () => {
    const before = ledgerRecords(serve.ledgerDir).length;
    for (const f of [fakes.ollama, fakes.openai, fakes.anthropic]) {
      f.script({ text: '', toolCalls: [{ name: 'Read', arguments: { file_path: path.join(dir, 'notes.txt') } }] }, { text: 'Routed answer: the tool loop works.' });
    }
    const r = await claude('rightsize-auto', 'read notes.txt and tell me what it says');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /Routed answer: the tool loop works\./);
    const recs = await waitForLedger(serve.ledgerDir, before + 2).then(() => newRecords(before));
    assert.equal(recs.length, 2, JSON.stringify(recs.map((x) => x.model.id)));
    assert.equal(recs[0].decision.mode, 'auto');
    assert.equal(recs[1].model.id, recs[0].model.id);
    assert.match(recs[1].decision.reason, /Tool-loop continuation: stays on/);
    // The model in the record is the one that was asked: the fake of its provider got both calls.
    const fake = recs[0].model.provider === 'ollama' ? fakes.ollama : recs[0].model.provider === 'anthropic' ? fakes.anthropic : fakes.openai;
    const path_ = recs[0].model.provider === 'ollama' ? '/api/chat' : recs[0].model.provider === 'anthropic' ? '/v1/messages' : '/v1/chat/completions';
    assert.deepEqual(fake.requestsTo(path_).map((s) => s.body.model), [recs[0].model.id, recs[0].model.id]);
  });

  it('Claude Code keeping its own key (gateway token in x-rightsize-token): a local model answers, the key reaches no backend', async () => {
    const own = 'sk-ant-api03-the-users-own-key-0123456789';
    const before = ledgerRecords(serve.ledgerDir).length;
    fakes.ollama.script({ text: 'Answered locally.' });
    const env = { ...claudeEnv('qwen2.5-coder:7b'), ANTHROPIC_AUTH_TOKEN: undefined, ANTHROPIC_API_KEY: own, ANTHROPIC_CUSTOM_HEADERS: `x-rightsize-token: ${serve.token}` };
    const r = await run(bins.claudeBin, ['-p', '--', 'say hello'], env, dir);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /Answered locally\./);
    assert.equal(fakes.ollama.requestsTo('/api/chat')[0].body.model, 'qwen2.5-coder:7b');
    const seen = JSON.stringify([...fakes.ollama.requests, ...fakes.openai.requests, ...fakes.anthropic.requests].map((x) => [x.headers, x.rawBody]));
    assert.ok(!seen.includes(own), 'the client\'s key reached a non-official origin');
    const recs = await waitForLedger(serve.ledgerDir, before + 1).then(() => newRecords(before));
    assert.ok(!JSON.stringify(recs).includes(own));
    assert.ok(!serve.stderr().includes(own), 'never logged');
    assert.equal(recs[0].client, 'claude-code');
  });

  it('Codex CLI (codex exec, Responses API) with rightsize-auto: the exec_command loop on one model, recorded', async () => {
    const codexHome = path.join(dir, 'codex-home');
    fs.mkdirSync(codexHome, { recursive: true });
    fs.writeFileSync(path.join(codexHome, 'config.toml'), [
      'model = "rightsize-auto"', 'model_provider = "rightsize"', '[model_providers.rightsize]', 'name = "Rightsize"',
      `base_url = "${serve.url}/v1"`, 'env_key = "RIGHTSIZE_GATEWAY_TOKEN"', 'wire_api = "responses"', 'request_max_retries = 0', 'stream_max_retries = 0', '',
    ].join('\n'));
    const before = ledgerRecords(serve.ledgerDir).length;
    for (const f of [fakes.ollama, fakes.openai, fakes.anthropic]) {
      f.script({ text: 'Reading it.', toolCalls: [{ name: 'exec_command', arguments: { cmd: 'cat notes.txt' } }] }, { text: 'Codex says: the tool loop works.' });
    }
    const r = await run(process.execPath, [bins.codexBin, 'exec', '--skip-git-repo-check', 'read notes.txt'],
      { PATH: process.env.PATH, HOME: path.join(dir, 'codex-user'), CODEX_HOME: codexHome, RIGHTSIZE_GATEWAY_TOKEN: serve.token }, dir);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /Codex says: the tool loop works\./);
    const recs = await waitForLedger(serve.ledgerDir, before + 2).then(() => newRecords(before));
    assert.equal(recs.length, 2);
    assert.ok(recs.every((x) => x.client === 'codex' && x.surface === 'gateway' && x.outcome === 'ok'));
    assert.equal(recs[1].model.id, recs[0].model.id);
    assert.match(recs[1].decision.reason, /Tool-loop continuation: stays on/);
    // What reached the backend: the command's real output as the tool result.
    const provider = recs[0].model.provider;
    const seen = JSON.stringify((provider === 'ollama' ? fakes.ollama : provider === 'anthropic' ? fakes.anthropic : fakes.openai).requests.map((x) => x.body));
    assert.match(seen, /rightsize gateway notes: the tool loop works/);
  });

  it('the openai SDK (chat streaming with tools, responses) and the Anthropic SDK (messages.stream with tools) through the gateway', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const OpenAI = (require(bins.openai) as { default: any }).default;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Anthropic = (require(bins.anthropicSdk) as { default: any }).default;
    const openai = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: serve.token, maxRetries: 0 });
    const before = ledgerRecords(serve.ledgerDir).length;

    fakes.anthropic.script({ text: 'Calling.', toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] });
    const tools = [{ type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const stream = await openai.chat.completions.create({ model: 'claude-haiku-4-5', stream: true, stream_options: { include_usage: true }, tools, messages: [{ role: 'user', content: 'look up x' }] });
    let text = '';
    let args = '';
    let finish = '';
    let usage: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, 'Calling.');
    assert.deepEqual(JSON.parse(args), { q: 'x' });
    assert.equal(finish, 'tool_calls');
    assert.equal(fakes.anthropic.requestsTo('/v1/messages')[0].body.model, 'claude-haiku-4-5');
    assert.equal(usage.completion_tokens, (fakes.anthropic.requestsTo('/v1/messages')[0].reported as any).output_tokens);

    fakes.openai.script({ text: 'Responses answer.' });
    const resp = await openai.responses.create({ model: 'gpt-5-mini', input: 'hello' });
    assert.equal(resp.output_text, 'Responses answer.');
    assert.equal(resp.usage.input_tokens, (fakes.openai.requestsTo('/v1/chat/completions')[0].reported as any).prompt_tokens);

    const anthropic = new Anthropic({ baseURL: serve.url, apiKey: serve.token, maxRetries: 0 });
    fakes.ollama.script({ text: 'Local.', toolCalls: [{ name: 'lookup', arguments: { q: 'y' } }] });
    const ms = anthropic.messages.stream({ model: 'qwen2.5-coder:7b', max_tokens: 256, tools: [{ name: 'lookup', description: 'Look up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }], messages: [{ role: 'user', content: 'look up y' }] });
    const final = await ms.finalMessage();
    assert.equal(final.model, 'qwen2.5-coder:7b');
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual(final.content.find((b: any) => b.type === 'tool_use').input, { q: 'y' });
    const reported = fakes.ollama.requestsTo('/api/chat')[0].reported as any;
    assert.equal(final.usage.input_tokens, reported.prompt_eval_count);
    assert.equal(final.usage.output_tokens, reported.eval_count);

    const recs = await waitForLedger(serve.ledgerDir, before + 3).then(() => newRecords(before));
    assert.deepEqual(recs.map((x) => [x.client, x.model.id]), [['openai-sdk', 'claude-haiku-4-5'], ['openai-sdk', 'gpt-5-mini'], ['anthropic-sdk', 'qwen2.5-coder:7b']]);

    // A wrong token: each SDK raises its own authentication error; nothing reaches a backend.
    const n = fakes.ollama.requests.length + fakes.openai.requests.length + fakes.anthropic.requests.length;
    await assert.rejects(new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'rsk-gw-wrong', maxRetries: 0 }).chat.completions.create({ model: 'rightsize-auto', messages: [{ role: 'user', content: 'x' }] }),
      (e: any) => e.status === 401 && /wrong token/.test(e.message));
    await assert.rejects(new Anthropic({ baseURL: serve.url, apiKey: 'rsk-gw-wrong', maxRetries: 0 }).messages.create({ model: 'rightsize-auto', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (e: any) => e.status === 401 && e.constructor.name === 'AuthenticationError');
    assert.equal(fakes.ollama.requests.length + fakes.openai.requests.length + fakes.anthropic.requests.length, n);
  });

  it('serve refuses a non-loopback bind, and Ctrl-C stops it with exit code 0', async () => {
    const r = await run(process.execPath, [CLI, 'serve', '--port', '0', '--host', '0.0.0.0', '--no-settings', '--ledger', path.join(dir, 'l2'), '--token-file', path.join(dir, 't2')], { PATH: process.env.PATH, HOME: dir }, dir, 20_000);
    assert.equal(r.code, 1);
    assert.match(r.err, /loopback addresses only/);
    const code = await serve.stop();
    assert.equal(code, 0);
    assert.match(serve.stderr(), /SIGINT, stopping/);
    assert.ok(fs.statSync(path.join(dir, 'gateway-token')).mode % 0o1000 === 0o600, 'the token file is private');
  });
});
