// Full scans of several ledger files on worker threads (scanWorker.ts), largest file first, one
// worker per core (at most 4). Used when a report must build rollups for more than a few megabytes;
// anything that fails in a worker is scanned again on the caller's thread.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ReadStats } from '../ledger/lineReader';
import { decodeBuckets } from './rollupCodec';
import type { ReportTimeZone } from './calendar';
import { FileScan, scanFile } from './fileScan';
import { errorText } from '../errorText';

export interface ScanJob { id: number; path: string; zone: ReportTimeZone; zoneKey: string; topK: number; to: number }
export type ScanReply =
  | { id: number; ok: true; buckets: Uint8Array; transient?: Uint8Array; transientRecords: number; stats: ReadStats; endOffset: number; sha1: string }
  | { id: number; ok: false; error: string };

/** A full scan of [0, to) with the SHA-1 of the bytes it covers ([0, endOffset)). */
export interface HashedScan extends FileScan { sha1: string }

export interface FileToScan { path: string; to: number }

/** Worker script beside this module (tsc output) or beside the bundle (dist/scanWorker.js). */
const WORKER_FILE = path.join(__dirname, 'scanWorker.js');
const MAX_THREADS = 4;

/** How many threads to use for `files` (1 = scan inline). RIGHTSIZE_SCAN_THREADS overrides. */
export function scanThreads(files: FileToScan[], minBytes: number): number {
  const env = Number(process.env.RIGHTSIZE_SCAN_THREADS);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const wanted = Number.isInteger(env) && env >= 0 ? env : Math.min(MAX_THREADS, cores);
  const bytes = files.reduce((a, f) => a + f.to, 0);
  if (files.length < 2 || bytes < minBytes || wanted < 2 || !fs.existsSync(WORKER_FILE)) return 1;
  return Math.min(wanted, files.length);
}

export async function scanInline(file: FileToScan, zone: ReportTimeZone, topK: number): Promise<HashedScan> {
  const hash = createHash('sha1');
  const scan = await scanFile(file.path, { zone, topK, to: file.to, hash });
  return { ...scan, sha1: hash.digest('hex') };
}

/** Scans every file (on `threads` workers when > 1); results in the order of `files`. */
export async function scanAll(files: FileToScan[], zone: ReportTimeZone, zoneKey: string, topK: number, threads: number, onWarning: (m: string) => void): Promise<HashedScan[]> {
  const out = new Array<HashedScan | undefined>(files.length);
  if (threads > 1) await scanOnWorkers(files, zone, zoneKey, topK, threads, out, onWarning);
  for (let i = 0; i < files.length; i++) out[i] ??= await scanInline(files[i], zone, topK);
  return out as HashedScan[];
}

async function scanOnWorkers(files: FileToScan[], zone: ReportTimeZone, zoneKey: string, topK: number, threads: number, out: Array<HashedScan | undefined>, onWarning: (m: string) => void): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require('worker_threads') as typeof import('worker_threads');
  const order = files.map((f, i) => i).sort((a, b) => files[b].to - files[a].to);
  let next = 0;
  let warned = false;
  const runOne = (worker: import('worker_threads').Worker): Promise<void> => new Promise((resolve) => {
    const take = (): void => {
      if (next >= order.length) { resolve(); return; }
      const id = order[next++];
      worker.postMessage({ id, path: files[id].path, zone, zoneKey, topK, to: files[id].to } satisfies ScanJob);
    };
    worker.on('message', (r: ScanReply) => {
      if (r.ok) {
        out[r.id] = { buckets: decodeBuckets(r.buckets), transient: r.transient ? decodeBuckets(r.transient) : undefined, transientRecords: r.transientRecords, stats: r.stats, endOffset: r.endOffset, sha1: r.sha1 };
      } else if (!warned) {
        warned = true;
        onWarning(`a scan worker failed (${r.error}); scanning on the main thread`);
      }
      take();
    });
    worker.on('error', (e) => {
      if (!warned) { warned = true; onWarning(`a scan worker stopped (${e.message}); scanning on the main thread`); }
      resolve();
    });
    take();
  });
  const workers: import('worker_threads').Worker[] = [];
  try {
    for (let i = 0; i < threads; i++) workers.push(new Worker(WORKER_FILE));
    await Promise.all(workers.map(runOne));
  } catch (e) {
    onWarning(`could not start scan workers (${errorText(e)}); scanning on the main thread`);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
