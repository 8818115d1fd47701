// Changing a setting the way a user does: the Settings editor, searched by the setting's id. Waits until the
// user settings file holds the new value (the workbench writes it), then closes the editor.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import type { Page } from 'playwright-core';
import { runCommand } from './scenario';

/** `isDefault`: the value is the setting's default, which the Settings editor writes by removing the key. */
export async function setSettingInUi(page: Page, userSettingsFile: string, key: string, value: boolean | string, isDefault = false): Promise<void> {
  await runCommand(page, 'Preferences: Open Settings (UI)');
  const search = page.locator('.settings-editor .suggest-input-container .monaco-editor').first();
  await search.waitFor({ state: 'visible', timeout: 30_000 });
  await search.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(key);
  const item = page.locator(`.settings-editor .setting-item[data-key="${key}"], .settings-editor .monaco-list-row [data-key="${key}"]`).first();
  const row = (await item.count()) > 0 ? item : page.locator('.settings-editor .setting-item').first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  if (typeof value === 'boolean') {
    const box = row.locator('.setting-value-checkbox').first();
    if ((await box.getAttribute('aria-checked')) !== String(value)) await box.click();
  } else {
    await row.locator('select').first().selectOption(value);
  }
  const escaped = key.replace(/\./g, '\\.');
  const wanted = new RegExp(`"${escaped}":\\s*${JSON.stringify(value)}`);
  const written = (): boolean => {
    const text = fs.readFileSync(userSettingsFile, 'utf8');
    return wanted.test(text) || (isDefault && !new RegExp(`"${escaped}"`).test(text));
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !written()) await page.waitForTimeout(250);
  assert.ok(written(), `the Settings editor wrote ${key} = ${JSON.stringify(value)}`);
  await page.keyboard.press('Control+W');
}
