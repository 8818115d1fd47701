export { Ledger, LedgerOptions, RecordQuery, serializeRecord } from './ledger';
export { defaultLedgerDir, ledgerFileName, ledgerFileInfo, LedgerFile, LEDGER_FILE_RE } from './paths';
export { ReadStats, Batch, ReadOptions, emptyReadStats, addReadStats, unreadableLines, readBatches, parseLine } from './lineReader';
export { recordProblem, isUsageRecord, suggestedEstimateOf, LEDGER_SCHEMA_VERSION } from './validate';
