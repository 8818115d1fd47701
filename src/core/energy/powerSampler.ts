// Samples the GPU's power draw while a local model is generating, so local energy can be measured
// rather than taken from a device profile. nvidia-smi is asked once per local request, at the first
// streamed token (decode is under way then); if it is absent or reports nothing, sampling stops for
// the life of the sampler.
import { CommandRunner, readNvidiaPowerW } from './gpuPower';

export class GpuPowerSampler {
  private available: boolean | undefined;

  constructor(private readonly read: (run?: CommandRunner) => Promise<number | undefined> = readNvidiaPowerW) {}

  /** Watts now, summed over GPUs; undefined when nothing can be measured. */
  async sample(): Promise<number | undefined> {
    if (this.available === false) return undefined;
    const w = await this.read().catch(() => undefined);
    this.available = w !== undefined && w > 0;
    return this.available ? w : undefined;
  }

  get measurable(): boolean | undefined {
    return this.available;
  }
}

/** Whether a URL points at this machine (only then does a local GPU reading describe the inference). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
