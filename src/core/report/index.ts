export { aggregate, ReportQuery, DEFAULT_TOP_N, queryRange } from './aggregate';
export { buildReport, periodTotals, BuildReportOptions, PeriodUsage } from './buildReport';
export { periodRange, calendarFor, dayKeysBetween, isDayAligned, zoneId, Calendar, PeriodKind, ReportTimeZone } from './calendar';
export { RollupStore, RollupOptions, FileAggregate, ROLLUP_FORMAT } from './rollupStore';
export { Buckets, compareTop, emptyTotals } from './buckets';
