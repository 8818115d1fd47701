#!/usr/bin/env node
// `npm test`: every test tier in order, failing when any test fails or any step/tier crashes.
//   1. build      node esbuild.js
//   2. compile    tsc -p .            (a type error fails the run; tsc still emits, so tiers still run)
//                 and tsc --noEmit -p src/webview/tsconfig.json when it exists
//   3. unit       mocha over out/test/unit/**/*.test.js
//   3a. router-eval  the router evaluation (out/eval/router/run.js, `npm run eval:router`) as a regression
//                 check: under/over-routing, energy and the SWE-bench outcome view against the thresholds in
//                 eval/router/run.ts, on shared/router-data found beside the repository (eval/router/data.ts:
//                 $RIGHTSIZE_ROUTER_DATA, <repo>/../shared/router-data, or a worktree's main checkout's).
//                 Missing data fails the run under CI (CI=true; CI has shared/ beside its clone) and is
//                 reported as skipped elsewhere.
//   3d. faults    mocha over out/test/faults/**/*.test.js: fault injection (hostile and broken model servers,
//                 poison usage, hard budgets under parallel load in one and two processes, ledger files
//                 edited during reports); each case prints what it tried and what held
//   3b. imports   mocha over out/test/imports/**/*.test.js: logs written by the real Claude Code and Codex CLI
//                 (installed by scripts/assistants-setup.js, cached outside the repository) imported and
//                 compared with ccusage
//   3c. assistants mocha over out/test/assistants/**/*.test.js: the real Claude Code, Codex CLI and the openai /
//                 @anthropic-ai/sdk SDKs through `rightsize serve` (the gateway) to the fake servers
//   4. browser    mocha over out/test/browser/**/*.test.js (plain Node tests driving headless Chromium)
//   5. host       the in-host suite in a real VS Code extension host (out/test/host/runSuite.js)
//   6. workbench  the workbench scenarios (out/test/workbench/run.js)
// Before the tiers: system packages the selected tiers need (scripts/system-prereqs.js: chromium, and while
// the VS Code host is not installed libkrb5-dev and a C++ toolchain), installed with apt-get on Debian/Ubuntu
// as root or with passwordless sudo; otherwise the exact command is printed, the tiers that need them are
// skipped and the run fails. Host and workbench need the VS Code host (scripts/vscode-host-setup.js;
// installed on demand) and a successful build; the imports tier installs the assistants' CLIs on demand
// (scripts/assistants-setup.js).
//
// Usage: node scripts/test-all.js [--only unit,router-eval,faults,imports,assistants,browser,host,workbench] [--no-build]
// Env: RIGHTSIZE_TEST_GREP (mocha grep for unit, browser and host), RIGHTSIZE_WORKBENCH_GREP.
// Each tier's results: .test-output/<tier>/results.json. The last line is `N passed, N failed`, where
// failed counts failed tests plus failed steps (build, compile) and crashed tiers.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.test-output');
const TIERS = ['unit', 'router-eval', 'faults', 'imports', 'assistants', 'browser', 'host', 'workbench'];
const NODE = process.execPath;

function parseArgs(argv) {
  const opts = { only: new Set(TIERS), build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only' || a.startsWith('--only=')) {
      const value = a.includes('=') ? a.slice('--only='.length) : argv[++i];
      const names = String(value || '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = names.filter((n) => !TIERS.includes(n));
      if (!names.length || bad.length) {
        console.error(`--only takes one or more of ${TIERS.join(', ')} (comma-separated); got ${JSON.stringify(value)}`);
        process.exit(2);
      }
      opts.only = new Set(names);
    } else if (a === '--no-build') {
      opts.build = false;
    } else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/test-all.js [--only unit,router-eval,faults,imports,assistants,browser,host,workbench] [--no-build]');
      process.exit(0);
    } else {
      console.error(`unknown argument ${a}`);
      process.exit(2);
    }
  }
  return opts;
}

let current; // the running child, killed on SIGINT/SIGTERM
function run(cmd, args, { timeoutMs = 30 * 60_000, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    current = child;
    const timer = setTimeout(() => {
      console.error(`\n✘ ${path.basename(args[0] || cmd)} did not finish within ${timeoutMs / 60_000} min; stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      console.error(`✘ could not start ${cmd}: ${e.message}`);
      resolve({ code: 127 });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolve({ code: code ?? (signal ? 128 : 1), signal });
    });
  });
}

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => {
    if (current) current.kill(sig); // runners clean up their servers and browsers on SIGINT/SIGTERM
    setTimeout(() => process.exit(code), 5000).unref();
  });
}

function readResults(file) {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof r.passed === 'number' && typeof r.failed === 'number') return r;
  } catch {
    // missing or unreadable: the tier crashed
  }
  return undefined;
}

function banner(title) {
  console.log(`\n━━━ ${title} ${'━'.repeat(Math.max(3, 72 - title.length))}`);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rows = []; // { name, status, passed, failed, pending, ms, note }
  const t0 = Date.now();

  async function step(name, cmd, args) {
    banner(name);
    const started = Date.now();
    const { code } = await run(cmd, args);
    const ok = code === 0;
    rows.push({ name, status: ok ? 'ok' : 'FAILED', passed: 0, failed: ok ? 0 : 1, pending: 0, ms: Date.now() - started, step: true });
    if (!ok) console.error(`✘ ${name} failed (exit code ${code})`);
    return ok;
  }

  async function tier(name, cmd, args, resultsFile, { env } = {}) {
    banner(`${name} tests`);
    fs.rmSync(resultsFile, { force: true });
    const started = Date.now();
    const { code } = await run(cmd, args, { env });
    const ms = Date.now() - started;
    const r = readResults(resultsFile);
    if (!r) {
      rows.push({ name, status: 'CRASHED', passed: 0, failed: 1, pending: 0, ms, note: `exit code ${code}, no results` });
      console.error(`✘ the ${name} tier crashed (exit code ${code}) without writing ${path.relative(ROOT, resultsFile)}`);
      return;
    }
    let failed = r.failed;
    let note = '';
    if (code !== 0 && r.failed === 0) {
      failed += 1; // e.g. "no test ran" or an error after the tests
      note = `exit code ${code}`;
    }
    const status = failed > 0 ? 'FAILED' : r.passed + r.failed === 0 ? 'empty' : 'ok';
    rows.push({ name, status, passed: r.passed, failed, pending: r.pending || 0, ms, note });
  }

  function skip(name, why) {
    rows.push({ name, status: 'skipped', passed: 0, failed: 0, pending: 0, ms: 0, note: why });
  }

  // System packages for the tiers about to run (fast when everything is present).
  const prereqTiers = ['browser', 'host', 'workbench'].filter((t) => opts.only.has(t));
  const missingFor = new Set();
  if (prereqTiers.length) {
    banner('system packages');
    const started = Date.now();
    const prereqs = require('./system-prereqs.js');
    const r = prereqs.provision(prereqs.realSystem(), { tiers: prereqTiers });
    for (const t of r.skippedTiers) missingFor.add(t);
    rows.push({ name: 'system packages', status: r.code === 0 ? 'ok' : 'FAILED', passed: 0, failed: r.code === 0 ? 0 : 1, pending: 0, ms: Date.now() - started, step: true });
  }
  const missingNote = 'missing system packages (see "system packages")';
  /** The tier was asked for and its system packages are there. */
  const runs = (t) => opts.only.has(t) && !missingFor.has(t);

  const needHost = runs('host') || runs('workbench');
  // The browser tier may load built webview assets (media/panel.js); host and workbench load dist/.
  const needBuild = needHost || opts.only.has('browser');
  let built = true;
  if (opts.build && needBuild) built = await step('build', NODE, ['esbuild.js']);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await step('compile', NODE, [tsc, '-p', '.']);
  // The webview has its own tsconfig (DOM lib); esbuild bundles it without type-checking.
  const webviewTsconfig = path.join(ROOT, 'src', 'webview', 'tsconfig.json');
  if (fs.existsSync(webviewTsconfig)) await step('typecheck webview', NODE, [tsc, '--noEmit', '-p', webviewTsconfig]);

  const tierScript = path.join(__dirname, 'lib', 'mocha-tier.js');
  if (opts.only.has('unit')) {
    await tier('unit', NODE, ['--enable-source-maps', tierScript, 'out/test/unit', path.join(OUT, 'unit', 'results.json'), '20000'], path.join(OUT, 'unit', 'results.json'));
  }
  if (opts.only.has('router-eval')) {
    // Exit 3: the data is not there (outside CI): skipped, with the places looked in printed above.
    const resultsFile = path.join(OUT, 'router-eval', 'results.json');
    banner('router-eval');
    fs.rmSync(resultsFile, { force: true });
    const started = Date.now();
    const { code } = await run(NODE, ['--enable-source-maps', 'out/eval/router/run.js', '--json', resultsFile]);
    const ms = Date.now() - started;
    const r = readResults(resultsFile);
    if (code === 3) skip('router-eval', 'router data not found (see above)');
    else if (!r) rows.push({ name: 'router-eval', status: 'CRASHED', passed: 0, failed: 1, pending: 0, ms, note: `exit code ${code}, no results` });
    else {
      const failed = r.failed + (code !== 0 && r.failed === 0 ? 1 : 0);
      rows.push({ name: 'router-eval', status: failed > 0 ? 'FAILED' : 'ok', passed: r.passed, failed, pending: 0, ms, note: code !== 0 && r.failed === 0 ? `exit code ${code}` : '' });
    }
  }
  if (opts.only.has('faults')) {
    await tier('faults', NODE, ['--enable-source-maps', tierScript, 'out/test/faults', path.join(OUT, 'faults', 'results.json'), '180000'], path.join(OUT, 'faults', 'results.json'));
  }
  if (opts.only.has('imports')) {
    await tier('imports', NODE, ['--enable-source-maps', tierScript, 'out/test/imports', path.join(OUT, 'imports', 'results.json'), '300000'], path.join(OUT, 'imports', 'results.json'));
  }
  if (opts.only.has('assistants')) {
    await tier('assistants', NODE, ['--enable-source-maps', tierScript, 'out/test/assistants', path.join(OUT, 'assistants', 'results.json'), '300000'], path.join(OUT, 'assistants', 'results.json'));
  }
  if (opts.only.has('browser') && missingFor.has('browser')) skip('browser', missingNote);
  else if (opts.only.has('browser') && !built) skip('browser', 'the build failed');
  else if (opts.only.has('browser')) {
    await tier('browser', NODE, ['--enable-source-maps', tierScript, 'out/test/browser', path.join(OUT, 'browser', 'results.json'), '60000'], path.join(OUT, 'browser', 'results.json'));
  }
  for (const t of ['host', 'workbench']) if (opts.only.has(t) && missingFor.has(t)) skip(t, missingNote);
  if (needHost) {
    let hostReady = built;
    if (!built) {
      for (const t of ['host', 'workbench']) if (runs(t)) skip(t, 'the build failed');
    } else {
      hostReady = await step('VS Code host setup', NODE, [path.join(__dirname, 'vscode-host-setup.js')]);
      if (!hostReady) for (const t of ['host', 'workbench']) if (runs(t)) skip(t, 'host setup failed');
    }
    if (hostReady && runs('host')) {
      await tier('host', NODE, ['--enable-source-maps', 'out/test/host/runSuite.js'], path.join(OUT, 'host', 'results.json'));
    }
    if (hostReady && runs('workbench')) {
      await tier('workbench', NODE, ['--enable-source-maps', 'out/test/workbench/run.js'], path.join(OUT, 'workbench', 'results.json'));
    }
  }

  // Summary
  banner('summary');
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(`  ${pad('tier / step', 20)}${pad('status', 9)}${lpad('passed', 7)}${lpad('failed', 7)}${lpad('pending', 8)}${lpad('time', 10)}  note`);
  for (const r of rows) {
    const counts = r.step ? [lpad('', 7), lpad(r.failed ? 1 : '', 7), lpad('', 8)] : [lpad(r.passed, 7), lpad(r.failed, 7), lpad(r.pending, 8)];
    console.log(`  ${pad(r.name, 20)}${pad(r.status, 9)}${counts.join('')}${lpad(seconds(r.ms), 10)}  ${r.note || ''}`);
  }
  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  console.log(`  total time ${seconds(Date.now() - t0)}; results in ${path.relative(ROOT, OUT)}/<tier>/results.json\n`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`✘ test-all crashed: ${(e && e.stack) || e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
