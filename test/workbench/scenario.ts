// The contract of a workbench scenario and helpers for driving the real VS Code workbench.
//
// A scenario is a module test/workbench/scenarios/<name>.scenario.ts exporting
// `export const scenario: WorkbenchScenario`. test/workbench/run.ts runs each one in a fresh VS Code
// server + headless Chromium with the development extension loaded and the test workspace opened:
//   1. `setup(ctx)` (optional) runs BEFORE the server starts: write user/workspace settings, set
//      environment variables for the extension host, start the fake model servers;
//   2. the server starts, the browser opens the workbench and waits until it is ready;
//   3. `run(ctx)` drives the page and throws (assert) on failure.
// On failure a screenshot is written to `<logDir>/failure.png`.
import type { Frame, Page } from 'playwright-core';
import type { RunningServer } from '../host/server';

/** The first JSON line printed by test/fakes/cli.js (fake Ollama/OpenAI/Anthropic servers). */
export type FakesInfo = Record<string, unknown>;

export interface ScenarioSetupContext {
  /** A fresh copy of test/host/workspace. */
  readonly workspaceDir: string;
  /** `User/settings.json` inside it holds the user settings (see `userSettings`). */
  readonly userDataDir: string;
  /** .test-output/workbench: where scenarios write their screenshots (name files after the scenario). */
  readonly outputDir: string;
  /** .test-output/workbench/<scenario name>: this scenario's logs (server, browser, fakes, failure.png). */
  readonly logDir: string;
  /** A temporary folder removed after the scenario. */
  readonly tempDir: string;
  /** Environment of the server and hence of the extension host; add to it. */
  readonly env: Record<string, string>;
  /** Merges into the user settings (DATA_DIR/User/settings.json). */
  userSettings(settings: Record<string, unknown>): void;
  /** Merges into the workspace's .vscode/settings.json. */
  workspaceSettings(settings: Record<string, unknown>): void;
  /** Starts `node out/test/fakes/cli.js ...args`, returns its first JSON line; stopped after the scenario. */
  startFakes(args?: readonly string[]): Promise<FakesInfo>;
}

export interface ScenarioContext {
  readonly page: Page;
  /** e.g. http://localhost:PORT */
  readonly baseUrl: string;
  readonly workspaceDir: string;
  readonly outputDir: string;
  readonly logDir: string;
  readonly userDataDir: string;
  readonly server: RunningServer;
  /** What `startFakes` returned during setup, if it was called. */
  readonly fakes?: FakesInfo;
  log(message: string): void;
}

export interface WorkbenchScenario {
  readonly name: string;
  readonly description?: string;
  /** Default 180 000 ms (workbench start included). */
  readonly timeoutMs?: number;
  /** Not part of `npm test`: runs only when selected by name (`--only <name>`), e.g. fixture captures. */
  readonly manual?: boolean;
  /**
   * Run against the packaged .vsix installed into the server's extensions folder (production mode, as users
   * get it) instead of the development path (test/workbench/vsix.ts).
   */
  readonly vsix?: boolean;
  setup?(ctx: ScenarioSetupContext): void | Promise<void>;
  run(ctx: ScenarioContext): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Waits until the workbench has rendered its status bar. */
export async function waitForWorkbench(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.statusbar-item').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The status-bar item whose text contains `text` (waits until it exists and is visible). */
export async function statusBarItem(page: Page, text: string | RegExp, timeoutMs = 60_000) {
  const item = page.locator('.statusbar-item', { hasText: text }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  return item;
}

/** Runs a command through the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Webview content lives in nested iframes: the first frame for which `predicate` holds. */
export async function findFrame(page: Page, predicate: (frame: Frame) => Promise<boolean>, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if (await predicate(frame)) return frame;
      } catch {
        // frame detached or navigating
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no frame matched within ${timeoutMs} ms`);
}
