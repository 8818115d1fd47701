// Export of the period the usage panel shows, as CSV or JSON. Pure; no `vscode` import.
// The panel exports the very UsageReport object it last sent to the webview, so the file's totals are
// the panel's totals.
//
// JSON: the UsageReport itself (JSON.stringify, 2-space indent). Numbers round-trip exactly.
//
// CSV (RFC 4180, comma-separated, CRLF line ends, header row first). One table; the `kind` column says
// what a row is:
//   kind=day            key = local date YYYY-MM-DD (one row per day of the report, in report order)
//   kind=model          key = model id; provider and location filled (one row per model)
//   kind=total          key = the period as an ISO 8601 interval "start/end"; the report's totals
//   kind=missedSavings  key empty; requests, wh, usd = what suggestions not followed would have saved
// Columns:
//   kind,key,provider,location,requests,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,
//   wh,wh_low,wh_high,usd,gco2e,local_requests,local_wh,cloud_wh,saved_wh,saved_usd
// Numbers are written at full precision (JavaScript's shortest round-trip form, `.` as the decimal
// separator, no thousands separators); a field that does not apply is empty. A text field that starts
// with = + - @ or a tab/CR is prefixed with ' so spreadsheets do not run it as a formula.
import type { Totals, UsageReport } from '../../core/types';
import type { ExportFormat } from './protocol';

export const CSV_COLUMNS = [
  'kind', 'key', 'provider', 'location', 'requests', 'input_tokens', 'cached_input_tokens', 'output_tokens',
  'reasoning_tokens', 'wh', 'wh_low', 'wh_high', 'usd', 'gco2e', 'local_requests', 'local_wh', 'cloud_wh',
  'saved_wh', 'saved_usd',
] as const;

export function exportReport(report: UsageReport, format: ExportFormat): string {
  return format === 'json' ? reportToJson(report) : reportToCsv(report);
}

export function reportToJson(report: UsageReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export function reportToCsv(report: UsageReport): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const d of report.days) lines.push(row('day', d.day, '', '', d));
  for (const m of report.models) lines.push(row('model', m.model, m.provider, m.location, m));
  lines.push(row('total', `${report.period.start}/${report.period.end}`, '', '', report.totals));
  const ms = report.missedSavings;
  const missed: string[] = new Array(CSV_COLUMNS.length).fill('');
  missed[0] = 'missedSavings';
  missed[CSV_COLUMNS.indexOf('requests')] = num(ms.requests);
  missed[CSV_COLUMNS.indexOf('wh')] = num(ms.wh);
  missed[CSV_COLUMNS.indexOf('usd')] = num(ms.usd);
  lines.push(missed.join(','));
  return lines.join('\r\n') + '\r\n';
}

/** Suggested file name: `rightsize-usage-<start>-to-<end>.<ext>` (dates of the period, local). */
export function exportFileName(report: UsageReport, format: ExportFormat): string {
  const day = (iso: string) => (/^\d{4}-\d{2}-\d{2}/.exec(iso)?.[0] ?? 'unknown');
  return `rightsize-usage-${day(report.period.start)}-to-${day(report.period.end)}.${format}`;
}

function row(kind: string, key: string, provider: string, location: string, t: Totals): string {
  return [
    kind, text(key), text(provider), text(location),
    num(t.requests), num(t.tokens.input), num(t.tokens.cachedInput), num(t.tokens.output), num(t.tokens.reasoning),
    num(t.wh), num(t.whLow), num(t.whHigh), num(t.usd), num(t.gco2e),
    num(t.localRequests), num(t.localWh), num(t.cloudWh), num(t.savedWh), num(t.savedUsd),
  ].join(',');
}

function num(n: number): string {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : '';
}

function text(s: string): string {
  let v = String(s);
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
