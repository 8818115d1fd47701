// Benchmark harness: each suite returns figures; every figure is measured beside a baseline in the
// same run (ratio = value / baseline), because these machines are noisy. Prints text and JSON.
import { performance } from 'perf_hooks';

export interface Figure {
  /** e.g. `router.decisionsPerSecond`. */
  name: string;
  value: number;
  unit: string;
  /** What the target says: value must be <= or >= this. */
  target?: { op: '<=' | '>='; value: number };
  /** The baseline measured in the same run, with its own name. */
  baseline?: { name: string; value: number };
  note?: string;
}

export interface BenchSuite {
  name: string;
  run(): Promise<Figure[]>;
}

export interface FigureResult extends Figure { ratio?: number; pass?: boolean }

export function judge(f: Figure): FigureResult {
  const ratio = f.baseline && f.baseline.value !== 0 ? f.value / f.baseline.value : undefined;
  const pass = f.target ? (f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value) : undefined;
  return { ...f, ratio, pass };
}

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 1000, batch = 100): number {
  const warmEnd = performance.now() + Math.min(200, ms / 4);
  while (performance.now() < warmEnd) for (let i = 0; i < batch; i++) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/** Like opsPerSecond, measured on the clock and on this process's CPU time (user + system, all its threads:
 * the GC's included) over the same run, which lasts `ms` of CPU time after a warm-up of half as much (at
 * most 500 ms) so the JIT has settled. On a machine shared with other work the clock also counts the time
 * other processes held the cores; CPU time counts what the code itself costs. */
export function opsPerSecondWallAndCpu(fn: () => void, ms = 1000, batch = 100): { wall: number; cpu: number } {
  const cpuMsSince = (from: NodeJS.CpuUsage): number => {
    const u = process.cpuUsage(from);
    return (u.user + u.system) / 1000;
  };
  const warm0 = process.cpuUsage();
  while (cpuMsSince(warm0) < Math.min(500, ms / 2)) for (let i = 0; i < batch; i++) fn();
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let cpuMs = 0;
  while (cpuMs < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    cpuMs = cpuMsSince(cpu0);
  }
  const wallMs = performance.now() - start;
  return { wall: (ops * 1000) / wallMs, cpu: (ops * 1000) / cpuMs };
}

/** Times each call; returns the samples in milliseconds. */
export function sampleMs(fn: () => void, count: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    fn();
    out[i] = performance.now() - t0;
  }
  return out;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function median(samples: number[]): number { return percentile(samples, 50); }
