// Workbench helpers for the built-in chat's modes (VS Code 1.139): the mode picker in the chat input
// (Agent, Ask, Plan; "Edit" is no longer offered by 1.139 and the helper says so), a fresh chat session,
// waiting for an answer, inline chat (Ctrl+I in an editor) and entering API keys the way a user does.
import type { Locator, Page } from 'playwright-core';
import { chatInput } from './chatPicker';
import { runCommand } from './scenario';

export type ChatMode = 'Agent' | 'Ask' | 'Edit' | 'Plan';

/** The mode picker's button in the chat input. */
function modePicker(page: Page): Locator {
  return chatInput(page).locator('.chat-mode-picker-item .action-label').first();
}

/** The mode shown in the chat input's mode picker (e.g. `Agent`). */
export async function currentChatMode(page: Page): Promise<string> {
  return (await modePicker(page).innerText()).trim();
}

/**
 * Chooses a chat mode in the chat input's mode picker. Ask and Plan are custom agents that GitHub Copilot
 * Chat registers once it has activated, so they may appear a while after the workbench opened: retries
 * until `timeoutMs`. Throws, naming the modes offered, when `mode` never appears.
 */
export async function chooseChatMode(page: Page, mode: ChatMode, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let offered: string[] = [];
  while (Date.now() < deadline) {
    if ((await currentChatMode(page).catch(() => '')) === mode) return;
    await modePicker(page).click();
    const rows = page.locator('.context-view .monaco-list-row, .context-view .action-item');
    await rows.first().waitFor({ state: 'visible', timeout: 10_000 });
    offered = (await rows.allInnerTexts()).map((t) => t.split('\n')[0].trim()).filter(Boolean);
    const row = rows.filter({ hasText: new RegExp(`^\\s*${mode}\\b`) }).first();
    if (await row.count() > 0) {
      await row.click();
      await page.waitForTimeout(300);
      continue;
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1000);
  }
  throw new Error(`the chat's mode picker never offered "${mode}" (offered: ${offered.join(', ') || 'nothing'})`);
}

/**
 * Starts a new chat session in the chat view (the conversation's history is cleared; the mode and model
 * stay): the view's “New Chat” title action, i.e. what a user clicks.
 */
export async function newChatSession(page: Page): Promise<void> {
  const button = page.locator('.part.auxiliarybar .title-actions .action-label[aria-label^="New Chat"], .part.auxiliarybar .title-actions .action-label[aria-label^="New Session"]').first();
  await button.click();
  await page.locator('.part.auxiliarybar .interactive-item-container').first().waitFor({ state: 'detached', timeout: 15_000 });
  await chatInput(page).waitFor({ state: 'visible', timeout: 30_000 });
}

/** The chat response that contains `text`, once it is visible. */
export async function waitForChatAnswer(page: Page, text: string | RegExp, timeoutMs = 90_000): Promise<Locator> {
  const response = page.locator('.interactive-item-container.interactive-response, .interactive-response').filter({ hasText: text }).first();
  await response.waitFor({ state: 'visible', timeout: timeoutMs });
  return response;
}

/** Opens a top-level workspace file in an editor from the Explorer (double-click: a pinned editor) and focuses it. */
export async function openFileInEditor(page: Page, fileName: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.dblclick();
  const editor = page.locator('.editor-instance .monaco-editor:not(.chat-overflow-widget-container) .view-lines').first();
  await editor.waitFor({ state: 'visible', timeout: 15_000 });
  await editor.click();
}

/** The inline chat widget of the focused editor. */
function inlineChat(page: Page): Locator {
  return page.locator('.inline-chat').first();
}

/**
 * Opens inline chat (Ctrl+I) in the focused editor, picks `model` in its model picker and sends `prompt`.
 * The editor must have focus (see openFileInEditor).
 */
export async function sendInlineChatPrompt(page: Page, prompt: string, model = 'Rightsize Auto', attempts = 20): Promise<void> {
  await page.keyboard.press('Control+I');
  const widget = inlineChat(page);
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  const picker = widget.locator('.model-picker-item .action-label, .chat-input-picker-item.model-picker-item').first();
  for (let i = 0; i < attempts && !(await picker.innerText().catch(() => '')).includes(model); i++) {
    await picker.click();
    const search = page.locator('.quick-input-widget input, input[placeholder="Search models"]').first();
    await search.waitFor({ state: 'visible', timeout: 10_000 });
    await search.fill(model.split(' ')[0]);
    const row = page.locator('.context-view .monaco-list-row, .context-view .action-item', { hasText: model }).first();
    if (await row.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) await row.click();
    else {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  if (!(await picker.innerText().catch(() => '')).includes(model)) throw new Error(`inline chat's model picker never offered "${model}"`);
  await widget.locator('.monaco-editor:not(.chat-overflow-widget-container)').first().click();
  await page.keyboard.type(prompt);
  await page.keyboard.press('Enter');
}

/**
 * Stores an API key the way a user does: “Rightsize: Manage API Keys…”, pick the provider (label as the
 * quick pick shows it, e.g. `Anthropic`), replace the key when one is stored, type it into the password box.
 */
export async function enterApiKey(page: Page, providerLabel: string, key: string): Promise<void> {
  await runCommand(page, 'Rightsize: Manage API Keys…');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await page.locator('.quick-input-widget', { hasText: 'Manage API Keys' }).first().waitFor({ timeout: 15_000 });
  await rows.filter({ hasText: providerLabel }).first().click();
  const replace = rows.filter({ hasText: 'Replace key' }).first();
  if (await replace.waitFor({ state: 'visible', timeout: 1500 }).then(() => true, () => false)) await replace.click();
  const input = page.locator('.quick-input-widget input[type="password"]').first();
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(key);
  await page.keyboard.press('Enter');
  // The confirmation shows as a toast, or (when the workbench keeps toasts back) in the notification center.
  const toast = page.locator('.notifications-toasts, .notification-toast', { hasText: 'stored the' }).first();
  if (await toast.waitFor({ timeout: 15_000 }).then(() => true, () => false)) return;
  await runCommand(page, 'Notifications: Show Notifications');
  await page.locator('.notifications-center', { hasText: 'stored the' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Escape');
}
