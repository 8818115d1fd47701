// “Rightsize: Suggest a Model…” in the real workbench: a typed request gives a ranked quick pick of the
// available models, each with its estimated Wh and USD and the reason.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { useFakeOllama } from '../chatPicker';
import { runCommand, statusBarItem, WorkbenchScenario } from '../scenario';

export const scenario: WorkbenchScenario = {
  name: 'suggest',
  description: 'Suggest a Model… ranks the candidates with Wh, USD and reasons',
  async setup(ctx) {
    await useFakeOllama(ctx);
  },
  async run({ page, outputDir, log }) {
    await statusBarItem(page, 'Rightsize', 90_000);
    await runCommand(page, 'Rightsize: Suggest a Model…');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.quick-input-widget', { hasText: 'Describe your request' }).first().waitFor({ timeout: 15_000 });
    await input.fill('Rename the variable tmp to total in this function');
    await page.keyboard.press('Enter');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await page.locator('.quick-input-widget', { hasText: 'models for this' }).first().waitFor({ timeout: 30_000 });
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    const texts = await rows.allInnerTexts();
    log(`quick pick: ${JSON.stringify(texts.slice(0, 4))}`);
    assert.ok(texts.length >= 2, `several candidates ranked: ${texts.length}`);
    const offered = ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b', 'llama3.1:8b', 'mystery-coder:6.7b', 'gpt-oss:20b-cloud'];
    assert.ok(offered.some((m) => texts[0].includes(m)), `the first row is one of the fake Ollama's models: ${texts[0]}`);
    assert.match(texts[1], /Runner-up/, 'the second row is the runner-up with its reason');
    for (const t of texts.slice(0, 3)) {
      assert.match(t, /Wh/, `each row shows Wh: ${t}`);
      assert.match(t, /\$/, `each row shows USD: ${t}`);
    }
    assert.match(texts[0], /capable enough/, 'the first row carries the router\'s reason');
    await page.screenshot({ path: path.join(outputDir, 'suggest-model.png') });
    await page.keyboard.press('Escape');
  },
};
