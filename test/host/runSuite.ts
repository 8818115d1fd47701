// Runs the in-host suite (test/suite, compiled to out/test/suite) inside a real VS Code extension
// host: VS Code server on a free loopback port + headless Chromium opening the workbench with the
// extensionDevelopmentPath / extensionTestsPath payload. The same suite runs under
// @vscode/test-electron (test/runElectron.ts).
//
// Usage (after `npm run build` and `tsc -p .`; scripts/test-host.js does both):
//   node out/test/host/runSuite.js
// Env: RIGHTSIZE_TEST_GREP (mocha grep), RIGHTSIZE_HOST_TIMEOUT_MS (default 600000),
//      RIGHTSIZE_KEEP_TEMP=1 (keep temporary folders), RIGHTSIZE_VERBOSE=1 (print the browser console).
// Writes .test-output/host/{results.json,suite.log,server.log,browser.log}.
// Exit code: 0 when every test passed; 1 when a test failed or no test ran; 124 on timeout.
import * as fs from 'fs';
import * as path from 'path';
import {
  cleanupAll, copyWorkspace, installSignalHandlers, launchBrowser, makeTempDir, openLoggedPage, OUTPUT_ROOT, overallTimeout,
  REPO_ROOT, startServer, tail, workbenchUrl,
} from './server';

interface Summary { passed: number; failed: number; pending: number; vscodeVersion: string; tests: Array<{ title: string; state: string; error?: string }> }

async function main(): Promise<number> {
  installSignalHandlers();
  const timeoutMs = Number(process.env.RIGHTSIZE_HOST_TIMEOUT_MS) || 600_000;
  overallTimeout(timeoutMs, 'the in-host test run');
  const started = Date.now();

  const outputDir = path.join(OUTPUT_ROOT, 'host');
  fs.mkdirSync(outputDir, { recursive: true });
  const files = {
    results: path.join(outputDir, 'results.json'),
    suiteLog: path.join(outputDir, 'suite.log'),
    serverLog: path.join(outputDir, 'server.log'),
    browserLog: path.join(outputDir, 'browser.log'),
  };
  for (const f of Object.values(files)) fs.rmSync(f, { force: true });

  const suiteEntry = path.join(REPO_ROOT, 'out', 'test', 'suite', 'index.js');
  if (!fs.existsSync(suiteEntry)) throw new Error(`${suiteEntry} is missing: compile the tests first (tsc -p .)`);
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');

  const tmp = makeTempDir('host');
  const workspace = copyWorkspace(tmp);
  const ledgerDir = path.join(tmp, 'ledger');
  fs.mkdirSync(ledgerDir);

  const server = await startServer({
    tempDir: tmp,
    logFile: files.serverLog,
    env: {
      RIGHTSIZE_TEST_RESULTS: files.results,
      RIGHTSIZE_TEST_LOG: files.suiteLog,
      RIGHTSIZE_LEDGER_DIR: ledgerDir,
      RIGHTSIZE_TEST_WORKSPACE: workspace,
    },
  });
  console.log(`VS Code server ready at ${server.baseUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

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
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let ok = code === 0;
  if (!summary) {
    ok = false;
    console.error(`✘ the suite wrote no results to ${files.results} (did the extension host inherit the environment? did the suite load?)`);
  } else {
    console.log(`in-host suite on VS Code ${summary.vscodeVersion}: ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending (${seconds} s, workbench exit code ${code})`);
    if (summary.failed > 0) ok = false;
    if (summary.passed + summary.failed === 0) {
      ok = false;
      console.error('✘ no in-host test ran');
    }
    if (code !== 0 && summary.failed === 0) console.error(`✘ the workbench reported exit code ${code} although no test failed`);
  }
  if (!ok) {
    console.error(`--- last lines of ${path.relative(REPO_ROOT, files.serverLog)} ---\n${tail(readText(files.serverLog), 30)}`);
    console.error(`--- last lines of ${path.relative(REPO_ROOT, files.browserLog)} ---\n${tail(readText(files.browserLog), 30)}`);
  }
  return ok ? 0 : 1;
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
