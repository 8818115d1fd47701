// The three log formats the importer reads (logImporter.ts), and where each assistant keeps its logs.
import { CLAUDE_MARKERS, claudeProjectDirs, claudeUsageOfLine, ClaudeFileState, newClaudeFileState } from './claudeCode';
import { CODEX_MARKERS, codexSessionsDir, codexUsageOfLine, CodexFileState } from './codex';
import { COPILOT_FILE_MARKERS, copilotUsageOf, itemOfSdkJson } from './copilotOtel';
import type { LogFormat } from './logImporter';
import type { ImportSource } from './types';

export const claudeFormat: LogFormat<ClaudeFileState> = {
  source: 'claude-code',
  markers: CLAUDE_MARKERS,
  newState: () => newClaudeFileState(),
  usageOf: claudeUsageOfLine,
};

export const codexFormat: LogFormat<CodexFileState> = {
  source: 'codex',
  markers: CODEX_MARKERS,
  newState: (saved) => (typeof saved === 'object' && saved !== null ? { ...(saved as CodexFileState) } : {}),
  saveState: (s) => ({ ...s }),
  usageOf: codexUsageOfLine,
};

/** Copilot Chat's JSON-lines file exporter (`github.copilot.chat.otel.outfile`). */
export const copilotFileFormat: LogFormat<undefined> = {
  source: 'copilot-otel',
  markers: COPILOT_FILE_MARKERS,
  newState: () => undefined,
  usageOf: (text) => {
    let o: unknown;
    try { o = JSON.parse(text); } catch { return undefined; }
    const item = itemOfSdkJson(o);
    return item ? copilotUsageOf(item) : undefined;
  },
};

export const FORMATS: Readonly<Record<ImportSource, LogFormat<any>>> = {
  'claude-code': claudeFormat,
  codex: codexFormat,
  'copilot-otel': copilotFileFormat,
};

/** Where a source's logs are by default (`copilot-otel` has none: Copilot writes where its setting says). */
export function defaultLogRoots(source: ImportSource, env: NodeJS.ProcessEnv, home?: string): string[] {
  if (source === 'claude-code') return claudeProjectDirs(env, home);
  if (source === 'codex') return [codexSessionsDir(env, home)];
  return env.COPILOT_OTEL_FILE_EXPORTER_PATH ? [env.COPILOT_OTEL_FILE_EXPORTER_PATH] : [];
}
