#!/usr/bin/env node
// Installs the real clients of the assistants Rightsize serves — pinned — into a cache folder OUTSIDE the
// repository, for the gateway and import tests: Claude Code, Codex CLI, the OpenAI and Anthropic SDKs,
// and ccusage 18 (its last pure-JavaScript release) for comparing imports. Same pattern as
// scripts/vscode-host-setup.js: idempotent, a marker written only after a complete install.
//
// Usage: node scripts/assistants-setup.js [--force] [--print-paths]
//   --print-paths  print the paths as JSON and exit (0 when installed, 1 otherwise)
// Env: RIGHTSIZE_ASSISTANTS_CACHE (default ~/.cache/rightsize-assistants)
//
// Claude Code's `bin/claude.exe` is a stub until its install script runs (npm here does not run
// dependencies' install scripts), so tests run the platform package's binary directly (`claudeBin`).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const PACKAGES = {
  '@anthropic-ai/claude-code': '2.1.332',
  '@anthropic-ai/claude-code-linux-x64': '2.1.332',
  '@openai/codex': '0.171.0',
  openai: '7.59.0',
  '@anthropic-ai/sdk': '1.15.0',
  ccusage: '18.0.11',
};

function cacheRoot() {
  return process.env.RIGHTSIZE_ASSISTANTS_CACHE || path.join(os.homedir(), '.cache', 'rightsize-assistants');
}

function versionTag() {
  return Object.entries(PACKAGES).map(([n, v]) => `${n.replace(/^@/, '').replace(/\//g, '-')}-${v}`).join('_').slice(0, 200);
}

/** Where everything lives for the pinned versions. */
function assistantPaths(root = cacheRoot()) {
  const dir = path.join(root, require('crypto').createHash('sha1').update(versionTag()).digest('hex').slice(0, 12));
  const nm = path.join(dir, 'node_modules');
  return {
    dir,
    nodeModules: nm,
    marker: path.join(dir, '.install-complete.json'),
    claudeBin: path.join(nm, '@anthropic-ai', 'claude-code-linux-x64', 'claude'),
    codexBin: path.join(nm, '@openai', 'codex', 'bin', 'codex.js'),
    ccusageBin: path.join(nm, 'ccusage', 'dist', 'index.js'),
    openai: path.join(nm, 'openai'),
    anthropicSdk: path.join(nm, '@anthropic-ai', 'sdk'),
    versions: { ...PACKAGES },
  };
}

function readMarker(p) {
  try { return JSON.parse(fs.readFileSync(p.marker, 'utf8')); } catch { return undefined; }
}

function isInstalled(p = assistantPaths()) {
  const m = readMarker(p);
  return Boolean(m && JSON.stringify(m.packages) === JSON.stringify(PACKAGES) && fs.existsSync(p.nodeModules));
}

class SetupError extends Error {}

function log(msg) {
  process.stdout.write(`[assistants-setup] ${msg}\n`);
}

function install({ force = false } = {}) {
  const p = assistantPaths();
  if (!force && isInstalled(p)) {
    log(`reusing ${Object.keys(PACKAGES).length} pinned packages at ${p.dir}`);
    return p;
  }
  const t0 = Date.now();
  if (fs.existsSync(p.dir)) fs.rmSync(p.dir, { recursive: true, force: true });
  fs.mkdirSync(p.dir, { recursive: true });
  fs.writeFileSync(path.join(p.dir, 'package.json'), JSON.stringify({ name: 'rightsize-assistants', private: true, version: '0.0.0' }, null, 2));
  const specs = Object.entries(PACKAGES).map(([n, v]) => `${n}@${v}`);
  log(`$ npm install ${specs.join(' ')}   (in ${p.dir})`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--force', ...specs], {
    cwd: p.dir, stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.error) throw new SetupError(`could not start npm: ${r.error.message}`);
  if (r.status !== 0) throw new SetupError(`npm install failed with exit code ${r.status}`);
  for (const [what, file] of [['Claude Code binary', p.claudeBin], ['Codex CLI', p.codexBin], ['ccusage', p.ccusageBin]]) {
    if (!fs.existsSync(file)) throw new SetupError(`${what} missing after install: ${file}`);
  }
  try { fs.chmodSync(p.claudeBin, 0o755); } catch { /* already executable */ }
  const seconds = (Date.now() - t0) / 1000;
  fs.writeFileSync(p.marker, JSON.stringify({ packages: PACKAGES, installedAt: new Date().toISOString(), seconds }, null, 2));
  log(`installed in ${seconds.toFixed(0)} s: ${p.dir}`);
  return p;
}

module.exports = { assistantPaths, isInstalled, install, PACKAGES, SetupError };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--print-paths')) {
    const p = assistantPaths();
    process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
    process.exit(isInstalled(p) ? 0 : 1);
  }
  try {
    install({ force: args.includes('--force') });
  } catch (e) {
    process.stderr.write(`\n[assistants-setup] FAILED: ${e instanceof SetupError ? e.message : (e && e.stack) || e}\n`);
    process.exit(1);
  }
}
