// What the OTLP receiver does with Copilot's spans: each `chat` span with usage becomes a record (once:
// keys shared with the file import), unless Rightsize made that call itself. Log events are not used
// here: the same call's span carries more (cache reads and writes, timing) under the same response id.
import type { UsageRecord } from '../types';
import { copilotUsageOf, TelemetryItem } from './copilotOtel';
import { ImportRecordContext, importRecord } from './importRecord';
import { ImportState } from './importState';
import type { RightsizeCopilotCalls } from './rightsizeCalls';
import type { OtlpSignal } from './otlpProtobuf';

export interface ReceivedCounts { records: number; duplicates: number; skipped: Record<string, number> }

export class CopilotReceiverSink {
  private readonly state: ImportState;
  readonly counts: ReceivedCounts = { records: 0, duplicates: 0, skipped: {} };

  constructor(stateDir: string, private readonly ctx: ImportRecordContext, private readonly append: (records: UsageRecord[]) => void,
    private readonly own?: RightsizeCopilotCalls) {
    this.state = ImportState.load(stateDir, 'copilot-otel');
  }

  /** Handles one request's items; returns the records written. */
  accept(items: readonly TelemetryItem[], signal: OtlpSignal): UsageRecord[] {
    if (signal !== 'traces') return [];
    const records: UsageRecord[] = [];
    for (const item of items) {
      const u = copilotUsageOf(item);
      if (u === undefined) continue;
      if (typeof u === 'string' || this.own?.has(u)) {
        const why = typeof u === 'string' ? u : 'rightsize';
        this.counts.skipped[why] = (this.counts.skipped[why] ?? 0) + 1;
      } else if (this.state.seen(u.key)) {
        this.counts.duplicates++;
      } else {
        records.push(importRecord(u, this.ctx).record);
      }
    }
    if (records.length) {
      this.append(records);
      this.state.saveKeys();
      this.counts.records += records.length;
    }
    return records;
  }
}
