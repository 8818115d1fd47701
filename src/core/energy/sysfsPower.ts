// Power readings Linux offers without privileges, from sysfs:
//  - AMD GPUs: /sys/class/drm/card*/device/hwmon/hwmon*/power1_average (or power1_input), microwatts,
//    readable by every user (amdgpu driver, vendor 0x1002).
//  - CPU packages: RAPL energy counters /sys/class/powercap/intel-rapl:N/energy_uj (Intel, and AMD Zen via
//    the same powercap driver). Since Linux 5.10 they are readable by root only on most distributions
//    (CVE-2020-8694); when they are not readable, nothing is reported.
import { promises as fs } from 'fs';
import * as path from 'path';

export interface SysfsOptions {
  /** Root of sysfs (tests point it at a fake tree). */
  root?: string;
  /** Waits between two RAPL counter reads (ms). */
  sleep?: (ms: number) => Promise<void>;
  /** Clock for the RAPL interval (ms). */
  now?: () => number;
}

const AMD_VENDOR = '0x1002';
export const RAPL_INTERVAL_MS = 200;

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

async function readNumber(file: string): Promise<number | undefined> {
  const t = await readText(file);
  if (t === undefined || !/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Summed board power (W) of the AMD GPUs, or undefined when none reports. */
export async function readAmdGpuPowerW(opts: SysfsOptions = {}): Promise<number | undefined> {
  const drm = path.join(opts.root ?? '/sys', 'class', 'drm');
  let sum = 0;
  let found = 0;
  for (const card of (await list(drm)).filter((c) => /^card\d+$/.test(c))) {
    const device = path.join(drm, card, 'device');
    if ((await readText(path.join(device, 'vendor'))) !== AMD_VENDOR) continue;
    for (const hw of await list(path.join(device, 'hwmon'))) {
      const dir = path.join(device, 'hwmon', hw);
      const uw = (await readNumber(path.join(dir, 'power1_average'))) ?? (await readNumber(path.join(dir, 'power1_input')));
      if (uw !== undefined) {
        sum += uw / 1e6;
        found++;
        break;
      }
    }
  }
  return found > 0 ? sum : undefined;
}

interface RaplDomain { file: string; maxUj: number }

async function raplPackages(root: string): Promise<RaplDomain[]> {
  const base = path.join(root, 'class', 'powercap');
  const out: RaplDomain[] = [];
  for (const d of (await list(base)).filter((x) => /^intel-rapl:\d+$/.test(x))) {
    const dir = path.join(base, d);
    const maxUj = (await readNumber(path.join(dir, 'max_energy_range_uj'))) ?? 2 ** 32;
    out.push({ file: path.join(dir, 'energy_uj'), maxUj });
  }
  return out;
}

/** CPU package power (W) from two RAPL energy readings RAPL_INTERVAL_MS apart; undefined when unreadable. */
export async function readRaplPowerW(opts: SysfsOptions = {}): Promise<number | undefined> {
  const domains = await raplPackages(opts.root ?? '/sys');
  if (domains.length === 0) return undefined;
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const first = await Promise.all(domains.map((d) => readNumber(d.file)));
  if (first.some((x) => x === undefined)) return undefined;
  const t0 = now();
  await sleep(RAPL_INTERVAL_MS);
  const second = await Promise.all(domains.map((d) => readNumber(d.file)));
  const dt = (now() - t0) / 1000;
  if (second.some((x) => x === undefined) || !(dt > 0)) return undefined;
  let uj = 0;
  domains.forEach((d, i) => {
    const delta = second[i]! - first[i]!;
    uj += delta >= 0 ? delta : delta + d.maxUj; // the counter wrapped
  });
  return uj / 1e6 / dt;
}
