// Helpers for scenarios that use the built-in chat (VS Code 1.139 workbench) against the fake Ollama.
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import type { FakeOllamaModel } from '../fakes/fakeOllama';
import { mergeSettings } from '../host/server';
import type { ScenarioSetupContext } from './scenario';

/** The chat input part (prompt editor and its pickers). */
export function chatInput(page: Page): Locator {
  return page.locator('.interactive-input-part').first();
}

/**
 * Opens the chat's model picker, searches for `name` and picks it. Retries while the models are still
 * being discovered. Returns false if the model never appeared.
 */
export async function pickChatModel(page: Page, name: string, attempts = 20): Promise<boolean> {
  const input = chatInput(page);
  await input.waitFor({ state: 'visible', timeout: 60_000 });
  const picker = input.locator('.model-picker-item .action-label, .chat-input-picker-item.model-picker-item').first();
  for (let attempt = 0; attempt < attempts; attempt++) {
    if ((await picker.innerText().catch(() => '')).includes(name)) return true;
    await picker.click();
    const search = page.locator('.quick-input-widget input, input[placeholder="Search models"]').first();
    await search.waitFor({ state: 'visible', timeout: 10_000 });
    await search.fill(name.split(' ')[0]);
    const row = page.locator('.context-view .monaco-list-row, .context-view .action-item', { hasText: name }).first();
    if (await row.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) {
      await row.click();
    } else {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000); // models are still being discovered
    }
  }
  return (await picker.innerText().catch(() => '')).includes(name);
}

/** Types a prompt into the chat input and sends it. */
export async function sendChatPrompt(page: Page, prompt: string): Promise<void> {
  await chatInput(page).locator('.monaco-editor').first().click();
  await page.keyboard.type(prompt);
  await page.keyboard.press('Enter');
}

/**
 * Starts the fake Ollama server for a scenario and points Rightsize at it (and nowhere else). The
 * settings go to the browser user's settings and to the server's Machine settings: a remote extension
 * host (the VS Code server) reads machine-scoped settings from the latter. `models`: what the fake
 * Ollama has (default: its default models).
 */
export async function useFakeOllama(
  ctx: ScenarioSetupContext, extra: Record<string, unknown> = {}, opts: { models?: readonly FakeOllamaModel[] } = {},
): Promise<string> {
  const args = ['--only', 'ollama'];
  if (opts.models) {
    const file = path.join(ctx.tempDir, 'ollama-models.json');
    fs.writeFileSync(file, JSON.stringify(opts.models));
    args.push('--ollama-models-json', file);
  }
  const fakes = await ctx.startFakes(args);
  const url = String(fakes.ollama);
  machineSettings(ctx, { 'rightsize.ollama.host': url, 'rightsize.cloudModels': [], 'rightsize.useCopilotModels': false, ...extra });
  return url;
}

/** Writes settings to the user's and to the server's Machine settings (machine-scoped ones live there). */
export function machineSettings(ctx: ScenarioSetupContext, settings: Record<string, unknown>): void {
  ctx.userSettings(settings);
  mergeSettings(path.join(ctx.userDataDir, 'Machine', 'settings.json'), settings);
}
