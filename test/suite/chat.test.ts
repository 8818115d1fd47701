// The chat door in a real extension host, against the fake Ollama / OpenAI / Anthropic servers:
// routing, tool calls, cancellation, budgets, the status bar, and the security of endpoint settings.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RightsizeApi } from '../../src/vscode/activation';
import type { UsageRecord } from '../../src/core/types';
import { Ledger } from '../../src/core/ledger';
import { FakeAnthropic, FakeOllama, FakeOpenAI, startFakeAnthropic, startFakeOllama, startFakeOpenAI } from '../fakes';

const EXTENSION_ID = 'rightsize-dev.rightsize';
const OPENAI_KEY = 'sk-test-host-openai-000111';
const ANTHROPIC_KEY = 'sk-ant-test-host-000222';

const RENAME = 'Rename the variable `tmp` to `total` in this function:\n\nfunction sum(a) { let tmp = 0; for (const x of a) tmp += x; return tmp; }';
const DESIGN = 'Design a plugin architecture for our editor across these files: src/core/a.ts, src/core/b.ts, src/ui/c.ts, src/ui/d.ts, src/net/e.ts, src/net/f.ts. Weigh the trade-offs of an event bus versus dependency injection and how should I structure versioning of the plugin API so third parties do not break?';

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Chat door: Rightsize models in a real extension host', function () {
  this.timeout(60_000);
  let api: RightsizeApi;
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  let anthropic: FakeAnthropic;
  const user = () => vscode.workspace.getConfiguration('rightsize');

  before(async () => {
    ollama = await startFakeOllama();
    openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
    anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
    api = (await vscode.extensions.getExtension<RightsizeApi>(EXTENSION_ID)!.activate());
    assert.ok(api.setApiKeyForTesting, 'test hooks are available in development mode');
    const G = vscode.ConfigurationTarget.Global;
    await user().update('ollama.host', ollama.url, G);
    await user().update('openai.baseUrl', `${openai.url}/v1`, G);
    await user().update('anthropic.baseUrl', anthropic.url, G);
    await user().update('cloudModels', ['gpt-5', 'gpt-5-mini', 'claude-sonnet-4-5'], G);
    await user().update('useCopilotModels', false, G);
    await api.setApiKeyForTesting!('openai', OPENAI_KEY);
    await api.setApiKeyForTesting!('anthropic', ANTHROPIC_KEY);
    // Settings reach the extension through onDidChangeConfiguration: wait until they are in effect.
    await until(() => {
      const c = api.effectiveConfigForTesting!();
      return c.ollamaHost === ollama.url && c.openaiBaseUrl === `${openai.url}/v1` && c.cloudModels.includes('claude-sonnet-4-5') && !c.useCopilotModels;
    }, 'the test settings to take effect');
    await until(async () => {
      const ids = (await api.refreshModelsForTesting!()).map((m) => m.id);
      return ids.includes('qwen2.5-coder:7b') && ids.includes('gpt-5') && ids.includes('claude-sonnet-4-5');
    }, 'the fake servers\' models to be discovered');
  });

  after(async () => {
    const G = vscode.ConfigurationTarget.Global;
    for (const k of ['ollama.host', 'openai.baseUrl', 'anthropic.baseUrl', 'cloudModels', 'useCopilotModels', 'mode']) await user().update(k, undefined, G);
    await ollama?.close();
    await openai?.close();
    await anthropic?.close();
  });

  beforeEach(() => {
    ollama.reset();
    openai.reset();
    anthropic.reset();
  });

  async function model(id: string): Promise<vscode.LanguageModelChat> {
    const [m] = await vscode.lm.selectChatModels({ vendor: 'rightsize', id });
    assert.ok(m, `model ${id} is offered; have: ${(await vscode.lm.selectChatModels({ vendor: 'rightsize' })).map((x) => x.id).join(', ')}`);
    return m;
  }

  function nextRecord(pred: (r: UsageRecord) => boolean = () => true): Promise<UsageRecord> {
    return new Promise((resolve) => {
      const sub = api.onDidRecord((r) => { if (pred(r)) { sub.dispose(); resolve(r); } });
    });
  }

  async function send(m: vscode.LanguageModelChat, messages: vscode.LanguageModelChatMessage[], options: vscode.LanguageModelChatRequestOptions = {}, token?: vscode.CancellationToken) {
    const response = await m.sendRequest(messages, options, token);
    const parts: unknown[] = [];
    let text = '';
    for await (const p of response.stream) {
      parts.push(p);
      if (p instanceof vscode.LanguageModelTextPart) text += p.value;
    }
    return { text, parts };
  }

  it('offers “Rightsize Auto” and one entry per available model, with true model information', async () => {
    const all = await vscode.lm.selectChatModels({ vendor: 'rightsize' });
    const ids = all.map((m) => m.id);
    assert.ok(ids.includes(api.autoModelId), ids.join(', '));
    assert.equal(all.find((m) => m.id === api.autoModelId)!.name, 'Rightsize Auto');
    for (const id of ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b', 'gpt-5', 'claude-sonnet-4-5']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    const q = all.find((m) => m.id === 'qwen2.5-coder:7b')!;
    const show = ollama.getModels().find((m) => m.name === 'qwen2.5-coder:7b')!;
    assert.ok(q.maxInputTokens <= show.contextLength && q.maxInputTokens > show.contextLength / 2, `maxInputTokens ${q.maxInputTokens} vs context ${show.contextLength}`);
  });

  it('Auto routes a rename to a small local model; the status bar shows the request', async () => {
    const before = api.sessionReport().totals;
    let barAtRecord = '';
    const sub = api.onDidRecord(() => { barAtRecord = api.statusBar().text; });
    const recorded = nextRecord();
    const { text } = await send(await model(api.autoModelId), [vscode.LanguageModelChatMessage.User(RENAME)]);
    const rec = await recorded;
    assert.ok(text.length > 0);
    assert.equal(rec.model.location, 'local', rec.decision.reason);
    assert.equal(ollama.requestsTo('/api/chat').length, 1);
    assert.equal(openai.requestsTo('/v1/chat/completions').length + anthropic.requestsTo('/v1/messages').length, 0);
    sub.dispose();
    const bar = api.statusBar();
    assert.match(bar.text, /tok/);
    assert.match(bar.text, /Wh/);
    const after = api.sessionReport().totals;
    assert.equal(after.requests, before.requests + 1);
    assert.equal(after.tokens.input - before.tokens.input, rec.tokens.input);
    // The meter is updated before the record event fires: no timer, no delay.
    assert.equal(barAtRecord, bar.text, 'the status bar already showed the request when it was recorded');
    assert.ok(bar.tooltip.includes('this session'));
  });

  it('Auto\'s answer opens with the model line (once per turn; the setting turns it off) and ends with the usage part', async () => {
    const auto = await model(api.autoModelId);
    const ask = `${RENAME}\n(and keep the function's name)`; // words no other test opens a turn with
    const tools: vscode.LanguageModelChatTool[] = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
    // 1. The turn opens with a tool call only: no text, so no line yet (VS Code folds these steps away).
    ollama.script({ chunks: [], toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] });
    let recorded = nextRecord();
    const first = await send(auto, [vscode.LanguageModelChatMessage.User(ask)], { tools });
    let rec = await recorded;
    const kinds = first.parts.map((p) => (p as object).constructor.name);
    const call = first.parts.find((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart);
    assert.ok(call, `a tool call: ${kinds.join(', ')}`);
    assert.equal(first.text.trim(), '', `no text before the tool call: ${JSON.stringify(first.text)}`);
    // The usage part, last: the record's tokens, as VS Code's chat reads them.
    const usage = first.parts.at(-1) as vscode.LanguageModelDataPart;
    assert.ok(usage instanceof vscode.LanguageModelDataPart && usage.mimeType === 'usage', `last part: ${kinds.at(-1)}`);
    const u = JSON.parse(new TextDecoder().decode(usage.data)) as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    assert.equal(u.prompt_tokens, rec.tokens.input);
    assert.ok(u.prompt_tokens > 0);
    assert.equal(u.completion_tokens, rec.tokens.output);
    assert.equal(u.total_tokens, rec.tokens.input + rec.tokens.output);
    // 2. The tool-loop continuation writes the answer: the line heads it, naming the turn's model.
    const history = [
      vscode.LanguageModelChatMessage.User(ask),
      vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input)]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('function sum(a) {}')])]),
    ];
    ollama.script({ text: 'Renamed tmp to total.' });
    recorded = nextRecord();
    const cont = await send(auto, history, { tools });
    rec = await recorded;
    const [line, ...rest] = cont.text.split('\n\n');
    assert.ok(line.startsWith(`*${rec.model.id} · ${rec.model.location} — `) && line.endsWith('*'), `first line: ${JSON.stringify(line)}`);
    assert.equal(rest.join('\n\n'), 'Renamed tmp to total.');
    // 3. Another request of the same turn does not repeat it.
    ollama.script({ text: 'Still the same turn.' });
    const again = await send(auto, history, { tools });
    assert.equal(again.text, 'Still the same turn.');
    // 4. With rightsize.chat.showModelLine off, a new turn's answer is the model's alone.
    await user().update('chat.showModelLine', false, vscode.ConfigurationTarget.Global);
    try {
      await until(() => api.effectiveConfigForTesting!().chatShowModelLine === false, 'the setting to take effect');
      ollama.script({ text: 'Plain answer.' });
      recorded = nextRecord();
      const off = await send(auto, [vscode.LanguageModelChatMessage.User(`${ask} (again)`)]);
      rec = await recorded;
      assert.equal(off.text, 'Plain answer.');
      assert.equal(rec.decision.mode, 'auto');
    } finally {
      await user().update('chat.showModelLine', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Auto advertises the largest window (default), or with rightsize.chat.autoWindow `local` the largest local one', async () => {
    const all = async () => vscode.lm.selectChatModels({ vendor: 'rightsize' });
    const input = (ms: vscode.LanguageModelChat[], pred: (m: vscode.LanguageModelChat) => boolean) => Math.max(...ms.filter(pred).map((m) => m.maxInputTokens));
    const locals = new Set(ollama.getModels().map((m) => m.name));
    let models = await all();
    const auto = () => models.find((m) => m.id === api.autoModelId)!;
    assert.equal(auto().maxInputTokens, input(models, (m) => m.id !== api.autoModelId), 'the largest of all');
    const largestLocal = input(models, (m) => locals.has(m.id));
    assert.ok(auto().maxInputTokens > largestLocal, `${auto().maxInputTokens} vs local ${largestLocal}`);
    await user().update('chat.autoWindow', 'local', vscode.ConfigurationTarget.Global);
    try {
      await until(async () => { models = await all(); return auto().maxInputTokens === largestLocal; }, 'Auto to advertise the largest local window');
    } finally {
      await user().update('chat.autoWindow', undefined, vscode.ConfigurationTarget.Global);
    }
    await until(async () => { models = await all(); return auto().maxInputTokens > largestLocal; }, 'the default to come back');
  });

  it('Auto routes a multi-file design request to a strong cloud model', async () => {
    const recorded = nextRecord();
    await send(await model(api.autoModelId), [vscode.LanguageModelChatMessage.User(DESIGN)]);
    const rec = await recorded;
    assert.equal(rec.model.location, 'cloud', rec.decision.reason);
    assert.equal(openai.requestsTo('/v1/chat/completions').length + anthropic.requestsTo('/v1/messages').length, 1);
    assert.equal(ollama.requestsTo('/api/chat').length, 0);
  });

  it('tool calls round-trip through the chat API', async () => {
    const m = await model('qwen2.5-coder:7b');
    const tools: vscode.LanguageModelChatTool[] = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
    ollama.script({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] });
    const first = await send(m, [vscode.LanguageModelChatMessage.User('Open src/a.ts')], { tools });
    const call = first.parts.find((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart);
    assert.ok(call, 'a tool call part was streamed');
    assert.equal(call.name, 'read_file');
    assert.deepEqual(call.input, { path: 'src/a.ts' });
    await send(m, [
      vscode.LanguageModelChatMessage.User('Open src/a.ts'),
      vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input)]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('export const a = 1;')])]),
    ], { tools });
    const body = ollama.requestsTo('/api/chat').at(-1)!.body;
    const toolMsg = body.messages.find((x: { role: string }) => x.role === 'tool');
    assert.ok(toolMsg, JSON.stringify(body.messages));
    assert.equal(toolMsg.content, 'export const a = 1;');
    assert.equal(body.tools[0].function.name, 'read_file');
  });

  it('cancellation aborts the backend request and records `cancelled`', async () => {
    const m = await model('qwen2.5-coder:7b');
    ollama.script({ text: 'word '.repeat(500), tokensPerSecond: 40 });
    const cts = new vscode.CancellationTokenSource();
    const recorded = nextRecord();
    const response = await m.sendRequest([vscode.LanguageModelChatMessage.User('Explain closures at length.')], {}, cts.token);
    for await (const p of response.stream) {
      if (p instanceof vscode.LanguageModelTextPart) { cts.cancel(); break; }
    }
    cts.cancel();
    const rec = await recorded;
    assert.equal(rec.outcome, 'cancelled');
    await ollama.waitForAbort(1, 5000);
  });

  it('a `block` budget refuses a cloud request with a clear message, and no request reaches the server', async () => {
    const W = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await user().update('budget.session.usd', 0.000001, W);
    await user().update('budget.action', 'block', W);
    try {
      const recorded = nextRecord();
      const { text } = await send(await model('gpt-5'), [vscode.LanguageModelChatMessage.User('Explain this regex: ^a+$')]);
      const rec = await recorded;
      assert.equal(rec.outcome, 'blocked');
      assert.match(text, /blocked/i);
      assert.match(text, /budget/i);
      assert.equal(openai.requestsTo('/v1/chat/completions').length, 0, 'nothing reached the OpenAI server');
    } finally {
      await user().update('budget.session.usd', undefined, W);
      await user().update('budget.action', undefined, W);
    }
  });

  it('a workspace settings.json that sets endpoint URLs is ignored', async () => {
    // VS Code itself drops machine-scoped values from workspace settings; Rightsize reads user values
    // only, whatever VS Code does. The file on disk does set hostile URLs:
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const raw = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, '.vscode', 'settings.json'))).toString('utf8'));
    assert.equal(raw['rightsize.openai.baseUrl'], 'http://127.0.0.1:9/evil', 'the test workspace sets a hostile base URL');
    assert.equal(raw['rightsize.ollama.host'], 'http://127.0.0.1:9');
    const effective = api.effectiveConfigForTesting!();
    assert.equal(effective.openaiBaseUrl, `${openai.url}/v1`);
    assert.equal(effective.ollamaHost, ollama.url);
    const recorded = nextRecord();
    await send(await model('gpt-5-mini'), [vscode.LanguageModelChatMessage.User('Say hi')]);
    assert.equal((await recorded).outcome, 'ok');
    const sent = openai.requestsTo('/v1/chat/completions');
    assert.equal(sent.length, 1, 'the request went to the user-level URL');
    assert.equal(sent[0].headers.authorization, `Bearer ${OPENAI_KEY}`);
  });

  it('the model list refreshes when Ollama’s models change', async () => {
    const changed = new Promise<void>((resolve) => { const d = vscode.lm.onDidChangeChatModels(() => { d.dispose(); resolve(); }); });
    const before = ollama.getModels().map((m) => m.name);
    ollama.setModels([...ollama.getModels(), { ...ollama.getModels()[0], name: 'qwen2.5-coder:3b', parameterSize: '3.1B', parameterCount: 3_090_000_000 }]);
    await vscode.commands.executeCommand('rightsize.refreshModels');
    await changed;
    const ids = (await vscode.lm.selectChatModels({ vendor: 'rightsize' })).map((m) => m.id);
    assert.ok(ids.includes('qwen2.5-coder:3b'), ids.join(', '));
    ollama.setModels(ollama.getModels().filter((m) => before.includes(m.name)));
    await api.refreshModelsForTesting!();
  });

  it('suggest mode: the picked model answers, and the record says what would have sufficed', async () => {
    const recorded = nextRecord();
    await send(await model('gpt-5'), [vscode.LanguageModelChatMessage.User(RENAME)]);
    const rec = await recorded;
    assert.equal(rec.decision.mode, 'suggest');
    assert.equal(rec.model.id, 'gpt-5');
    assert.equal(rec.decision.followed, false);
    assert.notEqual(rec.decision.suggested, 'gpt-5');
    assert.ok(rec.suggestedEstimate && rec.suggestedEstimate.usd < rec.cost.usd, JSON.stringify(rec.suggestedEstimate));
    assert.equal(openai.requestsTo('/v1/chat/completions').length, 1);
  });

  it('without Ollama and without keys, Rightsize Auto says how to start Ollama', async () => {
    const G = vscode.ConfigurationTarget.Global;
    await user().update('ollama.host', 'http://127.0.0.1:9', G);
    await api.setApiKeyForTesting!('openai', undefined);
    await api.setApiKeyForTesting!('anthropic', undefined);
    try {
      await until(() => api.effectiveConfigForTesting!().ollamaHost === 'http://127.0.0.1:9', 'the dead Ollama host to take effect');
      await until(async () => (await api.refreshModelsForTesting!()).length === 0, 'no models');
      const { text } = await send(await model(api.autoModelId), [vscode.LanguageModelChatMessage.User('hello')]);
      assert.match(text, /Ollama is not running at http:\/\/127\.0\.0\.1:9/);
      assert.match(text, /ollama serve/);
      assert.match(text, /Manage API Keys/);
    } finally {
      await user().update('ollama.host', ollama.url, G);
      await api.setApiKeyForTesting!('openai', OPENAI_KEY);
      await api.setApiKeyForTesting!('anthropic', ANTHROPIC_KEY);
      await until(() => api.effectiveConfigForTesting!().ollamaHost === ollama.url, 'Ollama host restored');
      await until(async () => (await api.refreshModelsForTesting!()).some((m) => m.id === 'gpt-5'), 'models restored');
    }
  });

  // A runaway agent loop: the fake answers every request with another tool call, as a confused agent does;
  // the test drives the tool loop the way Copilot's Agent mode does (tool call -> tool result -> send again,
  // same `modelOptions._conversationId`). The per-conversation budget must stop it at the limit.
  const FILE = 'export const line = "some code that the agent keeps reading";\n'.repeat(40);
  const READ_FILE: vscode.LanguageModelChatTool[] = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];

  async function runawayLoop(m: vscode.LanguageModelChat, conversationId: string, maxRounds: number) {
    const messages = [vscode.LanguageModelChatMessage.User('Find every use of `line` in this project and rename it.')];
    const ids: string[] = [];
    const sub = api.onDidRecord((r) => ids.push(r.id));
    let last = '';
    let rounds = 0;
    try {
      for (; rounds < maxRounds; rounds++) {
        const { text, parts } = await send(m, messages, { tools: READ_FILE, modelOptions: { _conversationId: conversationId } });
        last = text;
        const call = parts.find((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart);
        if (!call) break;
        messages.push(vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input)]));
        messages.push(vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart(FILE)])]));
      }
    } finally {
      sub.dispose();
    }
    // What the ledger on disk holds for these requests.
    const wanted = new Set(ids);
    const inLedger: UsageRecord[] = [];
    for await (const r of new Ledger(api.ledgerDir, { repairOnOpen: false }).records({ session: api.sessionId })) if (wanted.has(r.id)) inLedger.push(r);
    const ok = inLedger.filter((r) => r.outcome === 'ok');
    return { last, rounds, ok, blocked: inLedger.filter((r) => r.outcome === 'blocked'), tokens: ok.reduce((n, r) => n + r.tokens.input + r.tokens.output, 0) };
  }

  async function withWorkspaceSettings(values: Record<string, unknown>, body: () => Promise<void>): Promise<void> {
    const W = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    for (const [k, v] of Object.entries(values)) await user().update(k, v, W);
    try {
      await until(() => Object.entries(values).every(([k, v]) => k !== 'budget.conversation.tokens' || api.effectiveConfigForTesting!().conversationBudget.limits.tokens === v), 'the conversation budget to take effect');
      await body();
    } finally {
      for (const k of Object.keys(values)) await user().update(k, undefined, W);
    }
  }

  it('a per-conversation `block` budget stops a runaway cloud tool loop at the limit', async () => {
    const LIMIT = 12_000;
    await withWorkspaceSettings({ 'budget.conversation.tokens': LIMIT, 'budget.conversation.action': 'block' }, async () => {
      openai.script(...Array.from({ length: 40 }, () => ({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] })));
      const run = await runawayLoop(await model('gpt-5-mini'), 'host-runaway-block', 40);
      const sent = openai.requestsTo('/v1/chat/completions');
      console.log(`      runaway (block): ${sent.length} requests reached the backend, ledger ${run.tokens} tokens in ${run.ok.length} ok records + ${run.blocked.length} blocked; limit ${LIMIT}`);
      assert.ok(sent.length >= 2, `several rounds ran before the limit (${sent.length})`);
      assert.ok(openai.pendingReplies > 0, 'the budget stopped the loop, not the end of the script');
      assert.equal(run.ok.length, sent.length, 'one ok ledger record per request that reached the backend');
      assert.equal(run.blocked.length, 1);
      assert.equal(run.rounds, sent.length, 'the loop ended at the refused request');
      assert.ok(run.tokens <= LIMIT, `ledger total ${run.tokens} ≤ ${LIMIT}`);
      assert.match(run.last, /this conversation's token budget of 12,000 tokens would be exceeded/);
      const needed = Number(/needs about ([\d,]+) tokens/.exec(run.last)![1].replace(/,/g, ''));
      assert.ok(run.tokens + needed > LIMIT, `the refused request would have crossed the limit (${run.tokens} + ${needed})`);
      // Another conversation has its own allowance.
      openai.reset();
      openai.script({ text: 'A fresh conversation.' });
      const other = await send(await model('gpt-5-mini'), [vscode.LanguageModelChatMessage.User('Say hi')], { modelOptions: { _conversationId: 'host-runaway-other' } });
      assert.match(other.text, /fresh conversation/);
    });
  });

  it('a per-conversation `ask` budget asks at the limit: Continue goes on, Stop ends a local runaway loop with a clear line', async () => {
    const LIMIT = 8_000;
    await withWorkspaceSettings({ 'budget.conversation.tokens': LIMIT, 'budget.conversation.action': 'ask' }, async () => {
      const asked = api.answerConversationLimitsForTesting!([{ kind: 'continue' }, { kind: 'stop' }]);
      ollama.script(...Array.from({ length: 40 }, () => ({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] })));
      const run = await runawayLoop(await model('qwen2.5-coder:7b'), 'host-runaway-ask', 40);
      api.answerConversationLimitsForTesting!([]);
      const sent = ollama.requestsTo('/api/chat');
      console.log(`      runaway (ask): ${sent.length} requests reached Ollama, ledger ${run.tokens} tokens; asked at ${asked.map((e) => e.used + e.reserved).join(' and ')} tokens; limit ${LIMIT}`);
      assert.equal(asked.length, 2, 'asked at the limit, and again after Continue');
      assert.ok(asked.every((e) => e.conversationId === 'client:host-runaway-ask'), 'keyed by Copilot\'s conversation id');
      assert.equal(asked[0].limit, LIMIT);
      assert.equal(asked[1].limit, 2 * LIMIT, 'Continue allowed one more limit’s worth');
      assert.equal(run.ok.length, sent.length);
      assert.ok(run.tokens > LIMIT && run.tokens <= 2 * LIMIT, `ledger total ${run.tokens} within (${LIMIT}, ${2 * LIMIT}]`);
      assert.match(run.last, /Rightsize stopped this conversation at its token budget of 16,000 tokens/);
      assert.equal(run.blocked.length, 1, 'the stopped request is in the ledger as blocked');
    });
  });

  it('counts tokens with the tokenizer', async () => {
    const m = await model('gpt-5');
    const short = await m.countTokens('hello world');
    const long = await m.countTokens('hello world '.repeat(50));
    assert.ok(short >= 2 && short < 10, String(short));
    assert.ok(long > short * 20, `${long} vs ${short}`);
  });
});
