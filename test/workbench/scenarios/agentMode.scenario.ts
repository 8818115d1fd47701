// The chat in the modes users use, with the packaged .vsix installed into the server's extensions folder
// (production mode, as a user gets it), against the fake Ollama with the qwen2.5-coder 1.5b / 7b / 32b ladder:
//   1. Agent mode, "Rightsize Auto", app.js open: the fake answers the first request with a `read_file`
//      call, VS Code runs the tool, the next request carries its result, the fake answers. Checked as a user
//      would: which model answered (the same one for the whole turn), the answer's first line names it, the
//      whole prompt reached Ollama (`num_ctx` ≥ the prompt's tokens, one window for the turn, nothing cut),
//      and the record says so.
//   2. Ask mode, new chat, `rightsize.chat.showModelLine` off: the answer is the model's alone.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator } from 'playwright-core';
import { firstClause } from '../../../src/core/chat/modelLine';
import type { ModelSpec, UsageRecord } from '../../../src/core/types';
import { pickChatModel, sendChatPrompt, useFakeOllama } from '../chatPicker';
import { chooseChatMode, newChatSession, openFileInEditor, waitForChatAnswer } from '../chatModes';
import { modelsOf, QWEN_CODER_LADDER, ReceivedRequest, resetFake, scriptReadFileLoop, scriptReplies, waitForGenerations } from '../fakeControl';
import { statusBarItem, WorkbenchScenario } from '../scenario';
import { setSettingInUi } from '../settingsUi';

const APP_JS = 'const t = 1 + 2;\nconsole.log(t);\nmodule.exports = t;\n';
const RENAME = 'Rename the variable t to total in app.js';
const AGENT_ANSWER = 'Renamed t to total in app.js.';
const ASK = 'What does app.js print?';
const ASK_ANSWER = 'It prints 3, the value of t.';

let ollamaUrl = '';
let ledgerDir = '';
let workspaceDir = '';
let userSettingsFile = '';

function records(): UsageRecord[] {
  if (!fs.existsSync(ledgerDir)) return [];
  return fs.readdirSync(ledgerDir).filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(ledgerDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as UsageRecord));
}

/**
 * The rendered Markdown of a chat response, paragraph by paragraph, once it has settled: the chat renders a
 * streamed answer word by word, so the text is read until it is unchanged for a second (at most 20 s).
 */
async function paragraphs(response: Locator): Promise<string[]> {
  const read = async (): Promise<string[]> =>
    (await response.locator('.rendered-markdown p, .rendered-markdown li').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  let last = await read();
  let stableSince = Date.now();
  for (const start = Date.now(); Date.now() - start < 20_000 && Date.now() - stableSince < 1000;) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await read();
    if (JSON.stringify(now) !== JSON.stringify(last)) { last = now; stableSince = Date.now(); }
  }
  return last;
}

function checkWindows(chats: ReceivedRequest[]): number {
  const windows = chats.map((c) => Number(c.body?.options?.num_ctx));
  for (const [i, c] of chats.entries()) {
    const evaluated = Number(c.reported?.prompt_eval_count);
    assert.ok(windows[i] > 0, `request ${i + 1} named no window: options ${JSON.stringify(c.body?.options)}`);
    assert.ok(windows[i] >= evaluated, `request ${i + 1}: num_ctx ${windows[i]} < ${evaluated} prompt tokens`);
    assert.equal(c.truncated, undefined, `request ${i + 1}: the fake Ollama cut the prompt ${JSON.stringify(c.truncated)}`);
  }
  assert.equal(new Set(windows).size, 1, `one window for the turn: ${windows.join(', ')}`);
  return windows[0];
}

export const scenario: WorkbenchScenario = {
  name: 'agent-mode',
  description: 'Agent mode with a real read_file tool loop, then Ask mode, through the packaged .vsix: which model answered, its window, the model line',
  timeoutMs: 360_000,
  vsix: true,
  async setup(ctx) {
    // The memory of "Ollama's machine" is set so the windows do not depend on the test machine's RAM.
    ollamaUrl = await useFakeOllama(ctx, { 'chat.allowAnonymousAccess': true, 'rightsize.ollama.memoryGiB': 64 }, { models: QWEN_CODER_LADDER });
    ledgerDir = ctx.env.RIGHTSIZE_LEDGER_DIR;
    workspaceDir = ctx.workspaceDir;
    userSettingsFile = path.join(ctx.userDataDir, 'User', 'settings.json');
    fs.writeFileSync(path.join(ctx.workspaceDir, 'app.js'), APP_JS);
  },
  async run({ page, log, outputDir }) {
    await statusBarItem(page, 'Rightsize', 90_000);
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');

    // 1. Agent mode, a real tool loop.
    await chooseChatMode(page, 'Agent');
    await openFileInEditor(page, 'app.js');
    await resetFake(ollamaUrl);
    await scriptReadFileLoop(ollamaUrl, path.join(workspaceDir, 'app.js'), AGENT_ANSWER, 3);
    await sendChatPrompt(page, RENAME);
    const chats = (await waitForGenerations(ollamaUrl, 2, 120_000)).filter((r) => r.path === '/api/chat');
    const response = await waitForChatAnswer(page, 'Renamed t to total', 60_000);
    assert.equal(chats.length, 2, 'the tool loop took two requests');
    const second = chats[1].body.messages as Array<{ role: string; content: string }>;
    assert.ok(second.some((m) => m.role === 'tool' && m.content.includes('const t = 1 + 2')), 'the second request carries read_file\'s result');
    const models = modelsOf(chats);
    assert.equal(new Set(models).size, 1, `one model for the turn: ${models.join(', ')}`);
    const window = checkWindows(chats);
    log(`Agent turn: ${chats.length} requests to ${models[0]}, num_ctx ${window} (prompt ${chats.map((c) => c.reported?.prompt_eval_count).join(', ')} tokens as Ollama counts them)`);

    const shown = await paragraphs(response);
    const line = shown.find((p) => p.includes(' · '));
    assert.ok(line, `no model line in the answer: ${JSON.stringify(shown)}`);
    assert.ok(line.startsWith(`${models[0]} · local — `), `the model line names the model that answered: ${JSON.stringify(line)}`);
    assert.equal(shown.filter((p) => p.includes(' · local')).length, 1, `one model line per turn: ${JSON.stringify(shown)}`);
    assert.ok(shown.indexOf(line) < shown.findIndex((p) => p.includes('Renamed t to total')), 'the line comes first');
    log(`model line: ${JSON.stringify(line)}`);
    await page.screenshot({ path: path.join(outputDir, 'agent-mode.png') });

    const recorded = records().filter((r) => r.surface === 'chat');
    assert.equal(recorded.length, 2, `two records for the turn (${recorded.length})`);
    // The line gives the reason the turn's model was chosen (the opening request's), not "stays on it".
    const opening = recorded[0];
    const spec = { id: opening.model.id, location: opening.model.location } as ModelSpec;
    assert.equal(line, `${models[0]} · local — ${firstClause(opening.decision.reason, spec)}`);
    for (const r of recorded) {
      assert.equal(r.model.id, models[0]);
      assert.equal(r.ollama?.numCtx, window, 'the record names the window');
      assert.equal(r.ollama?.warning, undefined);
    }

    // 2. Ask mode, a new chat, the model line turned off in the user settings.
    await setSettingInUi(page, userSettingsFile, 'rightsize.chat.showModelLine', false);
    await newChatSession(page);
    await chooseChatMode(page, 'Ask');
    await resetFake(ollamaUrl);
    await scriptReplies(ollamaUrl, [{ text: ASK_ANSWER }]);
    await sendChatPrompt(page, ASK);
    const [ask] = (await waitForGenerations(ollamaUrl, 1, 120_000)).filter((r) => r.path === '/api/chat');
    const askResponse = await waitForChatAnswer(page, 'It prints 3', 60_000);
    checkWindows([ask]);
    const askShown = await paragraphs(askResponse);
    assert.deepEqual(askShown, [ASK_ANSWER], 'with the setting off the answer is the model\'s alone');
    assert.ok((ask.body.tools?.length ?? 0) < (chats[0].body.tools?.length ?? 0), `Ask mode offers fewer tools (${ask.body.tools?.length} vs ${chats[0].body.tools?.length})`);
    log(`Ask mode: answered by ${ask.body.model} with num_ctx ${ask.body.options.num_ctx}; no model line`);
    await page.screenshot({ path: path.join(outputDir, 'ask-mode.png') });
  },
};
