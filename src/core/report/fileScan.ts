// One monthly ledger file (or a byte range of it) into Buckets, for one time zone. Used by rollup
// builds on the main thread and in scan workers (scanWorker.ts), so both produce the same sums.
//  - complete ('\n'-terminated) lines go into `buckets` and move `endOffset` on;
//  - a complete record on an unterminated last line goes into `transient`: it counts in this report
//    but is not covered by a rollup until a writer terminates it.
import type { Hash } from 'crypto';
import { ReadStats, emptyReadStats, readBatches } from '../ledger/lineReader';
import { Buckets } from './buckets';
import { ReportTimeZone, calendarFor, dayKeyer } from './calendar';

export interface FileScan {
  buckets: Buckets;
  transient?: Buckets;
  /** Records in `transient` (also counted in stats.records and stats.lines). */
  transientRecords: number;
  stats: ReadStats;
  /** File offset after the last complete line read (`from` when none). */
  endOffset: number;
}

export interface FileScanOptions {
  zone: ReportTimeZone;
  topK: number;
  from?: number;
  to?: number;
  /** Continued with the bytes of every complete line read. */
  hash?: Hash;
  /** Add into these buckets instead of new ones. */
  into?: Buckets;
  /** Read only the fields aggregation needs (ledger/recordProjection.ts). Default true. */
  project?: boolean;
}

export async function scanFile(file: string, opts: FileScanOptions): Promise<FileScan> {
  const keyOf = dayKeyer(calendarFor(opts.zone));
  const buckets = opts.into ?? new Buckets(opts.topK);
  const stats = emptyReadStats();
  let transient: Buckets | undefined;
  let transientRecords = 0;
  let endOffset = opts.from ?? 0;
  for await (const batch of readBatches(file, stats, { from: opts.from, to: opts.to, hash: opts.hash, project: opts.project ?? true })) {
    const target = batch.tail ? (transient ??= new Buckets(opts.topK)) : buckets;
    for (const rec of batch.records) {
      const ms = Date.parse(rec.ts);
      target.add(rec, keyOf(ms), ms);
    }
    if (batch.tail) transientRecords += batch.records.length;
    else endOffset = batch.endOffset;
  }
  return { buckets, transient, transientRecords, stats, endOffset };
}
