// A runaway agent in the real workbench: Agent mode, “Rightsize Auto”, and a fake Ollama that answers every
// request with another `read_file` call, so VS Code keeps running the tool and sending the next request.
// The workspace commits a per-conversation token budget (action `ask`). At the limit Rightsize shows a
// notification with Continue / Raise… / Stop and the request waits (no further request reaches Ollama);
// the scenario clicks Stop; the answer says the conversation was stopped; the ledger holds no more than
// the limit.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { pickChatModel, sendChatPrompt, useFakeOllama } from '../chatPicker';
import { chooseChatMode, waitForChatAnswer } from '../chatModes';
import { generationRequests, QWEN_CODER_LADDER, readFileLoop, scriptReplies } from '../fakeControl';
import { runCommand, WorkbenchScenario } from '../scenario';
import type { UsageRecord } from '../../../src/core/types';

/** Agent-mode prompts are ~17k tokens each: room for about three requests. */
const LIMIT = 60_000;
const NOTES = 'The project keeps its settings in config/app.json and its entry point in src/main.ts.\n'.repeat(20);
let ollamaUrl = '';
let ledgerDir = '';
let workspaceDir = '';

function ledgerRecords(): UsageRecord[] {
  const out: UsageRecord[] = [];
  for (const f of fs.readdirSync(ledgerDir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of fs.readFileSync(path.join(ledgerDir, f), 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line) as UsageRecord);
  }
  return out;
}

export const scenario: WorkbenchScenario = {
  name: 'conversation-budget',
  description: 'a per-conversation budget stops a runaway Agent-mode tool loop: notification, Stop, a line in the answer',
  timeoutMs: 300_000,
  async setup(ctx) {
    ollamaUrl = await useFakeOllama(ctx, { 'chat.allowAnonymousAccess': true }, { models: QWEN_CODER_LADDER });
    ctx.workspaceSettings({ 'rightsize.budget.conversation.tokens': LIMIT, 'rightsize.budget.conversation.action': 'ask' });
    fs.writeFileSync(path.join(ctx.workspaceDir, 'notes.md'), NOTES);
    ledgerDir = ctx.env.RIGHTSIZE_LEDGER_DIR;
    workspaceDir = ctx.workspaceDir;
  },
  async run({ page, log, outputDir }) {
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    await chooseChatMode(page, 'Agent');
    // Every request gets another tool call: the loop only ends when something stops it.
    const call = readFileLoop(path.join(workspaceDir, 'notes.md'), 'unused', 20)[0];
    await scriptReplies(ollamaUrl, Array.from({ length: 20 }, () => call));
    await sendChatPrompt(page, 'Read notes.md and summarise where the settings live.');

    // The question, in the notification center (headless VS Code keeps notifications there).
    const deadline = Date.now() + 120_000;
    let row = page.locator('.notifications-center .notifications-list-container .monaco-list-row', { hasText: /chat conversation has reached its token budget/ }).first();
    while (Date.now() < deadline) {
      await runCommand(page, 'Notifications: Show Notifications');
      if (await row.isVisible().catch(() => false)) break;
      await page.waitForTimeout(2000);
      row = page.locator('.notifications-center .notifications-list-container .monaco-list-row', { hasText: /chat conversation has reached its token budget/ }).first();
    }
    await row.waitFor({ state: 'visible', timeout: 5_000 });
    const text = (await row.innerText()).replace(/\n/g, ' | ');
    log(`notification: ${JSON.stringify(text)}`);
    for (const button of ['Continue', 'Raise…', 'Stop']) assert.match(text, new RegExp(button), `the notification offers ${button}`);

    // The request waits for the answer: nothing more reaches Ollama meanwhile.
    const before = (await generationRequests(ollamaUrl)).length;
    await page.waitForTimeout(3000);
    const during = (await generationRequests(ollamaUrl)).length;
    assert.equal(during, before, 'no request reached Ollama while the question was open');
    assert.ok(before >= 2, `the loop ran several rounds first (${before})`);

    await row.locator('.monaco-button', { hasText: /^Stop$/ }).first().click();
    const answer = await waitForChatAnswer(page, /Rightsize stopped this conversation/, 60_000);
    const line = (await answer.innerText()).split('\n').find((l) => /stopped this conversation/.test(l)) ?? '';
    log(`answer line: ${JSON.stringify(line)}`);
    assert.match(line, /^Rightsize stopped this conversation at its token budget of 60,000 tokens: [\d,]+ tokens used over \d+ requests, and this request needs about [\d,]+ tokens\./, 'one clear line, no doubled prefix');
    await page.waitForTimeout(2000);
    const sent = (await generationRequests(ollamaUrl)).length;
    assert.equal(sent, before, 'Stop: no further request reached Ollama');

    const records = ledgerRecords();
    const ok = records.filter((r) => r.outcome === 'ok' && r.surface === 'chat');
    const tokens = ok.reduce((n, r) => n + r.tokens.input + r.tokens.output, 0);
    log(`${sent} requests reached Ollama; ledger: ${ok.length} ok records, ${tokens} tokens, ${records.filter((r) => r.outcome === 'blocked').length} stopped; limit ${LIMIT}`);
    assert.equal(ok.length, sent, 'one ledger record per request that reached Ollama');
    assert.ok(tokens <= LIMIT, `ledger total ${tokens} ≤ ${LIMIT}`);
    assert.equal(records.filter((r) => r.outcome === 'blocked').length, 1, 'the stopped request is recorded');
    await page.screenshot({ path: path.join(outputDir, 'conversation-budget.png') });
  },
};
