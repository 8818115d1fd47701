export { aggregate, ReportQuery, DEFAULT_TOP_N, queryRange } from './aggregate';
export { buildReport, periodTotals, periodTotalsFrom, periodFiles, periodDays, loadRange, BuildReportOptions, PeriodUsage, RangeLoad, RangeRequest } from './buildReport';
export { periodRange, calendarFor, dayKeysBetween, isDayAligned, zoneId, Calendar, PeriodKind, ReportTimeZone } from './calendar';
export { RollupStore, RollupOptions, FileAggregate, RollupHeader, ROLLUP_FORMAT } from './rollupStore';
export { Buckets, compareTop } from './buckets';
export { emptyTotals, tabulate, knownWorkspaces, Table, TableRow, TableQuery, GroupBy, GROUP_BYS, Breakdown, weekKeyOf } from './assemble';
export { RollupWriter, RollupWriterOptions } from './rollupWriter';
