// Imports: usage Rightsize did not route — Claude Code's and Codex CLI's session logs, Copilot Chat's
// OpenTelemetry (JSON-lines file, or the OTLP/HTTP receiver) — metered into the same ledger.
import { Catalog } from '../catalog/catalog';
import type { EstimateSettings } from '../estimate';
import type { Ledger } from '../ledger';
import type { UsageRecord, WorkspaceRef } from '../types';
import { defaultLogRoots, FORMATS } from './formats';
import { importLogs, ImportProgress, importStateDir, ImportSummary } from './logImporter';
import { RightsizeCopilotCalls } from './rightsizeCalls';
import type { ImportSource } from './types';

export { IMPORT_SOURCES } from './types';
export type { ImportSource, ImportedUsage } from './types';
export type { ImportSummary, ImportProgress } from './logImporter';
export { importStateDir } from './logImporter';
export { defaultLogRoots } from './formats';
export { SOURCE_NAMES } from './importRecord';
export { RightsizeCopilotCalls } from './rightsizeCalls';

/** What people type (`rightsize import claude`) -> the source. */
export const SOURCE_ALIASES: Readonly<Record<string, ImportSource>> = {
  claude: 'claude-code', 'claude-code': 'claude-code', codex: 'codex', copilot: 'copilot-otel', 'copilot-otel': 'copilot-otel',
};

export interface RunImportOptions {
  source: ImportSource;
  /** Log folders or files; empty: the source's default locations. */
  roots?: readonly string[];
  ledger: Ledger;
  settings: EstimateSettings;
  env: NodeJS.ProcessEnv;
  home?: string;
  catalog?: Catalog;
  fallbackWorkspace?: WorkspaceRef;
  signal?: AbortSignal;
  onProgress?(p: ImportProgress): void;
  onRecords?(records: readonly UsageRecord[]): void;
}

export const IMPORT_WORKSPACE: WorkspaceRef = { id: 'import', name: 'Imported (no folder)' };

/** One on-demand import of a source's logs into the ledger (incremental and idempotent). */
export async function runImport(o: RunImportOptions): Promise<ImportSummary & { roots: string[] }> {
  const roots = o.roots?.length ? [...o.roots] : defaultLogRoots(o.source, o.env, o.home);
  // Copilot's export also holds the Copilot calls Rightsize made itself: skipped by matching the ledger.
  const own = o.source === 'copilot-otel' ? await RightsizeCopilotCalls.fromLedger(o.ledger) : undefined;
  const summary = await importLogs(FORMATS[o.source], {
    roots,
    ledger: o.ledger,
    stateDir: importStateDir(o.ledger.dir),
    ctx: { catalog: o.catalog ?? Catalog.builtIn(), settings: o.settings, fallbackWorkspace: o.fallbackWorkspace ?? IMPORT_WORKSPACE },
    recordedByRightsize: own ? (u) => own.has(u) : undefined,
    signal: o.signal,
    onProgress: o.onProgress,
    onRecords: o.onRecords,
  });
  return { ...summary, roots };
}
