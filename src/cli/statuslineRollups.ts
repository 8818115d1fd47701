// The status line's totals from the rollups (the rollup store verifies them and scans what they do not
// cover, as for every report), and the status line's cache written from them (statuslineTotals.ts).
// Its own bundle in the shipped build (dist/cli-statusline-rollups.js), loaded only when the cache
// cannot answer, so a prompt that finds the cache current never compiles the rollup store.
import { Ledger } from '../core/ledger/ledger';
import { periodDays } from '../core/report/buildReport';
import { RollupStore } from '../core/report/rollupStore';
import { FileStamp, StatuslineTotals, periodLedgerFiles, stampFile, writeCache } from './statuslineTotals';

export async function totalsFromRollups(ledgerDir: string, now: Date, onWarning: (m: string) => void): Promise<StatuslineTotals> {
  // A status line only reads: no torn-line repair (a writer does it before its next append).
  const ledger = new Ledger(ledgerDir, { repairOnOpen: false, onWarning });
  const files = periodLedgerFiles(ledger.dir, now);
  const before = files.map((f) => stampFile(f));
  const present = files.filter((_, i) => before[i].size >= 0);
  const aggs = await new RollupStore(ledger, 'local').loadAll(present, periodDays(now), false, false);
  const totals = new StatuslineTotals();
  totals.add(aggs.map((a) => a.buckets), now);
  // Cached only when the files stayed as they were while the rollups were read, and end on a whole line
  // (the totals then cover each file exactly to its size).
  const after = files.map((f) => stampFile(f));
  const same = (a: FileStamp, b: FileStamp): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
  // (No file of the period yet: nothing to cache, and the ledger directory is not created for it.)
  if (present.length > 0 && before.every((b, i) => same(b, after[i]) && b.lastByteIsNewline)) {
    writeCache(ledger.dir, now, now.getTime(), before.map(({ lastByteIsNewline: _, ...s }) => s), totals);
  }
  return totals;
}
