// The window's record sink is the core's RecordQueue (src/core/ledger/recordQueue.ts): records are never
// lost while the window lives, and a record the ledger refuses is quarantined instead of blocking the rest.
export { RecordQueue as RecordSink } from '../core/ledger/recordQueue';
