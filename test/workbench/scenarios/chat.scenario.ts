// End to end in the real workbench: “Rightsize Auto” chosen in the built-in chat's model picker, a
// prompt reaches the fake Ollama server, the answer shows in the chat, the status bar shows the
// request's tokens and Wh; then “Rightsize: Open Usage” shows that request's totals.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { pickChatModel, sendChatPrompt, useFakeOllama } from '../chatPicker';
import { findFrame, runCommand, statusBarItem, waitForWorkbench, WorkbenchScenario } from '../scenario';

const PROMPT = 'Add a docstring to this function: def add(a, b): return a + b';
const ANSWER = 'def add(a, b):\n    """Return the sum of a and b."""\n    return a + b';

let ledgerDir = '';
let ollamaUrl = '';

async function shot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: file });
}

export const scenario: WorkbenchScenario = {
  name: 'chat',
  description: 'Rightsize Auto answers in the built-in chat through the fake Ollama server; the meter and the panel show it',
  timeoutMs: 240_000,
  async setup(ctx) {
    ollamaUrl = await useFakeOllama(ctx, { 'chat.allowAnonymousAccess': true });
    ledgerDir = ctx.env.RIGHTSIZE_LEDGER_DIR;
  },
  async run({ page, outputDir, logDir, log }) {
    await statusBarItem(page, 'Rightsize', 90_000);
    // Script the fake's answer so the test can recognise it in the chat.
    await fetch(`${ollamaUrl}/_fake/script`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ text: ANSWER }]) });

    // 1. Choose “Rightsize Auto” in the chat's model picker.
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    log('picked “Rightsize Auto” in the model picker');

    // 2. Send a prompt.
    await sendChatPrompt(page, PROMPT);

    // 3. The answer from the fake Ollama server appears in the chat.
    const response = page.locator('.interactive-item-container.interactive-response, .interactive-response').filter({ hasText: 'Return the sum of a and b' }).first();
    try {
      await response.waitFor({ state: 'visible', timeout: 90_000 });
    } catch (e) {
      await shot(page, path.join(logDir, 'no-answer.png'));
      throw e;
    }
    const requests = await (await fetch(`${ollamaUrl}/_fake/requests`)).json() as Array<{ path: string; body?: { model?: string } }>;
    const chats = requests.filter((r) => r.path === '/api/chat');
    assert.ok(chats.length >= 1, `the fake Ollama server received ${chats.length} chat requests`);
    log(`the fake Ollama server answered ${chats.length} chat request(s) with ${chats.map((c) => c.body?.model).join(', ')}`);

    // 4. The status bar shows the request's tokens and Wh.
    const meter = await statusBarItem(page, /tok.*Wh/, 30_000);
    const meterText = (await meter.innerText()).trim();
    assert.match(meterText, /[1-9][\d.]*k? tok/, `status bar: ${meterText}`);
    assert.match(meterText, /Wh/);
    log(`status bar: ${JSON.stringify(meterText)}`);
    await shot(page, path.join(outputDir, 'chat-auto.png'));
    // The meter's tooltip: the session's breakdown.
    await meter.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'this session' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const hoverText = await hover.innerText();
    assert.match(hoverText, /Rightsize — this session/);
    assert.match(hoverText, /1 requests?/);
    await shot(page, path.join(outputDir, 'statusbar-tooltip.png'));
    await page.mouse.move(10, 10);

    // 5. “Rightsize: Open Usage” shows those requests' totals (what the ledger holds).
    const records = fs.readdirSync(ledgerDir).filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => fs.readFileSync(path.join(ledgerDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tokens: { input: number; output: number }; energy: { wh: number } }));
    assert.ok(records.length >= 1, 'the ledger holds the request');
    await runCommand(page, 'Rightsize: Open Usage');
    const frame = await findFrame(page, async (f) => (await f.locator('[data-field="period.requests"]').count()) > 0, 60_000);
    const value = async (field: string) => Number(await frame.locator(`[data-field="${field}"]`).first().getAttribute('data-value'));
    const sumWh = records.reduce((a, r) => a + r.energy.wh, 0);
    const sumIn = records.reduce((a, r) => a + r.tokens.input, 0);
    assert.equal(await value('period.requests'), records.length, 'the week shows the ledger\'s requests');
    assert.equal(await value('session.requests'), records.length, 'the session shows them too');
    assert.ok(Math.abs(await value('period.wh') - sumWh) <= 1e-9 * Math.max(1, sumWh), `panel Wh ${await value('period.wh')} vs ledger ${sumWh}`);
    assert.equal(await value('period.tokensIn'), sumIn);
    fs.writeFileSync(path.join(logDir, 'panel.txt'), await frame.locator('body').innerText());
    await shot(page, path.join(outputDir, 'chat-panel.png'));

    // 6. After a window reload the panel is restored (WebviewPanelSerializer) with the same totals.
    // Reload through the workbench (its shutdown persists the open editors), not by the browser.
    await Promise.all([
      page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 }),
      runCommand(page, 'Developer: Reload Window'),
    ]);
    await waitForWorkbench(page);
    const restored = await findFrame(page, async (f) => (await f.locator('[data-field="period.requests"]').count()) > 0, 90_000);
    assert.equal(Number(await restored.locator('[data-field="period.requests"]').first().getAttribute('data-value')), records.length, 'the restored panel shows the same requests');
    log('the usage panel was restored after a window reload');
    log(`panel opened; ${records.length} request(s) in the ledger`);
  },
};
