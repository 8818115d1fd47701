// Entry point of the in-host test suite: loaded by VS Code's extension host as `extensionTestsPath`,
// both by @vscode/test-electron (desktop VS Code, test/runElectron.ts) and by the VS Code server +
// headless Chromium runner (scripts/test-host.js). Runs every out/test/suite/**/*.test.js with mocha.
//
// Reporting to the runner (the extension host inherits the server's environment):
// - RIGHTSIZE_TEST_RESULTS: path of a JSON summary written when the run ends (see SuiteSummary);
// - RIGHTSIZE_TEST_LOG: path of a file that receives the human (spec) output as well, because the
//   extension host's console does not always reach the runner's terminal;
// - RIGHTSIZE_TEST_GREP: only run tests whose full title matches this regular expression;
// - RIGHTSIZE_SUITE_PASS: `untrusted` runs only the *.untrusted.test.js files (the runner opened the
//   workspace in Restricted Mode), anything else every other file (test/host/runSuite.ts).
// `run()` rejects when any test fails, so the workbench reports a non-zero exit code.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';

export interface SuiteTestResult {
  readonly title: string;
  readonly state: 'passed' | 'failed' | 'pending';
  readonly durationMs?: number;
  readonly error?: string;
}

export interface SuiteSummary {
  readonly passed: number;
  readonly failed: number;
  readonly pending: number;
  readonly tests: readonly SuiteTestResult[];
  /** The VS Code version of the host that ran the suite (`vscode.version`). */
  readonly vscodeVersion: string;
  readonly durationMs: number;
}

function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(full);
  }
  return out.sort();
}

/** Sends mocha's reporter output and the tests' console output to a log file too (appended, so the
 *  runner can print it as it grows).
 *  - Mocha's reporters write through `Base.consoleLog`, captured from `console.log` when mocha loaded.
 *  - VS Code's extension host locks `console.log` & co. (getter-only properties that forward to the
 *    workbench's console), so the global `console` object itself is swapped for a teeing wrapper. */
function teeOutputToFile(file: string | undefined): () => void {
  if (!file) return () => undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const write = (args: unknown[]): void => {
    try {
      fs.appendFileSync(file, `${util.format(...args)}\n`);
    } catch {
      // the log is a convenience; never fail the run for it
    }
  };
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const originalConsoleLog = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => { write(args); originalConsoleLog(...args); };

  const g = globalThis as { console: Console };
  const forwarded = g.console;
  const tee = Object.create(forwarded) as Console;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const fn = forwarded[method].bind(forwarded);
    Object.defineProperty(tee, method, { value: (...args: unknown[]) => { write(args); fn(...args); }, writable: true, configurable: true });
  }
  let swapped = false;
  try {
    g.console = tee;
    swapped = g.console === tee;
  } catch {
    swapped = false; // tests' console output then reaches only the workbench's console
  }
  return () => {
    base.consoleLog = originalConsoleLog;
    if (swapped) g.console = forwarded;
  };
}

/** Writes a line to the human output (the log file and the extension host's console). */
function report(line: string): void {
  (Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void }).consoleLog(line);
}

function vscodeVersion(): string {
  try {
    return (require('vscode') as typeof import('vscode')).version;
  } catch {
    return 'unknown';
  }
}

/** Shared with the plain-Node mocha tiers (scripts/lib/mocha-load-safely.js): a test file that throws
 *  while loading becomes one failing test instead of aborting the suite. Resolved from out/test/suite/. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadEachFileSafely } = require(path.resolve(__dirname, '..', '..', '..', 'scripts', 'lib', 'mocha-load-safely.js')) as {
  loadEachFileSafely(mocha: Mocha, mochaModule: typeof Mocha): void;
};

export function run(): Promise<void> {
  const started = Date.now();
  const restoreConsole = teeOutputToFile(process.env.RIGHTSIZE_TEST_LOG);
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: Boolean(process.env.RIGHTSIZE_TEST_COLOR),
    reporter: 'spec',
    ...(process.env.RIGHTSIZE_TEST_GREP ? { grep: new RegExp(process.env.RIGHTSIZE_TEST_GREP) } : {}),
  });
  const testsRoot = __dirname;
  // out/ can hold compiled tests whose source was deleted: run only those with a test/suite/*.ts source.
  const sourceRoot = path.resolve(testsRoot, '..', '..', '..', 'test', 'suite');
  const hasSource = (f: string): boolean =>
    !fs.existsSync(sourceRoot) || fs.existsSync(path.join(sourceRoot, path.relative(testsRoot, f).replace(/\.js$/, '.ts')));
  const untrustedPass = process.env.RIGHTSIZE_SUITE_PASS === 'untrusted';
  const inPass = (f: string): boolean => f.endsWith('.untrusted.test.js') === untrustedPass;
  for (const file of findTestFiles(testsRoot).filter(hasSource).filter(inPass)) mocha.addFile(file);
  loadEachFileSafely(mocha, Mocha);

  const tests: SuiteTestResult[] = [];
  return new Promise<void>((resolve, reject) => {
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        const summary: SuiteSummary = {
          passed: tests.filter((t) => t.state === 'passed').length,
          failed: tests.filter((t) => t.state === 'failed').length,
          pending: tests.filter((t) => t.state === 'pending').length,
          tests,
          vscodeVersion: vscodeVersion(),
          durationMs: Date.now() - started,
        };
        report(`[rightsize-suite] VS Code ${summary.vscodeVersion}: ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending`);
        writeSummary(summary);
        restoreConsole();
        if (failures > 0 || summary.failed > 0) reject(new Error(`${Math.max(failures, summary.failed)} in-host test(s) failed.`));
        else resolve();
      });
    } catch (e) {
      const error = e instanceof Error ? e.stack ?? e.message : String(e);
      report(`[rightsize-suite] the suite could not start: ${error}`);
      writeSummary({ passed: 0, failed: 1, pending: 0, tests: [{ title: '(suite failed to load)', state: 'failed', error }], vscodeVersion: vscodeVersion(), durationMs: Date.now() - started });
      restoreConsole();
      reject(e);
      return;
    }
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: err?.stack ?? String(err) }));
    runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
  });
}

function writeSummary(summary: SuiteSummary): void {
  const file = process.env.RIGHTSIZE_TEST_RESULTS;
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  } catch (e) {
    console.error(`[rightsize-suite] could not write ${file}: ${String(e)}`);
  }
}
