// A workspace budget in the real workbench: a session token limit committed in .vscode/settings.json is
// used up by one chat request; Rightsize notifies once (with “Open usage” and “Raise budget”) and the
// meter turns to the error colour with the budget's percentage.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { pickChatModel, sendChatPrompt, useFakeOllama } from '../chatPicker';
import { runCommand, statusBarItem, WorkbenchScenario } from '../scenario';

export const scenario: WorkbenchScenario = {
  name: 'budget',
  description: 'an exceeded workspace budget notifies once and colours the meter',
  timeoutMs: 240_000,
  async setup(ctx) {
    await useFakeOllama(ctx, { 'chat.allowAnonymousAccess': true });
    ctx.workspaceSettings({ 'rightsize.budget.session.tokens': 2000, 'rightsize.budget.action': 'warn' });
  },
  async run({ page, outputDir, log }) {
    // With a budget set, the meter shows totals and the budget's percentage from the start: 0%.
    await statusBarItem(page, /tok.*0%/, 90_000);
    const meter = page.locator('.statusbar-item', { hasText: /tok/ }).first();

    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    await sendChatPrompt(page, 'Explain what a closure is in one sentence.');

    await statusBarItem(page, /tok.*[1-9]\d{2,}%/, 90_000);
    // Headless, VS Code keeps notifications in the notification center rather than as toasts.
    await page.waitForTimeout(1000);
    await runCommand(page, 'Notifications: Show Notifications');
    const center = page.locator('.notifications-center').first();
    await center.waitFor({ state: 'visible', timeout: 15_000 });
    const items = center.locator('.notifications-list-container .monaco-list-row', { hasText: /Rightsize: .*budget/ });
    await items.first().waitFor({ state: 'visible', timeout: 30_000 });
    const itemText = await items.first().innerText();
    assert.match(itemText, /session token budget is used up/);
    assert.match(itemText, /Open usage/);
    assert.match(itemText, /Raise budget/);
    assert.equal(await items.count(), 1, 'one budget notification, not one per level or per request');
    log(`notification: ${JSON.stringify(itemText.replace(/\n/g, ' | '))}`);
    const text = (await meter.innerText()).trim();
    assert.match(text, /\d{3,}%/, `the meter shows the budget's percentage: ${text}`);
    const cls = await page.locator('.statusbar-item', { hasText: /tok/ }).first().getAttribute('class');
    log(`meter ${JSON.stringify(text)}; classes ${cls}`);
    assert.match(cls ?? '', /error-kind|has-background-color/, 'the meter uses the error background');
    await page.screenshot({ path: path.join(outputDir, 'budget-exceeded.png') });
  },
};
