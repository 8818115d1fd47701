// One line about an import, for the CLI and VS Code's notification.
import { formatBytes, formatDurationMs } from '../format';
import { SOURCE_NAMES } from './importRecord';
import type { ImportSummary } from './logImporter';

const SKIP_REASONS: Readonly<Record<string, string>> = {
  rightsize: 'already recorded by Rightsize',
  aggregate: 'turn totals (their calls are counted one by one)',
  'not-copilot': "other extensions' models",
};

export function describeImport(s: ImportSummary): string {
  const name = SOURCE_NAMES[s.source];
  if (s.busy) return `${name}: another import is running; try again in a moment.`;
  if (s.files === 0) return `${name}: no log files found.`;
  const parts = [`${s.records} new record${s.records === 1 ? '' : 's'}`];
  parts.push(s.changedFiles === 0 ? `no change in ${s.files} file${s.files === 1 ? '' : 's'}` : `${formatBytes(s.bytesRead)} read from ${s.changedFiles} of ${s.files} files`);
  if (s.duplicates) parts.push(`${s.duplicates} already imported`);
  for (const [why, n] of Object.entries(s.skipped)) parts.push(`${n} skipped: ${SKIP_REASONS[why] ?? why}`);
  const standIns = Object.entries(s.standIns);
  if (standIns.length) parts.push(`priced as a stand-in: ${standIns.map(([m, by]) => `${m} as ${by}`).join(', ')}`);
  return `${name}: ${parts.join('; ')} (${formatDurationMs(s.ms)})${s.cancelled ? ' — cancelled; the rest is imported next time' : ''}.`;
}
