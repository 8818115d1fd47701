// OTLP export driven from the ledger. The ledger is the queue: a cursor per destination says how far
// each monthly file has been exported; each run reads from there in chunks of whole lines (one chunk
// = one batch of spans, so memory stays bounded), sends the batch, and commits the cursor and the
// cumulative metric sums only once the collector acknowledged it. Metrics (cumulative, so re-sending
// them never double-counts) follow after the spans of a run. A failed send stops the run where it is
// (the sender itself retries with back-off first); the next run resumes from the cursor. Nothing that
// was in the ledger is lost on a crash or shutdown, and a restart resends at most the one batch that
// was acknowledged but not yet committed — with the same span ids.
//
// Backfill (`rightsize export --otlp --since …`): records that were in the ledger before the cursor
// was made (below its floor) and not yet backfilled, with ts >= since; resumable like the rest.
import * as fs from 'fs';
import type { Ledger } from '../ledger/ledger';
import { emptyReadStats, readBatches } from '../ledger/lineReader';
import type { LedgerFile } from '../ledger/paths';
import type { UsageRecord } from '../types';
import { CursorState, ExportLock, acquireLock, loadCursor, newCursor, newInstanceId, saveCursor } from './exportCursor';
import { MetricState, SpanDescription, addToMetrics, recordToSpan } from './genaiMapping';
import { errorText } from '../errorText';

/** Resource attributes that come from the cursor: `service.instance.id` names the cumulative series. */
export interface ExportIdentity { 'service.instance.id': string }

export interface OtlpSender {
  /** Resolves once the collector accepted the spans; rejects (after its own retries) otherwise. */
  sendSpans(spans: SpanDescription[], identity: ExportIdentity): Promise<void>;
  sendMetrics(state: MetricState, nowMs: number, identity: ExportIdentity): Promise<void>;
  shutdown(): Promise<void>;
}

export interface ExportRun {
  exported: number;
  batches: number;
  /** True when every complete line in the ledger has been exported. */
  caughtUp: boolean;
  error?: string;
}

export interface ExporterOptions {
  /** Bytes read per batch (one batch of spans). Default 256 KiB (~350 typical records). */
  chunkBytes?: number;
  now?: () => number;
  log?: (message: string) => void;
}

export class BusyError extends Error {}

const identityOf = (s: CursorState): ExportIdentity => ({ 'service.instance.id': s.instanceId! });

export class LedgerExporter {
  private readonly chunkBytes: number;
  private readonly now: () => number;
  private readonly log: (m: string) => void;
  private lock: ExportLock | undefined;

  constructor(private readonly ledger: Ledger, private readonly destination: string, private readonly sender: OtlpSender, opts: ExporterOptions = {}) {
    this.chunkBytes = opts.chunkBytes ?? 256 * 1024;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => undefined);
  }

  /** Takes the destination's lock (once); throws BusyError when another process holds it. */
  private hold(): void {
    if (this.lock) return;
    const got = acquireLock(this.ledger, this.destination);
    if ('heldBy' in got) throw new BusyError(`export to this destination is already running (${got.heldBy})`);
    this.lock = got;
  }

  /** The cursor, made at the current end of the ledger when there is none. */
  state(): CursorState {
    const s = loadCursor(this.ledger, this.destination);
    if (s && !s.instanceId) {
      s.instanceId = newInstanceId(); // a cursor written before instance ids: its series get one from now on
      saveCursor(this.ledger, s);
    }
    if (s) return s;
    const fresh = newCursor(this.ledger, this.destination, this.now());
    saveCursor(this.ledger, fresh);
    this.log(`OTLP export starts with the records appended from now on (use \`rightsize export --otlp --since DATE\` to send older ones)`);
    return fresh;
  }

  /** Exports everything not yet exported (a pending backfill first), then the cumulative metrics. */
  async run(): Promise<ExportRun> {
    this.hold();
    const s = this.state();
    const out: ExportRun = { exported: 0, batches: 0, caughtUp: false };
    try {
      if (s.backfill) await this.backfillFiles(s, out);
      for (const f of this.ledger.files()) await this.followFile(s, f, out);
      out.caughtUp = true;
    } catch (e) {
      out.error = errorText(e);
    }
    if (out.batches > 0 || out.caughtUp) {
      try {
        await this.sender.sendMetrics(s.metrics, this.now(), identityOf(s));
      } catch (e) {
        out.error ??= `metrics: ${errorText(e)}`;
        out.caughtUp = false;
      }
    }
    return out;
  }

  /** Backfills records with ts >= sinceMs from before the cursor (finishing a pending backfill first), then runs. */
  async backfill(sinceMs: number): Promise<ExportRun> {
    sinceMs = Number.isFinite(sinceMs) ? Math.max(0, sinceMs) : 0; // "all": the cursor file is JSON, which has no -Infinity
    this.hold();
    let s = this.state();
    let pending: ExportRun | undefined;
    if (s.backfill) {
      this.log('a backfill was in progress: it is finished first');
      pending = await this.run();
      if (pending.error) return pending;
      s = this.state();
    }
    if (s.backfilledFrom !== null && sinceMs >= s.backfilledFrom) return this.sum(pending, await this.run());
    s.backfill = { sinceMs, untilMs: s.backfilledFrom, files: {} };
    saveCursor(this.ledger, s);
    return this.sum(pending, await this.run());
  }

  private sum(a: ExportRun | undefined, b: ExportRun): ExportRun {
    return a ? { ...b, exported: a.exported + b.exported, batches: a.batches + b.batches } : b;
  }

  async close(): Promise<void> {
    this.lock?.release();
    this.lock = undefined;
    await this.sender.shutdown();
  }

  /** Sends one batch and commits the cursor (with the metrics it adds). */
  private async commit(s: CursorState, records: UsageRecord[], move: () => void, out: ExportRun): Promise<void> {
    if (records.length > 0) await this.sender.sendSpans(records.map(recordToSpan), identityOf(s));
    for (const r of records) addToMetrics(s.metrics, r);
    move();
    s.exported += records.length;
    saveCursor(this.ledger, s);
    out.exported += records.length;
    out.batches++;
  }

  private async followFile(s: CursorState, f: LedgerFile, out: ExportRun): Promise<void> {
    const st = fs.statSync(f.path);
    let entry = s.files[f.name];
    if (entry && ((entry.ino && st.ino && entry.ino !== st.ino) || st.size < entry.offset)) {
      this.log(`${f.name} was replaced or shortened since it was exported; export continues from its end`);
      entry = { offset: st.size, ino: st.ino || 0 };
      s.files[f.name] = entry;
      saveCursor(this.ledger, s);
    }
    const from = entry?.offset ?? 0;
    if (from >= st.size) return;
    for await (const batch of readBatches(f.path, emptyReadStats(), { from, to: st.size, chunkBytes: this.chunkBytes })) {
      if (batch.tail) break; // an unterminated last line is exported once it is terminated
      await this.commit(s, batch.records, () => { s.files[f.name] = { offset: batch.endOffset, ino: st.ino || 0 }; }, out);
    }
  }

  private async backfillFiles(s: CursorState, out: ExportRun): Promise<void> {
    const b = s.backfill!;
    for (const f of this.ledger.files()) {
      const floor = s.floor[f.name] ?? 0;
      if (f.endMs <= b.sinceMs || (b.untilMs !== null && f.startMs >= b.untilMs)) continue;
      const from = b.files[f.name] ?? 0;
      if (from >= floor) continue;
      for await (const batch of readBatches(f.path, emptyReadStats(), { from, to: floor, chunkBytes: this.chunkBytes })) {
        if (batch.tail) break;
        const wanted = batch.records.filter((r) => { const ms = Date.parse(r.ts); return ms >= b.sinceMs && (b.untilMs === null || ms < b.untilMs); });
        await this.commit(s, wanted, () => { b.files[f.name] = batch.endOffset; }, out);
      }
    }
    s.backfilledFrom = b.sinceMs;
    s.backfill = null;
    saveCursor(this.ledger, s);
  }
}
