// An imported call becomes a usage record through the same meter as every other door (meter.ts:
// buildRecord -> estimate), so energy, money and carbon are Rightsize's own, whatever the source logged.
import { createHash } from 'crypto';
import type { Catalog } from '../catalog/catalog';
import type { EstimateSettings } from '../estimate';
import { buildRecord } from '../meter';
import type { Provider, UsageRecord, WorkspaceRef } from '../types';
import { resolveModel } from './modelResolver';
import type { ImportedUsage, ImportSource } from './types';
import { workspaceOfFolder } from './workspaceRef';

export const SOURCE_NAMES: Readonly<Record<ImportSource, string>> = {
  'claude-code': 'Claude Code',
  codex: 'Codex CLI',
  'copilot-otel': 'Copilot Chat',
};

/** Who serves each source's calls unless the source says otherwise, and what prices an unknown model. */
const SOURCE_DEFAULTS: Readonly<Record<ImportSource, { provider: Provider; fallback: string }>> = {
  'claude-code': { provider: 'anthropic', fallback: 'claude-sonnet-4-5' },
  codex: { provider: 'openai', fallback: 'gpt-5' },
  'copilot-otel': { provider: 'copilot', fallback: 'gpt-5-mini' },
};

export interface ImportRecordContext {
  catalog: Catalog;
  settings: EstimateSettings;
  /** Workspace for calls whose source names no folder. */
  fallbackWorkspace: WorkspaceRef;
}

/** A stable record id for an import key: re-importing the same call yields the same id. */
export function importRecordId(source: ImportSource, key: string): string {
  return `imp-${createHash('sha256').update(`${source}\u0000${key}`).digest('hex').slice(0, 24)}`;
}

/** The usage record of one imported call (`standIn`: the catalog model that priced an unknown one). */
export function importRecord(u: ImportedUsage, ctx: ImportRecordContext): { record: UsageRecord; standIn?: string } {
  const defaults = SOURCE_DEFAULTS[u.source];
  const { spec, standIn } = resolveModel(ctx.catalog, u.model, u.provider ?? defaults.provider, defaults.fallback);
  const name = SOURCE_NAMES[u.source];
  const reason = standIn ? `imported from ${name} (priced as ${standIn}: ${u.model} is not in the catalog)` : `imported from ${name}`;
  const workspace = workspaceOfFolder(u.folder, ctx.fallbackWorkspace);
  const record = buildRecord({
    id: importRecordId(u.source, u.key),
    now: new Date(u.endMs),
    request: { id: u.key, messages: [], surface: 'import', workspace, session: u.session ? `${u.source}:${u.session}` : u.source },
    task: 'agentic',
    mode: 'manual',
    reason,
    model: spec,
    usage: { tokens: u.tokens, source: 'reported', durationMs: u.durationMs ?? 0, ttftMs: u.ttftMs },
    countedInputTokens: 0,
    outcome: 'ok',
    settings: ctx.settings,
  });
  record.import = { source: u.source, key: u.key };
  return { record, standIn };
}
