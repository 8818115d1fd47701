// Runs the in-host suite (test/suite, compiled to out/test/suite) inside a real VS Code extension
// host: VS Code server on a free loopback port + headless Chromium opening the workbench with the
// extensionDevelopmentPath / extensionTestsPath payload. The same suite runs under
// @vscode/test-electron (test/runElectron.ts).
//
// Two passes, each with its own server, browser, workspace copy and ledger:
//   trusted    the workspace is trusted (workspace trust off, as most tests need): every *.test.js except
//              *.untrusted.test.js;
//   untrusted  workspace trust on and the folder never trusted, so it opens in Restricted Mode (the
//              startup prompt and banner are switched off in the user settings); the workspace commits a
//              budget; only *.untrusted.test.js. Skipped when RIGHTSIZE_TEST_GREP cannot match its suite
//              titles (they start with “Untrusted workspace”).
//
// Usage (after `npm run build` and `tsc -p .`; scripts/test-host.js does both):
//   node out/test/host/runSuite.js
// Env: RIGHTSIZE_TEST_GREP (mocha grep), RIGHTSIZE_HOST_PASSES (e.g. `untrusted`; default both),
//      RIGHTSIZE_HOST_TIMEOUT_MS (default 900000), RIGHTSIZE_KEEP_TEMP=1 (keep temporary folders),
//      RIGHTSIZE_VERBOSE=1 (print the browser console).
// Writes .test-output/host/{results.json,suite.log,server.log,browser.log} (the untrusted pass's logs
// with an `-untrusted` suffix; results.json holds both passes).
// Exit code: 0 when every test passed; 1 when a test failed or no test ran; 124 on timeout.
import * as fs from 'fs';
import * as path from 'path';
import {
  cleanupAll, copyWorkspace, installSignalHandlers, launchBrowser, makeTempDir, mergeSettings, openLoggedPage, OUTPUT_ROOT, overallTimeout,
  REPO_ROOT, serverDirs, startServer, tail, withCleanupScope, workbenchUrl,
} from './server';

interface Summary { passed: number; failed: number; pending: number; vscodeVersion: string; tests: Array<{ title: string; state: string; error?: string }> }

interface Pass {
  readonly name: 'trusted' | 'untrusted';
  /** Suffix of the pass's log files. */
  readonly suffix: string;
  readonly workspaceTrust: boolean;
  readonly userSettings?: Record<string, unknown>;
  readonly workspaceSettings?: Record<string, unknown>;
}

/** Titles of the untrusted pass's suites start with this (the grep check below relies on it). */
export const UNTRUSTED_SUITE_PREFIX = 'Untrusted workspace';

const PASSES: readonly Pass[] = [
  { name: 'trusted', suffix: '', workspaceTrust: false },
  {
    name: 'untrusted', suffix: '-untrusted', workspaceTrust: true,
    userSettings: {
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.banner': 'never',
      'security.workspace.trust.emptyWindow': false,
    },
    // A cloned repository that commits a budget: not in force until the workspace is trusted.
    workspaceSettings: { 'rightsize.budget.day.usd': 5, 'rightsize.budget.session.tokens': 1000, 'rightsize.budget.action': 'block' },
  },
];

function selectedPasses(): Pass[] {
  const names = (process.env.RIGHTSIZE_HOST_PASSES || '').split(',').map((s) => s.trim()).filter(Boolean);
  const grep = process.env.RIGHTSIZE_TEST_GREP;
  return PASSES.filter((p) => {
    if (names.length) return names.includes(p.name);
    if (p.name === 'untrusted' && grep) return new RegExp(grep).test(UNTRUSTED_SUITE_PREFIX) || /untrusted/i.test(grep);
    return true;
  });
}

async function main(): Promise<number> {
  installSignalHandlers();
  const timeoutMs = Number(process.env.RIGHTSIZE_HOST_TIMEOUT_MS) || 900_000;
  overallTimeout(timeoutMs, 'the in-host test run');
  const started = Date.now();

  const outputDir = path.join(OUTPUT_ROOT, 'host');
  fs.mkdirSync(outputDir, { recursive: true });
  const results = path.join(outputDir, 'results.json');
  fs.rmSync(results, { force: true });

  const suiteEntry = path.join(REPO_ROOT, 'out', 'test', 'suite', 'index.js');
  if (!fs.existsSync(suiteEntry)) throw new Error(`${suiteEntry} is missing: compile the tests first (tsc -p .)`);
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');

  const passes = selectedPasses();
  const summaries: Array<{ pass: Pass; summary?: Summary; code: number }> = [];
  for (const pass of passes) {
    // Each pass stops its server and browser before the next starts (the machine is shared).
    summaries.push(await withCleanupScope(() => runPass(pass, outputDir, suiteEntry)));
  }

  const merged: Summary = {
    passed: 0, failed: 0, pending: 0, vscodeVersion: summaries.find((s) => s.summary)?.summary?.vscodeVersion ?? 'unknown', tests: [],
  };
  for (const { pass, summary } of summaries) {
    if (!summary) continue;
    merged.passed += summary.passed;
    merged.failed += summary.failed;
    merged.pending += summary.pending;
    merged.tests.push(...summary.tests.map((t) => ({ ...t, title: pass.name === 'trusted' ? t.title : `[${pass.name}] ${t.title}` })));
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let ok = true;
  for (const { pass, summary, code } of summaries) {
    if (!summary) {
      ok = false;
      console.error(`✘ the ${pass.name} pass wrote no results (did the extension host inherit the environment? did the suite load?)`);
      merged.failed += 1;
    } else if (code !== 0 && summary.failed === 0) {
      ok = false;
      console.error(`✘ the ${pass.name} pass: the workbench reported exit code ${code} although no test failed`);
    }
  }
  fs.writeFileSync(results, JSON.stringify(merged, null, 2));
  console.log(`in-host suite on VS Code ${merged.vscodeVersion}: ${merged.passed} passed, ${merged.failed} failed, ${merged.pending} pending (${seconds} s; passes: ${summaries.map((s) => `${s.pass.name} ${s.summary ? `${s.summary.passed}/${s.summary.failed}` : 'no results'}`).join(', ')})`);
  if (merged.failed > 0) ok = false;
  if (merged.passed + merged.failed === 0) {
    ok = false;
    console.error('✘ no in-host test ran');
  }
  return ok ? 0 : 1;
}

/** One server + browser run of the suite; returns its summary (undefined when it wrote none) and exit code. */
async function runPass(pass: Pass, outputDir: string, suiteEntry: string): Promise<{ pass: Pass; summary?: Summary; code: number }> {
  const started = Date.now();
  const files = {
    results: path.join(outputDir, `results${pass.suffix || '-trusted'}.json`),
    suiteLog: path.join(outputDir, `suite${pass.suffix}.log`),
    serverLog: path.join(outputDir, `server${pass.suffix}.log`),
    browserLog: path.join(outputDir, `browser${pass.suffix}.log`),
  };
  for (const f of Object.values(files)) fs.rmSync(f, { force: true });

  const tmp = makeTempDir(`host${pass.suffix}`);
  const workspace = copyWorkspace(tmp);
  if (pass.workspaceSettings) mergeSettings(path.join(workspace, '.vscode', 'settings.json'), pass.workspaceSettings);
  if (pass.userSettings) mergeSettings(path.join(serverDirs(tmp).userDataDir, 'User', 'settings.json'), pass.userSettings);
  const ledgerDir = path.join(tmp, 'ledger');
  fs.mkdirSync(ledgerDir);

  const server = await startServer({
    tempDir: tmp,
    logFile: files.serverLog,
    workspaceTrust: pass.workspaceTrust,
    env: {
      RIGHTSIZE_TEST_RESULTS: files.results,
      RIGHTSIZE_TEST_LOG: files.suiteLog,
      RIGHTSIZE_LEDGER_DIR: ledgerDir,
      RIGHTSIZE_TEST_WORKSPACE: workspace,
      RIGHTSIZE_SUITE_PASS: pass.name,
    },
  });
  console.log(`[${pass.name}] VS Code server ready at ${server.baseUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  // Show the suite's spec output as it is written.
  let printed = 0;
  const pump = (): void => {
    if (!fs.existsSync(files.suiteLog)) return;
    const text = fs.readFileSync(files.suiteLog, 'utf8');
    if (text.length > printed) {
      process.stdout.write(text.slice(printed));
      printed = text.length;
    }
  };
  const pumpTimer = setInterval(pump, 250);

  const browser = await launchBrowser();
  const page = await openLoggedPage(browser, files.browserLog);

  const exitCode = new Promise<number>((resolve, reject) => {
    void page.exposeFunction('codeAutomationExit', (code: unknown) => {
      resolve(typeof code === 'number' ? code : Number(code));
    });
    page.on('crash', () => reject(new Error('the workbench page crashed')));
    server.process.once('exit', (code, signal) => reject(new Error(`the VS Code server exited during the run (code ${code}, signal ${signal})`)));
    // The extension host exits after the tests; if it dies without the workbench reporting an exit
    // code (a crash), fail after a grace period instead of waiting for the overall timeout.
    server.onOutput((text) => {
      const m = /Extension Host Process exited with code: (\S+), signal: (\S+)\./.exec(text);
      if (!m) return;
      setTimeout(() => reject(new Error(`the extension host exited (code ${m[1]}, signal ${m[2]}) but the workbench reported no exit code`)), 10_000).unref();
    });
  });

  const url = workbenchUrl(server, workspace, [
    // RIGHTSIZE_EXTENSION_PATH: run the suite against another copy of the extension (e.g. an unpacked .vsix).
    ['extensionDevelopmentPath', server.remoteUri(process.env.RIGHTSIZE_EXTENSION_PATH || REPO_ROOT)],
    ['extensionTestsPath', server.remoteUri(suiteEntry)],
  ]);
  await page.goto(url);
  let code: number;
  try {
    code = await exitCode;
  } finally {
    clearInterval(pumpTimer);
    pump();
  }

  let summary: Summary | undefined;
  try {
    summary = JSON.parse(fs.readFileSync(files.results, 'utf8')) as Summary;
  } catch {
    summary = undefined;
  }
  if (!summary || summary.failed > 0 || code !== 0) {
    console.error(`--- last lines of ${path.relative(REPO_ROOT, files.serverLog)} ---\n${tail(readText(files.serverLog), 30)}`);
    console.error(`--- last lines of ${path.relative(REPO_ROOT, files.browserLog)} ---\n${tail(readText(files.browserLog), 30)}`);
  }
  return { pass, summary, code };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '(none)';
  }
}

main()
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(`✘ the in-host test run failed: ${e instanceof Error ? e.message : String(e)}`);
    await cleanupAll();
    process.exit(1);
  });
