export { Ledger, LedgerOptions, AppendInfo, AppendObserver, RecordQuery, serializeRecord, UnwritableRecordError, QUARANTINE_FILE } from './ledger';
export { RecordQueue } from './recordQueue';
export { defaultLedgerDir, ledgerFileName, ledgerFileInfo, LedgerFile, LEDGER_FILE_RE } from './paths';
export { ReadStats, Batch, ReadOptions, emptyReadStats, addReadStats, unreadableLines, readBatches, parseLine } from './lineReader';
export { recordProblem, isUsageRecord, suggestedEstimateOf, LEDGER_SCHEMA_VERSION, MAX_RECORD_BYTES } from './validate';
