// Runs one plain-Node mocha tier (unit or browser) with the spec reporter and writes a JSON summary.
// Usage: node --enable-source-maps scripts/lib/mocha-tier.js <compiled test dir> <results.json> [timeoutMs]
// Only compiled tests whose TypeScript source still exists are run (out/ may hold stale files from
// deleted tests; out/ is shared with other people's runs, so it is not wiped here).
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

const repoRoot = path.resolve(__dirname, '..', '..');
const { loadEachFileSafely } = require('./mocha-load-safely');

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(full);
  }
  return out.sort();
}

/** out/test/unit/x/y.test.js -> test/unit/x/y.test.ts */
function sourceOf(compiled) {
  const rel = path.relative(path.join(repoRoot, 'out'), compiled);
  return path.join(repoRoot, rel.replace(/\.js$/, '.ts'));
}

function main() {
  const [dirArg, resultsFile, timeoutArg] = process.argv.slice(2);
  if (!dirArg || !resultsFile) {
    console.error('usage: mocha-tier.js <compiled test dir> <results.json> [timeoutMs]');
    process.exit(2);
  }
  const dir = path.resolve(repoRoot, dirArg);
  const all = findTests(dir);
  const files = all.filter((f) => fs.existsSync(sourceOf(f)));
  const stale = all.length - files.length;
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  if (stale) console.log(`  (skipping ${stale} stale compiled file(s) in ${path.relative(repoRoot, dir)} whose .ts source is gone)`);
  const tests = [];
  const write = () => {
    const summary = {
      passed: tests.filter((t) => t.state === 'passed').length,
      failed: tests.filter((t) => t.state === 'failed').length,
      pending: tests.filter((t) => t.state === 'pending').length,
      files: files.length,
      tests,
    };
    fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2));
    return summary;
  };
  if (files.length === 0) {
    console.log(`  no tests in ${path.relative(repoRoot, dir)}`);
    write();
    return;
  }
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    timeout: Number(timeoutArg) || 20000,
    color: process.stdout.isTTY,
    ...(process.env.RIGHTSIZE_TEST_GREP ? { grep: new RegExp(process.env.RIGHTSIZE_TEST_GREP) } : {}),
  });
  for (const f of files) mocha.addFile(f);
  loadEachFileSafely(mocha, Mocha, (f) => path.relative(repoRoot, f));
  const runner = mocha.run((failures) => {
    const s = write();
    const code = failures > 0 || s.failed > 0 ? 1 : 0;
    process.exitCode = code;
    // Tests that leave servers or timers behind would keep this process alive: say so and exit.
    setTimeout(() => {
      console.log('  (the tests left handles open — servers, sockets or timers; exiting anyway)');
      process.exit(code);
    }, 3000).unref();
  });
  runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
  runner.on('fail', (t, err) => tests.push({ title: t.fullTitle(), state: 'failed', error: (err && err.stack) || String(err) }));
  runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
}

try {
  main();
} catch (e) {
  // e.g. a test file that throws while loading
  console.error(`✘ the tier could not run: ${(e && e.stack) || e}`);
  process.exit(1);
}
