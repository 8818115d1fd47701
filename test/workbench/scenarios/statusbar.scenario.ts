// The Rightsize meter appears in the real workbench's status bar once the extension has activated.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { statusBarItem, WorkbenchScenario } from '../scenario';

export const scenario: WorkbenchScenario = {
  name: 'statusbar',
  description: 'the Rightsize meter is shown in the status bar',
  async run({ page, outputDir, log }) {
    const item = await statusBarItem(page, 'Rightsize', 90_000);
    assert.equal(await item.isVisible(), true, 'the Rightsize status-bar item is not visible');
    const text = (await item.innerText()).trim();
    assert.match(text, /Rightsize/);
    const box = await item.boundingBox();
    assert.ok(box && box.width > 0 && box.height > 0, `the status-bar item has no area: ${JSON.stringify(box)}`);
    const shot = path.join(outputDir, 'statusbar.png');
    await page.screenshot({ path: shot });
    log(`status-bar item ${JSON.stringify(text)}; screenshot ${path.relative(process.cwd(), shot)}`);
  },
};
