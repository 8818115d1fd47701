// Writes usage records to the ledger without losing any and without one record holding up the rest.
//  - A write that fails (disk full, permissions): the record stays queued, in order, and the queue is
//    retried with the next append (the window keeps it while it lives); the user is told once per outage.
//  - A record the ledger refuses for what it is (UnwritableRecordError: a non-finite number, too large):
//    retrying cannot help, so it is set aside in the quarantine file with the reason, the user is told
//    where, and the queue moves on. (Before, such a record stayed at the head forever and every later
//    record of the window waited behind it.)
import { Ledger, UnwritableRecordError } from './ledger';
import type { UsageRecord } from '../types';
import { errorText } from '../errorText';

const MAX_PENDING = 10_000;

export class RecordQueue {
  private readonly pending: UsageRecord[] = [];
  private told = false;
  /** Records set aside in the quarantine file by this queue. */
  quarantined = 0;

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
        const record = this.pending[0];
        try {
          ledger.append(record);
        } catch (e) {
          if (!(e instanceof UnwritableRecordError)) throw e;
          const file = ledger.quarantine(record, e.reason);
          this.quarantined++;
          this.onError(`a usage record could not be written to the ledger (${e.reason}); it was set aside in ${file}, and later records are written as usual.`);
        }
        this.pending.shift();
      }
      this.told = false;
    } catch (e) {
      if (!this.told) {
        this.told = true;
        this.onError(`cannot write the usage ledger (${errorText(e)}); ${this.pending.length} record(s) kept in memory and retried with the next request.`);
      }
    }
  }

  dispose(): void {
    this.flush();
  }
}
