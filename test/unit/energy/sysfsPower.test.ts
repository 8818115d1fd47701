import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readAmdGpuPowerW, readRaplPowerW, RAPL_INTERVAL_MS } from '../../../src/core/energy/sysfsPower';
import { readMeasuredPower } from '../../../src/core/energy/powerSampler';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-sysfs-'));
  for (const [rel, text] of Object.entries(files)) {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }
  return root;
}

const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

describe('energy: sysfs power (AMD GPUs, RAPL)', () => {
  it('sums AMD GPUs from hwmon power1_average (microwatts), ignoring other vendors', async () => {
    const root = tree({
      'class/drm/card0/device/vendor': '0x1002\n',
      'class/drm/card0/device/hwmon/hwmon3/power1_average': '212000000\n',
      'class/drm/card1/device/vendor': '0x1002\n',
      'class/drm/card1/device/hwmon/hwmon4/power1_input': '35500000\n',
      'class/drm/card2/device/vendor': '0x10de\n',
      'class/drm/card2/device/hwmon/hwmon5/power1_average': '999000000\n',
      'class/drm/card0-DP-1/status': 'connected\n',
    });
    roots.push(root);
    assert.equal(await readAmdGpuPowerW({ root }), 247.5);
  });

  it('reports nothing without AMD GPUs', async () => {
    const root = tree({ 'class/drm/card0/device/vendor': '0x8086\n' });
    roots.push(root);
    assert.equal(await readAmdGpuPowerW({ root }), undefined);
    assert.equal(await readAmdGpuPowerW({ root: path.join(root, 'missing') }), undefined);
  });

  it('turns two RAPL package readings into watts, across a counter wrap', async () => {
    const root = tree({
      'class/powercap/intel-rapl:0/energy_uj': '1000000',
      'class/powercap/intel-rapl:0/max_energy_range_uj': '262143328850',
      'class/powercap/intel-rapl:1/energy_uj': '262143000000',
      'class/powercap/intel-rapl:1/max_energy_range_uj': '262143328850',
      'class/powercap/intel-rapl:0:0/energy_uj': '5',
    });
    roots.push(root);
    let t = 0;
    const sleep = async (ms: number) => {
      t += ms;
      fs.writeFileSync(path.join(root, 'class/powercap/intel-rapl:0/energy_uj'), String(1000000 + 8_000_000));
      fs.writeFileSync(path.join(root, 'class/powercap/intel-rapl:1/energy_uj'), String(262143000000 + 2_000_000 - 262143328850));
    };
    const w = await readRaplPowerW({ root, sleep, now: () => t });
    // 8 J + 2 J over 0.2 s = 50 W
    assert.ok(Math.abs(w! - 10 / (RAPL_INTERVAL_MS / 1000)) < 1e-9, String(w));
  });

  it('reports nothing when RAPL is not readable (root-only since Linux 5.10)', async () => {
    const root = tree({ 'class/powercap/intel-rapl:0/energy_uj': '123' });
    roots.push(root);
    fs.chmodSync(path.join(root, 'class/powercap/intel-rapl:0/energy_uj'), 0o000);
    const readable = (() => { try { fs.readFileSync(path.join(root, 'class/powercap/intel-rapl:0/energy_uj')); return true; } catch { return false; } })();
    if (readable) fs.writeFileSync(path.join(root, 'class/powercap/intel-rapl:0/energy_uj'), 'permission denied');
    assert.equal(await readRaplPowerW({ root, sleep: async () => undefined }), undefined);
  });

  it('prefers GPU readings and falls back to the CPU packages only when no GPU reports', async () => {
    const readers = (nvidia?: number, amd?: number, rapl?: number) => ({ nvidia: async () => nvidia, amd: async () => amd, rapl: async () => rapl });
    assert.deepEqual(await readMeasuredPower(readers(300, undefined, 65)), { watts: 300, sources: ['nvidia-smi'] });
    assert.deepEqual(await readMeasuredPower(readers(300, 200, 65)), { watts: 500, sources: ['nvidia-smi', 'amdgpu-hwmon'] });
    assert.deepEqual(await readMeasuredPower(readers(undefined, undefined, 65)), { watts: 65, sources: ['rapl'] });
    assert.equal(await readMeasuredPower(readers(undefined, undefined, undefined)), undefined);
    assert.deepEqual(await readMeasuredPower({ nvidia: async () => { throw new Error('no nvidia-smi'); }, amd: async () => 120, rapl: async () => 9 }), { watts: 120, sources: ['amdgpu-hwmon'] });
  });
});
