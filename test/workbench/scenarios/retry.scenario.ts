// “Rightsize: Retry with a Bigger Model” in the real workbench, Agent mode, Rightsize Auto, qwen2.5-coder
// 1.5b / 7b / 32b: a rename goes to a small model; the command re-sends the same request in place (VS Code's
// own chat retry on the session Copilot Chat names) and Auto answers it with a bigger model, saying so; the
// usage panel shows what was learned, and its Reset button forgets it.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { pickChatModel, sendChatPrompt, useFakeOllama } from '../chatPicker';
import { chooseChatMode, waitForChatAnswer } from '../chatModes';
import { generationRequests, modelsOf, QWEN_CODER_LADDER, scriptReplies, waitForGenerations } from '../fakeControl';
import { findFrame, runCommand, statusBarItem, WorkbenchScenario } from '../scenario';

const PROMPT = 'Rename the variable t to total in this snippet: let t = 0; for (const x of xs) t += x; return t;';
const FIRST = 'let total = 0; for (const x of xs) total += x; return total; // first answer';
const SECOND = 'let total = 0; for (const x of xs) { total += x; } return total; // retried answer';
const SCORE: Record<string, number> = { 'qwen2.5-coder:1.5b': 3.2, 'qwen2.5-coder:7b': 9.5, 'qwen2.5-coder:32b': 16.4 };

let ollamaUrl = '';

export const scenario: WorkbenchScenario = {
  name: 'retry',
  description: 'Retry with a Bigger Model re-sends the Auto request in place to a bigger model; the panel shows what was learned and resets it',
  timeoutMs: 300_000,
  async setup(ctx) {
    ollamaUrl = await useFakeOllama(ctx, { 'chat.allowAnonymousAccess': true }, { models: QWEN_CODER_LADDER });
  },
  async run({ page, outputDir, logDir, log }) {
    await statusBarItem(page, 'Rightsize', 90_000);
    await scriptReplies(ollamaUrl, [{ text: FIRST }, { text: SECOND }]);
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    await chooseChatMode(page, 'Agent');
    await sendChatPrompt(page, PROMPT);
    await waitForChatAnswer(page, 'first answer');
    const [first] = await generationRequests(ollamaUrl);
    const small = String(first.body.model);
    log(`first answer from ${small}`);

    await runCommand(page, 'Rightsize: Retry with a Bigger Model');
    let second;
    try {
      second = (await waitForGenerations(ollamaUrl, 2, 60_000))[1];
    } catch (e) {
      await page.screenshot({ path: path.join(logDir, 'retry-no-request.png') });
      throw e;
    }
    const bigger = String(second.body.model);
    log(`retried with ${bigger}; models: ${modelsOf(await generationRequests(ollamaUrl)).join(', ')}`);
    assert.ok((SCORE[bigger] ?? 0) > (SCORE[small] ?? 0), `the retry went to a bigger model: ${small} -> ${bigger}`);
    // In place: the same conversation as the first request, not a new turn after the old answer.
    const lastUser = (r: typeof first) => [...r.body.messages].reverse().find((m: { role: string }) => m.role === 'user')?.content;
    assert.equal(second.body.messages.length, first.body.messages.length, 'the same history was re-sent (no extra turn)');
    assert.equal(lastUser(second), lastUser(first));
    const answer = await waitForChatAnswer(page, 'retried answer');
    assert.match(await answer.innerText(), /retrying with a bigger model than/);
    assert.equal(await page.locator('.interactive-response').filter({ hasText: 'first answer' }).count(), 0, 'the first answer was replaced');
    await page.screenshot({ path: path.join(outputDir, 'retry-bigger-model.png') });

    // The usage panel: what was learned here, and Reset.
    await runCommand(page, 'Rightsize: Open Usage');
    const frame = await findFrame(page, async (f) => (await f.locator('#learned li').count()) > 0, 60_000);
    const item = (await frame.locator('#learned li').first().innerText()).trim();
    log(`panel: ${item}`);
    assert.match(item, new RegExp(`^learned here: .+ need ≥ ${(SCORE[small] + 0.1).toFixed(1)} above ${small.replace(/[.:]/g, '\\$&')}`));
    await page.screenshot({ path: path.join(outputDir, 'panel-learned.png') });
    await frame.locator('#reset-learned').click();
    await frame.locator('[data-field="learned.none"]').waitFor({ state: 'visible', timeout: 30_000 });
    log('the panel\'s Reset forgot what was learned');
  },
};
