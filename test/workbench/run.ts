// Runs the workbench scenarios (test/workbench/scenarios/*.scenario.ts): each in a fresh VS Code
// server + headless Chromium showing the real workbench, with the development extension loaded
// through the extensionDevelopmentPath payload (or, for scenarios marked `vsix`, the packaged .vsix installed
// into the server's extensions folder) and the test workspace opened.
//
// Usage (after `npm run build` and `tsc -p .`; scripts/test-host.js --workbench does both):
//   node out/test/workbench/run.js [--only <scenario name or regex>]
// Scenarios marked `manual` (fixture captures) run only when --only selects them.
// Env: RIGHTSIZE_WORKBENCH_GREP (same as --only), RIGHTSIZE_WORKBENCH_TIMEOUT_MS (whole run, default
//      1500000: ten scenarios of 1-5 min each on a loaded 2-core machine), RIGHTSIZE_KEEP_TEMP=1, RIGHTSIZE_VERBOSE=1 (print the browser console).
// Writes .test-output/workbench/results.json, the scenarios' screenshots, and per scenario
// .test-output/workbench/<name>/ (server.log, browser.log, fakes.log, failure.png).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import {
  cleanupAll, copyWorkspace, installSignalHandlers, launchBrowser, makeTempDir, mergeSettings, onCleanup, openLog, openLoggedPage,
  OUTPUT_ROOT, overallTimeout, REPO_ROOT, serverDirs, startServer, stopTree, tail, withCleanupScope, workbenchUrl,
} from '../host/server';
import { FakesInfo, ScenarioSetupContext, waitForWorkbench, WorkbenchScenario } from './scenario';
import { installVsix, packagedVsix } from './vsix';

interface ScenarioResult { title: string; state: 'passed' | 'failed'; durationMs: number; error?: string }

const OUTPUT_DIR = path.join(OUTPUT_ROOT, 'workbench');

function loadScenarios(filter: RegExp | undefined): WorkbenchScenario[] {
  const dir = path.join(__dirname, 'scenarios');
  if (!fs.existsSync(dir)) return [];
  const scenarios: WorkbenchScenario[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.scenario.js')).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, file)) as { scenario?: WorkbenchScenario };
    if (!mod.scenario || typeof mod.scenario.run !== 'function') {
      throw new Error(`${file} does not export \`scenario: WorkbenchScenario\``);
    }
    // Manual scenarios (fixture captures) run only when asked for by name.
    const selected = filter ? filter.test(mod.scenario.name) : !mod.scenario.manual;
    if (selected) scenarios.push(mod.scenario);
  }
  return scenarios;
}

function safeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

async function startFakes(args: readonly string[], logDir: string): Promise<FakesInfo> {
  const cli = path.join(REPO_ROOT, 'out', 'test', 'fakes', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing (test/fakes/cli.ts not written or not compiled)`);
  const log = openLog(path.join(logDir, 'fakes.log'));
  // stdin is a pipe: the fakes exit when it closes, so they die with this process whatever happens.
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  onCleanup(async () => {
    child.stdin?.end();
    await stopTree(child);
  });
  const lines = readline.createInterface({ input: child.stdout! });
  return new Promise<FakesInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake servers printed nothing within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the fake servers exited with code ${code} before printing their URLs`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as FakesInfo);
      } catch {
        reject(new Error(`the fake servers' first line is not JSON: ${line}`));
      }
      lines.on('line', (l) => log.write(`${l}\n`));
    });
  });
}

async function runScenario(scenario: WorkbenchScenario): Promise<void> {
  const outputDir = OUTPUT_DIR;
  const logDir = path.join(OUTPUT_DIR, safeName(scenario.name));
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const tempDir = makeTempDir(`wb-${safeName(scenario.name)}`);
  const workspaceDir = copyWorkspace(tempDir);
  const { userDataDir } = serverDirs(tempDir);
  const ledgerDir = path.join(tempDir, 'ledger');
  fs.mkdirSync(ledgerDir);
  const env: Record<string, string> = { RIGHTSIZE_LEDGER_DIR: ledgerDir };
  let fakes: FakesInfo | undefined;
  const setupCtx: ScenarioSetupContext = {
    workspaceDir, userDataDir, outputDir, logDir, tempDir, env,
    userSettings: (s) => mergeSettings(path.join(userDataDir, 'User', 'settings.json'), s),
    workspaceSettings: (s) => mergeSettings(path.join(workspaceDir, '.vscode', 'settings.json'), s),
    startFakes: async (args = []) => (fakes = await startFakes(args, logDir)),
  };
  // Quiet defaults: no welcome page, no walkthroughs, no gallery look-ups.
  setupCtx.userSettings({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
  });
  await scenario.setup?.(setupCtx);

  if (scenario.vsix) {
    const installed = installVsix(packagedVsix((m) => process.stdout.write(`      ${m}\n`)), serverDirs(tempDir).extensionsDir);
    process.stdout.write(`      installed into the server's extensions folder: ${path.basename(installed)}\n`);
  }
  const server = await startServer({ tempDir, logFile: path.join(logDir, 'server.log'), env });
  const browser = await launchBrowser();
  const page = await openLoggedPage(browser, path.join(logDir, 'browser.log'), { viewport: { width: 1400, height: 900 }, indent: '      ' });
  try {
    await page.goto(workbenchUrl(server, workspaceDir, scenario.vsix ? [] : [['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]));
    await waitForWorkbench(page);
    await scenario.run({
      page, baseUrl: server.baseUrl, workspaceDir, outputDir, logDir, userDataDir, server, fakes,
      log: (m) => process.stdout.write(`      ${m}\n`),
    });
  } catch (e) {
    await page.screenshot({ path: path.join(logDir, 'failure.png') }).catch(() => undefined);
    throw e;
  }
}

async function main(): Promise<number> {
  installSignalHandlers();
  overallTimeout(Number(process.env.RIGHTSIZE_WORKBENCH_TIMEOUT_MS) || 1_500_000, 'the workbench run');
  const onlyIdx = process.argv.indexOf('--only');
  const grep = onlyIdx > 0 ? process.argv[onlyIdx + 1] : process.env.RIGHTSIZE_WORKBENCH_GREP;
  const scenarios = loadScenarios(grep ? new RegExp(grep) : undefined);
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const resultsFile = path.join(OUTPUT_DIR, 'results.json');
  fs.rmSync(resultsFile, { force: true });

  console.log(`\n  Workbench scenarios (${scenarios.length})`);
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const started = Date.now();
    const timeoutMs = scenario.timeoutMs ?? 180_000;
    try {
      await withCleanupScope(() => Promise.race([
        runScenario(scenario),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs).unref()),
      ]));
      results.push({ title: scenario.name, state: 'passed', durationMs: Date.now() - started });
      console.log(`    ✔ ${scenario.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      // eslint-disable-next-line no-control-regex
      const error = (e instanceof Error ? e.stack ?? e.message : String(e)).replace(/\x1b\[[0-9;]*m/g, '');
      results.push({ title: scenario.name, state: 'failed', durationMs: Date.now() - started, error });
      console.log(`    ✘ ${scenario.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      console.log(error.split('\n').map((l) => `        ${l}`).join('\n'));
      const dir = path.join(OUTPUT_DIR, safeName(scenario.name));
      console.log(`        output: ${path.relative(REPO_ROOT, dir)}/ (failure.png, server.log, browser.log)`);
      const serverLog = path.join(dir, 'server.log');
      if (fs.existsSync(serverLog)) console.log(tail(fs.readFileSync(serverLog, 'utf8'), 15).split('\n').map((l) => `        | ${l}`).join('\n'));
    }
  }
  const passed = results.filter((r) => r.state === 'passed').length;
  const failed = results.length - passed;
  fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed, pending: 0, tests: results }, null, 2));
  console.log(`\n  workbench: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main()
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(`✘ the workbench run failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    await cleanupAll();
    process.exit(1);
  });
