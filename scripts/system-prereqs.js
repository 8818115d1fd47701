#!/usr/bin/env node
// System packages the test tiers need, checked and — on Debian/Ubuntu as root or with passwordless
// sudo — installed with apt-get. One script, called by `npm test` (scripts/test-all.js, for the tiers it is
// about to run) and by .ci/run (for every tier, before `npm ci`). No dependencies: it runs before `npm ci`.
//
// What is needed:
//   chromium               browser, host, workbench tiers (headless browser; RIGHTSIZE_CHROMIUM may name one)
//   libkrb5-dev, make, g++, python3
//                          host, workbench tiers, only while the VS Code host is not installed yet
//                          (scripts/vscode-host-setup.js builds a native module of VS Code against them)
// Elsewhere (another OS or distribution, or no root and no passwordless sudo) nothing is installed: it
// prints the exact command to run and which tiers cannot run, and exits 1.
//
// Usage: node scripts/system-prereqs.js [--tiers browser,host,workbench] [--check]
//   --tiers  the tiers to provision for (default: every tier)
//   --check  only report; install nothing
// Exit code: 0 when everything needed is present (or was installed), 1 when something is missing, 2 on
// bad arguments.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ALL_TIERS = ['unit', 'imports', 'browser', 'host', 'workbench'];
/** Where the tests look for a browser (test/host/server.ts uses this list too). */
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Each need: which tiers it serves, how to tell it is present, and its package per distribution family.
 * `hostBuildOnly`: needed only to install the VS Code host.
 */
const NEEDS = [
  {
    id: 'chromium', tiers: ['browser', 'host', 'workbench'], hostBuildOnly: false,
    present: (sys) => [sys.env.RIGHTSIZE_CHROMIUM, ...CHROMIUM_CANDIDATES].some((p) => p && sys.exists(p)),
    packages: { debian: 'chromium', ubuntu: 'chromium-browser', fedora: 'chromium', arch: 'chromium', alpine: 'chromium', suse: 'chromium' },
  },
  {
    id: 'libkrb5-dev', tiers: ['host', 'workbench'], hostBuildOnly: true,
    present: (sys) => (sys.family === 'debian' || sys.family === 'ubuntu' ? dpkgInstalled(sys, 'libkrb5-dev') : onPath(sys, 'krb5-config')),
    packages: { debian: 'libkrb5-dev', ubuntu: 'libkrb5-dev', fedora: 'krb5-devel', arch: 'krb5', alpine: 'krb5-dev', suse: 'krb5-devel' },
  },
  {
    id: 'C++ toolchain (make, g++)', tiers: ['host', 'workbench'], hostBuildOnly: true,
    present: (sys) => onPath(sys, 'make') && onPath(sys, 'g++'),
    packages: { debian: 'build-essential', ubuntu: 'build-essential', fedora: 'gcc-c++ make', arch: 'base-devel', alpine: 'build-base', suse: 'gcc-c++ make' },
  },
  {
    id: 'python3', tiers: ['host', 'workbench'], hostBuildOnly: true,
    present: (sys) => onPath(sys, 'python3'),
    packages: { debian: 'python3', ubuntu: 'python3', fedora: 'python3', arch: 'python', alpine: 'python3', suse: 'python3' },
  },
];

/** How each family installs packages (as root; `sudo ` is prefixed for a person to type). */
const INSTALLERS = {
  debian: (pkgs) => `apt-get update && apt-get install -y ${pkgs.join(' ')}`,
  ubuntu: (pkgs) => `apt-get update && apt-get install -y ${pkgs.join(' ')}`,
  fedora: (pkgs) => `dnf install -y ${pkgs.join(' ')}`,
  arch: (pkgs) => `pacman -S --needed ${pkgs.join(' ')}`,
  alpine: (pkgs) => `apk add ${pkgs.join(' ')}`,
  suse: (pkgs) => `zypper install -y ${pkgs.join(' ')}`,
};

/** The distribution family from /etc/os-release's ID and ID_LIKE; undefined when not Linux or unknown. */
function linuxFamily(platform, osRelease) {
  if (platform !== 'linux' || !osRelease) return undefined;
  const field = (name) => {
    const m = new RegExp(`^${name}=(.*)$`, 'm').exec(osRelease);
    return m ? m[1].trim().replace(/^["']|["']$/g, '').toLowerCase() : '';
  };
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)].filter(Boolean);
  if (ids.includes('ubuntu')) return 'ubuntu'; // Ubuntu and its derivatives (Mint, Pop!_OS) name chromium differently
  for (const family of ['debian', 'ubuntu', 'fedora', 'arch', 'alpine', 'suse']) {
    if (ids.some((id) => id === family || (family === 'fedora' && (id === 'rhel' || id === 'centos')) || (family === 'suse' && id.startsWith('opensuse')))) return family;
  }
  return undefined;
}

function onPath(sys, command) {
  return (sys.env.PATH || '').split(path.delimiter).filter(Boolean).some((dir) => sys.exists(path.join(dir, command)));
}

function dpkgInstalled(sys, pkg) {
  const r = sys.run('dpkg-query', ['-W', '-f=${Status}', pkg]);
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

/**
 * What to do, decided from facts about the machine (no side effects besides the runner's probes).
 * sys: { platform, osRelease, uid, env, exists(path), run(cmd, args) -> { status, stdout }, hostInstalled }
 * Returns { missing: [{ id, package, tiers }], action: 'none' | 'install' | 'manual', commands: [[cmd, ...args]],
 *           manualCommand?: string, why?: string, skippedTiers: [] }.
 */
function plan(sys, tiers = ALL_TIERS) {
  const family = linuxFamily(sys.platform, sys.osRelease);
  const facts = { ...sys, family };
  const wanted = NEEDS.filter((n) => n.tiers.some((t) => tiers.includes(t)) && !(n.hostBuildOnly && sys.hostInstalled));
  const missing = wanted.filter((n) => !n.present(facts)).map((n) => ({
    id: n.id, package: family ? n.packages[family] : undefined, tiers: n.tiers.filter((t) => tiers.includes(t)),
  }));
  if (missing.length === 0) return { family, missing, action: 'none', commands: [], skippedTiers: [] };
  const skippedTiers = ALL_TIERS.filter((t) => missing.some((m) => m.tiers.includes(t)));
  const pkgs = [...new Set(missing.flatMap((m) => (m.package ? m.package.split(' ') : [])))];
  if (!family) {
    const why = sys.platform === 'linux'
      ? 'this Linux distribution is not one Rightsize knows how to provision'
      : `the VS Code host tiers need Linux x64 (this is ${sys.platform})`;
    return {
      family, missing, action: 'manual', commands: [], skippedTiers, why,
      manualCommand: `install ${missing.map((m) => m.id).join(', ')} with your system's package manager (for the browser, or set RIGHTSIZE_CHROMIUM to a Chrome or Chromium binary)`,
    };
  }
  const installer = INSTALLERS[family];
  const asText = installer(pkgs).split(' && ').map((c) => `sudo ${c}`).join(' && ');
  const isApt = family === 'debian' || family === 'ubuntu';
  if (!isApt) return { family, missing, action: 'manual', commands: [], skippedTiers, manualCommand: asText, why: `only Debian and Ubuntu are provisioned automatically (this is ${family})` };
  let prefix;
  if (sys.uid === 0) prefix = [];
  else if (sys.run('sudo', ['-n', 'true']).status === 0) prefix = ['sudo', '-n'];
  else return { family, missing, action: 'manual', commands: [], skippedTiers, manualCommand: asText, why: 'installing needs root, and passwordless sudo is not available' };
  const commands = [
    [...prefix, 'apt-get', 'update'],
    [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', ...pkgs],
  ];
  return { family, missing, action: 'install', commands, manualCommand: asText, skippedTiers };
}

/**
 * Checks, installs when it may, and reports. Returns { code, skippedTiers, installed }.
 * sys as for `plan`, plus runInherit(cmd, args) -> status (output shown to the user) and log(line).
 */
function provision(sys, { tiers = ALL_TIERS, check = false } = {}) {
  const started = Date.now();
  const first = plan(sys, tiers);
  if (first.action === 'none') {
    sys.log(`system prerequisites for ${tiers.join(', ')}: present (${Date.now() - started} ms)`);
    return { code: 0, skippedTiers: [], installed: [] };
  }
  const names = first.missing.map((m) => m.id).join(', ');
  if (first.action === 'install' && !check) {
    sys.log(`system prerequisites: installing ${first.missing.map((m) => m.package).join(', ')} (missing: ${names})`);
    for (const c of first.commands) {
      sys.log(`$ ${c.join(' ')}`);
      const status = sys.runInherit(c[0], c.slice(1));
      if (status !== 0) {
        sys.log(`✘ \`${c.join(' ')}\` failed (exit code ${status}).`);
        return fail(sys, first, `the install command failed; run it yourself: ${first.manualCommand}`);
      }
    }
    const after = plan(sys, tiers);
    if (after.action === 'none') {
      sys.log(`system prerequisites: installed ${first.missing.map((m) => m.package).join(', ')}`);
      return { code: 0, skippedTiers: [], installed: first.missing.map((m) => m.package) };
    }
    return fail(sys, after, `still missing after the install: ${after.missing.map((m) => m.id).join(', ')}`);
  }
  const why = check ? 'checked only (--check)' : first.why;
  return fail(sys, first, why);
}

function fail(sys, p, why) {
  sys.log(`✘ missing system prerequisites: ${p.missing.map((m) => `${m.id} (${m.tiers.join(', ')})`).join('; ')}`);
  if (why) sys.log(`  ${why}.`);
  sys.log(`  Run: ${p.manualCommand}`);
  sys.log(`  Skipped tiers: ${p.skippedTiers.join(', ')}`);
  return { code: 1, skippedTiers: p.skippedTiers, installed: [] };
}

/** The real machine. */
function realSystem(log = (l) => console.log(l)) {
  const root = path.resolve(__dirname, '..');
  let osRelease = '';
  try { osRelease = fs.readFileSync('/etc/os-release', 'utf8'); } catch { /* not Linux, or no os-release */ }
  let hostInstalled = false;
  try {
    const host = require('./vscode-host-setup.js');
    hostInstalled = host.isInstalled(host.hostPaths());
  } catch { /* treated as not installed */ }
  return {
    platform: process.platform,
    osRelease,
    uid: typeof process.getuid === 'function' ? process.getuid() : -1,
    env: process.env,
    hostInstalled,
    exists: (p) => fs.existsSync(p),
    run: (cmd, args) => {
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { status: r.error ? 127 : r.status ?? 1, stdout: r.stdout || '' };
    },
    runInherit: (cmd, args) => {
      const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
      return r.error ? 127 : r.status ?? 1;
    },
    log,
  };
}

function parseArgs(argv) {
  const opts = { tiers: ALL_TIERS, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--tiers' || a.startsWith('--tiers=')) {
      const v = a.includes('=') ? a.slice('--tiers='.length) : argv[++i];
      const names = String(v || '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = names.filter((n) => !ALL_TIERS.includes(n));
      if (!names.length || bad.length) throw new Error(`--tiers takes one or more of ${ALL_TIERS.join(', ')}; got ${JSON.stringify(v)}`);
      opts.tiers = names;
    } else if (a === '--help' || a === '-h') {
      opts.help = true;
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

module.exports = { plan, provision, realSystem, linuxFamily, ALL_TIERS, CHROMIUM_CANDIDATES };

if (require.main === module) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  if (opts.help) {
    console.log('usage: node scripts/system-prereqs.js [--tiers browser,host,workbench] [--check]');
    process.exit(0);
  }
  process.exit(provision(realSystem(), opts).code);
}
