// Writes usage records to the ledger. If the ledger cannot be written (disk full, permissions), the
// records are kept in memory and retried on the next append, so nothing is lost while the window
// lives; the user is told once.
import { Ledger } from '../core/ledger';
import { UsageRecord } from '../core/types';

const MAX_PENDING = 10_000;

export class RecordSink {
  private readonly pending: UsageRecord[] = [];
  private told = false;

  constructor(private readonly ledger: () => Ledger, private readonly onError: (message: string) => void) {}

  append(record: UsageRecord): void {
    this.pending.push(record);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    this.flush();
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  flush(): void {
    try {
      const ledger = this.ledger();
      while (this.pending.length) {
        ledger.append(this.pending[0]);
        this.pending.shift();
      }
      this.told = false;
    } catch (e) {
      if (!this.told) {
        this.told = true;
        this.onError(`cannot write the usage ledger (${e instanceof Error ? e.message : String(e)}); ${this.pending.length} record(s) kept in memory and retried with the next request.`);
      }
    }
  }

  dispose(): void {
    this.flush();
  }
}
