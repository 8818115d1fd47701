// Reads the current GPU power draw from nvidia-smi, summed over all GPUs.
import { execFile } from 'child_process';

export type CommandRunner = (cmd: string, args: string[]) => Promise<string>;

const NVIDIA_SMI_ARGS = ['--query-gpu=power.draw', '--format=csv,noheader,nounits'];
const TIMEOUT_MS = 3000;

const defaultRun: CommandRunner = (cmd, args) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: TIMEOUT_MS, windowsHide: true }, (err, stdout) => (err ? reject(err) : resolve(String(stdout))));
  });

/**
 * `nvidia-smi --query-gpu=power.draw --format=csv,noheader,nounits`: one line per GPU, watts.
 * Returns the sum over GPUs that report a number; undefined when nvidia-smi is absent, fails, or no GPU
 * reports power (`[N/A]`, `[Not Supported]`).
 */
export async function readNvidiaPowerW(run: CommandRunner = defaultRun): Promise<number | undefined> {
  let out: string;
  try {
    out = await run('nvidia-smi', NVIDIA_SMI_ARGS);
  } catch {
    return undefined;
  }
  return parseNvidiaPowerDraw(out);
}

export function parseNvidiaPowerDraw(stdout: string): number | undefined {
  let sum = 0;
  let found = 0;
  for (const line of stdout.split(/\r?\n/)) {
    const text = line.trim();
    if (!/^\d+(\.\d+)?$/.test(text)) continue;
    const w = parseFloat(text);
    if (Number.isFinite(w) && w >= 0) {
      sum += w;
      found++;
    }
  }
  return found > 0 ? sum : undefined;
}
