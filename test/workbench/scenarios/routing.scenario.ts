// Router v2 in the real workbench (VS Code 1.139's built-in chat, "Rightsize Auto", the modes users use):
// the fake Ollama has the qwen2.5-coder 1.5b/7b/32b ladder, a fake OpenAI serves gpt-5-mini and gpt-5 (key
// entered with “Manage API Keys…”, as a user does).
//   Agent mode: "Rename the variable t to total in app.js" is answered with a read_file call, VS Code runs
//   the tool, the second request carries the result: both requests go to the same small local model
//   (the continuation is not routed again). "Design a multi-region rate limiter…" goes to a frontier model.
//   Ask mode: the same two requests, the same outcome.
// Checked where the user would check: which model each request reached (the fakes' recorded bodies) and
// what the ledger recorded (one turn, the continuation marked).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { Catalog } from '../../../src/core/catalog/catalog';
import type { UsageRecord } from '../../../src/core/types';
import { machineSettings, pickChatModel, sendChatPrompt } from '../chatPicker';
import { ChatMode, chooseChatMode, enterApiKey, newChatSession, openFileInEditor, waitForChatAnswer } from '../chatModes';
import { generationRequests, QWEN_CODER_LADDER, ReceivedRequest, resetFake, scriptReplies, scriptReadFileLoop, waitForGenerations } from '../fakeControl';
import { statusBarItem, WorkbenchScenario } from '../scenario';
import { DESIGN, RENAME } from './capture-envelopes.scenario';

const KEY = 'sk-test-routing-scenario-0123456789';
const APP_JS = 'const t = 1 + 2;\nconsole.log(t);\nmodule.exports = t;\n';
const SMALL_LOCAL = 'qwen2.5-coder:1.5b';
/** Frontier class on the catalog's scale (claude-sonnet-4-5 77.2, gpt-5 88, claude-opus-4-5, gemini-2.5-pro). */
const FRONTIER_SCORE = 77;

let ollamaUrl = '';
let openaiUrl = '';
let ledgerDir = '';
let workspaceDir = '';

function records(): UsageRecord[] {
  if (!fs.existsSync(ledgerDir)) return [];
  return fs.readdirSync(ledgerDir).filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(ledgerDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as UsageRecord));
}

async function freshChat(page: Page, mode: ChatMode): Promise<void> {
  await resetFake(ollamaUrl);
  await resetFake(openaiUrl);
  await newChatSession(page);
  await chooseChatMode(page, mode);
}

/** The rename with a real tool loop: both requests reach the fake Ollama, on the same small model. */
async function renameTurn(page: Page, mode: ChatMode, log: (m: string) => void): Promise<void> {
  await freshChat(page, mode);
  await openFileInEditor(page, 'app.js');
  const before = records().length;
  await scriptReadFileLoop(ollamaUrl, path.join(workspaceDir, 'app.js'), `${mode}: renamed t to total in app.js.`, 3);
  await sendChatPrompt(page, RENAME);
  const chats = (await waitForGenerations(ollamaUrl, 2, 120_000)).filter((r) => r.path === '/api/chat');
  await waitForChatAnswer(page, `${mode}: renamed t to total`, 60_000);
  assert.equal(chats.length, 2, `${mode}: the tool loop made ${chats.length} Ollama requests`);
  assert.ok(lastIsToolResult(chats[1]), `${mode}: the second request carries the read_file result`);
  const models = chats.map((r) => String(r.body.model));
  log(`${mode} rename: requests went to ${models.join(', ')}`);
  assert.deepEqual(models, [SMALL_LOCAL, SMALL_LOCAL], `${mode}: both requests of the turn on the small local model`);
  assert.equal((await generationRequests(openaiUrl)).length, 0, `${mode}: nothing went to the cloud`);
  const mine = records().slice(before);
  assert.equal(mine.length, 2, `${mode}: two records`);
  assert.equal(mine[0].turn?.id, mine[1].turn?.id, `${mode}: one turn`);
  assert.deepEqual(mine.map((r) => r.turn?.continuation), [false, true]);
  assert.match(mine[1].decision.reason, /^Tool-loop continuation: stays on qwen2\.5-coder:1\.5b/);
  log(`${mode} rename reasons: ${mine.map((r) => r.decision.reason).join(' | ')}`);
}

/** The design question reaches a frontier model on the fake OpenAI. */
async function designTurn(page: Page, mode: ChatMode, log: (m: string) => void, catalog: Catalog): Promise<void> {
  await freshChat(page, mode);
  await scriptReplies(openaiUrl, [{ text: `${mode}: a token bucket per region with asynchronous quota reconciliation.` }]);
  await sendChatPrompt(page, DESIGN);
  const sent = await waitForGenerations(openaiUrl, 1, 120_000);
  await waitForChatAnswer(page, `${mode}: a token bucket per region`, 60_000);
  const model = String(sent[0].body.model);
  const spec = catalog.get(model);
  log(`${mode} design: went to ${model} (score ${spec?.capability.score})`);
  assert.ok(spec && spec.capability.score >= FRONTIER_SCORE, `${mode}: the design question went to ${model}, not a frontier model`);
  assert.equal((await generationRequests(ollamaUrl)).length, 0, `${mode}: no local request`);
  const last = records().at(-1);
  assert.equal(last?.model.id, model);
  log(`${mode} design reason: ${last?.decision.reason}`);
}

function lastIsToolResult(r: ReceivedRequest): boolean {
  const messages = (r.body?.messages ?? []) as Array<{ role: string }>;
  return messages.length > 0 && messages[messages.length - 1].role === 'tool';
}

export const scenario: WorkbenchScenario = {
  name: 'routing',
  description: 'Agent and Ask mode: a rename with a real read_file loop stays on one small local model; a design question goes to a frontier model',
  timeoutMs: 900_000,
  async setup(ctx) {
    const modelsFile = path.join(ctx.tempDir, 'ollama-models.json');
    fs.writeFileSync(modelsFile, JSON.stringify(QWEN_CODER_LADDER));
    const fakes = await ctx.startFakes(['--only', 'ollama,openai', '--ollama-models-json', modelsFile, '--openai-key', KEY]);
    ollamaUrl = String(fakes.ollama);
    openaiUrl = String(fakes.openai);
    machineSettings(ctx, {
      'chat.allowAnonymousAccess': true,
      'rightsize.ollama.host': ollamaUrl,
      'rightsize.openai.baseUrl': `${openaiUrl}/v1`,
      'rightsize.cloudModels': ['gpt-5-mini', 'gpt-5'],
      'rightsize.useCopilotModels': false,
    });
    ledgerDir = ctx.env.RIGHTSIZE_LEDGER_DIR;
    workspaceDir = ctx.workspaceDir;
    fs.writeFileSync(path.join(ctx.workspaceDir, 'app.js'), APP_JS);
  },
  async run({ page, log }) {
    const catalog = Catalog.builtIn();
    await statusBarItem(page, 'Rightsize', 90_000);
    await enterApiKey(page, 'OpenAI', KEY);
    log('stored the OpenAI key with “Manage API Keys…”');
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    for (const mode of ['Agent', 'Ask'] as const) {
      await renameTurn(page, mode, log);
      await designTurn(page, mode, log, catalog);
    }
  },
};
