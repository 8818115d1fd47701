// scripts/system-prereqs.js: what `npm test` and .ci/run do about system packages, decided from injected
// facts about the machine (uid, /etc/os-release, files present) and an injected command runner.
import * as assert from 'node:assert/strict';
import * as path from 'path';

interface Sys {
  platform: string; osRelease: string; uid: number; env: Record<string, string | undefined>; hostInstalled: boolean;
  exists(p: string): boolean;
  run(cmd: string, args: string[]): { status: number; stdout: string };
  runInherit(cmd: string, args: string[]): number;
  log(line: string): void;
}
interface Plan { action: 'none' | 'install' | 'manual'; missing: Array<{ id: string; package?: string; tiers: string[] }>; commands: string[][]; manualCommand?: string; skippedTiers: string[] }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const prereqs = require(path.resolve(__dirname, '../../../../scripts/system-prereqs.js')) as {
  plan(sys: Sys, tiers?: string[]): Plan;
  provision(sys: Sys, opts?: { tiers?: string[]; check?: boolean }): { code: number; skippedTiers: string[]; installed: string[] };
  linuxFamily(platform: string, osRelease: string): string | undefined;
};

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';
const MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n';

/**
 * A fake machine: `files` present, `packages` dpkg knows, `sudo` works without a password or not.
 * apt-get install "installs" its packages (adds the files and dpkg entries) unless `aptFails`.
 */
function machine(o: { uid?: number; osRelease?: string; platform?: string; files?: string[]; packages?: string[]; sudo?: 'ok' | 'password' | 'absent'; hostInstalled?: boolean; aptFails?: boolean } = {}) {
  const files = new Set(o.files ?? []);
  const packages = new Set(o.packages ?? []);
  const calls: string[] = [];
  const logs: string[] = [];
  const provides: Record<string, string[]> = {
    chromium: ['/usr/bin/chromium'], 'chromium-browser': ['/usr/bin/chromium-browser'], 'build-essential': ['/usr/bin/make', '/usr/bin/g++'], python3: ['/usr/bin/python3'],
  };
  const sys: Sys = {
    platform: o.platform ?? 'linux', osRelease: o.osRelease ?? DEBIAN, uid: o.uid ?? 0, env: { PATH: '/usr/local/bin:/usr/bin' }, hostInstalled: o.hostInstalled ?? false,
    exists: (p) => files.has(p),
    run: (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      if (cmd === 'dpkg-query') return { status: packages.has(args.at(-1)!) ? 0 : 1, stdout: packages.has(args.at(-1)!) ? 'install ok installed' : '' };
      if (cmd === 'sudo') return { status: o.sudo === 'ok' ? 0 : o.sudo === 'password' ? 1 : 127, stdout: '' };
      return { status: 127, stdout: '' };
    },
    runInherit: (cmd, args) => {
      const line = [cmd, ...args].join(' ');
      calls.push(`! ${line}`);
      if (o.aptFails) return 100;
      const i = args.indexOf('-y');
      if (i >= 0) for (const p of args.slice(i + 1)) { packages.add(p); for (const f of provides[p] ?? []) files.add(f); }
      return 0;
    },
    log: (l) => logs.push(l),
  };
  return { sys, calls, logs };
}

const ALL_PRESENT = { files: ['/usr/bin/chromium', '/usr/bin/make', '/usr/bin/g++', '/usr/bin/python3'], packages: ['libkrb5-dev'] };

describe('scripts/system-prereqs: provisioning the test tiers', () => {
  it('knows Debian, Ubuntu and their derivatives from /etc/os-release, and nothing off Linux', () => {
    assert.equal(prereqs.linuxFamily('linux', DEBIAN), 'debian');
    assert.equal(prereqs.linuxFamily('linux', UBUNTU), 'ubuntu');
    assert.equal(prereqs.linuxFamily('linux', MINT), 'ubuntu');
    assert.equal(prereqs.linuxFamily('linux', FEDORA), 'fedora');
    assert.equal(prereqs.linuxFamily('darwin', DEBIAN), undefined);
  });

  it('everything present: does nothing but look (no install, no sudo), exit 0', () => {
    const m = machine({ ...ALL_PRESENT, uid: 1000, sudo: 'ok' });
    const r = prereqs.provision(m.sys);
    assert.equal(r.code, 0);
    assert.deepEqual(m.calls, ['dpkg-query -W -f=${Status} libkrb5-dev']);
    assert.match(m.logs.join('\n'), /present/);
  });

  it('root on Debian: installs what is missing with apt-get (update first), then checks again', () => {
    const m = machine({ uid: 0, files: ['/usr/bin/make', '/usr/bin/g++', '/usr/bin/python3'] });
    const r = prereqs.provision(m.sys);
    assert.equal(r.code, 0, m.logs.join('\n'));
    assert.deepEqual(r.installed, ['chromium', 'libkrb5-dev']);
    const installs = m.calls.filter((c) => c.startsWith('! '));
    assert.deepEqual(installs, ['! apt-get update', '! env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium libkrb5-dev']);
    assert.ok(!m.calls.some((c) => c.startsWith('sudo')), 'root needs no sudo');
  });

  it('a user with passwordless sudo: the same through `sudo -n`', () => {
    const m = machine({ uid: 1000, sudo: 'ok', packages: ['libkrb5-dev'], files: ['/usr/bin/make', '/usr/bin/g++', '/usr/bin/python3'] });
    const r = prereqs.provision(m.sys);
    assert.equal(r.code, 0);
    assert.ok(m.calls.includes('sudo -n true'), 'asked sudo without a password');
    assert.deepEqual(m.calls.filter((c) => c.startsWith('! ')), ['! sudo -n apt-get update', '! sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium']);
  });

  it('no root and no passwordless sudo: installs nothing, prints the exact command and the skipped tiers, exit 1', () => {
    for (const sudo of ['password', 'absent'] as const) {
      const m = machine({ uid: 1000, sudo });
      const r = prereqs.provision(m.sys, { tiers: ['unit', 'browser', 'host', 'workbench'] });
      assert.equal(r.code, 1);
      assert.deepEqual(r.skippedTiers, ['browser', 'host', 'workbench']);
      assert.equal(m.calls.filter((c) => c.startsWith('! ')).length, 0, 'nothing installed');
      const text = m.logs.join('\n');
      assert.match(text, /Run: sudo apt-get update && sudo apt-get install -y chromium libkrb5-dev build-essential python3$/m);
      assert.match(text, /Skipped tiers: browser, host, workbench/);
      assert.match(text, /passwordless sudo is not available/);
    }
  });

  it('not Debian/Ubuntu: prints the distribution’s command and installs nothing, even as root', () => {
    const m = machine({ uid: 0, osRelease: FEDORA, files: ['/usr/bin/make', '/usr/bin/g++', '/usr/bin/python3', '/usr/bin/krb5-config'] });
    const r = prereqs.provision(m.sys, { tiers: ['browser'] });
    assert.equal(r.code, 1);
    assert.deepEqual(r.skippedTiers, ['browser']);
    assert.equal(m.calls.filter((c) => c.startsWith('! ')).length, 0);
    assert.match(m.logs.join('\n'), /Run: sudo dnf install -y chromium/);
    const mac = machine({ platform: 'darwin', osRelease: '' });
    assert.equal(prereqs.provision(mac.sys).code, 1);
    assert.match(mac.logs.join('\n'), /need Linux x64 \(this is darwin\)/);
  });

  it('needs only what the selected tiers use; the host build packages only while the host is not installed', () => {
    assert.equal(prereqs.plan(machine().sys, ['unit', 'imports']).action, 'none');
    const browserOnly = prereqs.plan(machine().sys, ['browser']);
    assert.deepEqual(browserOnly.missing.map((x) => x.id), ['chromium']);
    const hostInstalled = prereqs.plan(machine({ hostInstalled: true, files: ['/usr/bin/chromium'] }).sys, ['host', 'workbench']);
    assert.equal(hostInstalled.action, 'none', 'libkrb5-dev and the toolchain only build the VS Code host');
    const ubuntu = prereqs.plan(machine({ osRelease: UBUNTU, hostInstalled: true }).sys, ['browser']);
    assert.deepEqual(ubuntu.commands.at(-1), ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'chromium-browser']);
    const named = machine({ hostInstalled: true });
    named.sys.env.RIGHTSIZE_CHROMIUM = '/opt/chrome/chrome';
    named.sys.exists = (p) => p === '/opt/chrome/chrome';
    assert.equal(prereqs.plan(named.sys, ['browser']).action, 'none', 'RIGHTSIZE_CHROMIUM counts');
  });

  it('a failing apt-get: exit 1 with the command to run by hand; --check installs nothing', () => {
    const m = machine({ uid: 0, aptFails: true });
    const r = prereqs.provision(m.sys, { tiers: ['browser'] });
    assert.equal(r.code, 1);
    assert.match(m.logs.join('\n'), /`apt-get update` failed \(exit code 100\)/);
    assert.match(m.logs.join('\n'), /Run: sudo apt-get update && sudo apt-get install -y chromium/);
    const c = machine({ uid: 0 });
    assert.equal(prereqs.provision(c.sys, { tiers: ['browser'], check: true }).code, 1);
    assert.equal(c.calls.filter((x) => x.startsWith('! ')).length, 0);
  });
});
