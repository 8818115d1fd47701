// Samples the accelerator's power draw while a local model is generating, so local energy can be measured
// rather than taken from a device profile. Asked once per local request, at the first streamed token (decode
// is under way then). Sources, in order: NVIDIA GPUs (nvidia-smi), AMD GPUs (sysfs hwmon), and, when no GPU
// reports, the CPU packages (RAPL, when readable without privileges). If nothing reports, sampling stops
// for the life of the sampler.
import { readNvidiaPowerW } from './gpuPower';
import { readAmdGpuPowerW, readRaplPowerW } from './sysfsPower';

export type PowerReader = () => Promise<number | undefined>;

/** Where a reading came from (for logs and the record's method). */
export type PowerSource = 'nvidia-smi' | 'amdgpu-hwmon' | 'rapl';

export interface PowerReaders { nvidia: PowerReader; amd: PowerReader; rapl: PowerReader }

const DEFAULT_READERS: PowerReaders = { nvidia: () => readNvidiaPowerW(), amd: () => readAmdGpuPowerW(), rapl: () => readRaplPowerW() };

/** GPU power summed over NVIDIA and AMD cards; CPU package power only when no GPU reports. */
export async function readMeasuredPower(readers: PowerReaders = DEFAULT_READERS): Promise<{ watts: number; sources: PowerSource[] } | undefined> {
  const safe = (r: PowerReader) => r().catch(() => undefined);
  const [nvidia, amd] = await Promise.all([safe(readers.nvidia), safe(readers.amd)]);
  const sources: PowerSource[] = [];
  let watts = 0;
  if (nvidia !== undefined && nvidia > 0) { watts += nvidia; sources.push('nvidia-smi'); }
  if (amd !== undefined && amd > 0) { watts += amd; sources.push('amdgpu-hwmon'); }
  if (sources.length === 0) {
    const cpu = await safe(readers.rapl);
    if (cpu !== undefined && cpu > 0) return { watts: cpu, sources: ['rapl'] };
    return undefined;
  }
  return { watts, sources };
}

export class GpuPowerSampler {
  private available: boolean | undefined;
  private lastSources: PowerSource[] = [];

  constructor(private readonly read: PowerReader = async () => {
    const r = await readMeasuredPower();
    this.lastSources = r?.sources ?? [];
    return r?.watts;
  }) {}

  /** Watts now; undefined when nothing can be measured. */
  async sample(): Promise<number | undefined> {
    if (this.available === false) return undefined;
    const w = await this.read().catch(() => undefined);
    this.available = w !== undefined && w > 0;
    return this.available ? w : undefined;
  }

  get measurable(): boolean | undefined {
    return this.available;
  }

  /** The sources of the last successful default reading. */
  get sources(): readonly PowerSource[] {
    return this.lastSources;
  }
}

/** Whether a URL points at this machine (only then does a local reading describe the inference). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
