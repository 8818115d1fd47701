// The message protocol between the usage panel's webview and the extension. No `vscode` import: this
// file is shared by the extension (Node) and the webview script (browser bundle).
//
// The extension sends aggregated data only (a UsageReport, the session's Totals and the budget lines),
// never raw ledger records. Every message from the webview is untrusted input: `parseWebviewMessage`
// accepts only the known types with exactly the expected fields and returns a reason otherwise.
import type { BudgetLine, Totals, UsageReport } from '../../core/types';

export type PanelRange = 'week' | 'lastWeek' | 'last30Days';
export type PanelWorkspaceScope = 'this' | 'all';
export type ExportFormat = 'csv' | 'json';

export const PANEL_RANGES: readonly PanelRange[] = ['week', 'lastWeek', 'last30Days'];
export const PANEL_WORKSPACE_SCOPES: readonly PanelWorkspaceScope[] = ['this', 'all'];
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json'];

export interface PanelFilter { range: PanelRange; workspace: PanelWorkspaceScope }

export const DEFAULT_FILTER: PanelFilter = { range: 'week', workspace: 'this' };

/** Id of the inert JSON block that may carry the first state inside the HTML (panelHtml.ts). */
export const INITIAL_STATE_ELEMENT_ID = 'rightsize-initial-state';

/** A budget line with its linear end-of-period projection (see projection.ts). */
export type ProjectedBudgetLine = BudgetLine & { projected: number };

/** Everything the panel draws. */
export interface PanelState {
  session: Totals;
  report: UsageReport;
  budgets: ProjectedBudgetLine[];
  filter: PanelFilter;
  /** ISO 8601 time the state was computed. */
  updatedAt: string;
  workspaceName?: string;
  /** What routing learned in this workspace from the user's escalations (core/router/learning.ts). */
  learned?: LearnedRow[];
}

/** One learned floor, as the panel's “Learned here” section shows it. */
export interface LearnedRow {
  /** `tests need ≥ 9.6` */
  summary: string;
  /** The model whose answers were escalated (the floor lies just above it). */
  above: string;
  escalations: number;
  accepted: number;
  holdFor: number;
  /** ISO time it lapses if nothing happens. */
  lapses: string;
}

// -- webview -> extension ----------------------------------------------------------------------

export type WebviewMessage =
  /** The webview loaded; `filter` is the one it restored from its persisted state, if any. */
  | { type: 'ready'; filter?: PanelFilter }
  | { type: 'setFilter'; filter: PanelFilter }
  | { type: 'export'; format: ExportFormat }
  | { type: 'openSettings' }
  | { type: 'setBudget' }
  /** Reset what routing learned in this workspace. */
  | { type: 'resetLearned' };

// -- extension -> webview ----------------------------------------------------------------------

export type ExtensionMessage =
  | { type: 'state'; state: PanelState }
  | { type: 'error'; message: string };

/** What the webview persists with `setState` (and a serializer receives after a window reload). */
export interface PersistedWebviewState { filter: PanelFilter; stackBy?: 'model' | 'location' }

// -- validation --------------------------------------------------------------------------------

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) return `unexpected field "${k.slice(0, 40)}"`;
  return undefined;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[]): v is T {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v);
}

/** A filter with exactly `range` and `workspace`, each one of the known values. */
export function parseFilter(v: unknown): Parsed<PanelFilter> {
  if (!isPlainObject(v)) return { ok: false, reason: 'filter is not an object' };
  const extra = onlyKeys(v, ['range', 'workspace']);
  if (extra) return { ok: false, reason: `filter: ${extra}` };
  if (!oneOf(v.range, PANEL_RANGES)) return { ok: false, reason: 'filter.range is not one of ' + PANEL_RANGES.join('|') };
  if (!oneOf(v.workspace, PANEL_WORKSPACE_SCOPES)) return { ok: false, reason: 'filter.workspace is not one of this|all' };
  return { ok: true, value: { range: v.range, workspace: v.workspace } };
}

/** Validates a message from the webview. Unknown types, missing or extra fields are rejected with a
 *  short reason (safe to log: it never echoes values, only field names cut to 40 characters). */
export function parseWebviewMessage(raw: unknown): Parsed<WebviewMessage> {
  if (!isPlainObject(raw)) return { ok: false, reason: 'message is not an object' };
  const type = raw.type;
  if (typeof type !== 'string') return { ok: false, reason: 'message has no string "type"' };
  switch (type) {
    case 'ready': {
      const extra = onlyKeys(raw, ['type', 'filter']);
      if (extra) return { ok: false, reason: `ready: ${extra}` };
      if (raw.filter === undefined) return { ok: true, value: { type: 'ready' } };
      const f = parseFilter(raw.filter);
      return f.ok ? { ok: true, value: { type: 'ready', filter: f.value } } : { ok: false, reason: `ready: ${f.reason}` };
    }
    case 'setFilter': {
      const extra = onlyKeys(raw, ['type', 'filter']);
      if (extra) return { ok: false, reason: `setFilter: ${extra}` };
      const f = parseFilter(raw.filter);
      return f.ok ? { ok: true, value: { type: 'setFilter', filter: f.value } } : { ok: false, reason: `setFilter: ${f.reason}` };
    }
    case 'export': {
      const extra = onlyKeys(raw, ['type', 'format']);
      if (extra) return { ok: false, reason: `export: ${extra}` };
      if (!oneOf(raw.format, EXPORT_FORMATS)) return { ok: false, reason: 'export: format is not csv|json' };
      return { ok: true, value: { type: 'export', format: raw.format } };
    }
    case 'openSettings':
    case 'setBudget':
    case 'resetLearned': {
      const extra = onlyKeys(raw, ['type']);
      if (extra) return { ok: false, reason: `${type}: ${extra}` };
      return { ok: true, value: { type } };
    }
    default:
      return { ok: false, reason: `unknown message type "${type.slice(0, 40)}"` };
  }
}

/** The webview's persisted state, as a serializer receives it (untrusted: it came from the webview). */
export function parsePersistedState(raw: unknown): PersistedWebviewState | undefined {
  if (!isPlainObject(raw)) return undefined;
  const f = parseFilter(raw.filter);
  if (!f.ok) return undefined;
  const stackBy = raw.stackBy === 'model' || raw.stackBy === 'location' ? raw.stackBy : undefined;
  return stackBy ? { filter: f.value, stackBy } : { filter: f.value };
}

function isTotals(v: unknown): v is Totals {
  return isPlainObject(v) && typeof v.requests === 'number' && typeof v.wh === 'number' && typeof v.usd === 'number'
    && isPlainObject(v.tokens);
}

function isLearnedRow(v: unknown): v is LearnedRow {
  return isPlainObject(v) && typeof v.summary === 'string' && typeof v.above === 'string' && typeof v.escalations === 'number'
    && typeof v.accepted === 'number' && typeof v.holdFor === 'number' && typeof v.lapses === 'string';
}

/** Shape check of a message from the extension, used by the webview (defence in depth: a message
 *  event could come from elsewhere). Checks the structure the renderer relies on, not every number. */
export function parseExtensionMessage(raw: unknown): Parsed<ExtensionMessage> {
  if (!isPlainObject(raw)) return { ok: false, reason: 'message is not an object' };
  if (raw.type === 'error') {
    return typeof raw.message === 'string'
      ? { ok: true, value: { type: 'error', message: raw.message } }
      : { ok: false, reason: 'error: message is not a string' };
  }
  if (raw.type !== 'state') return { ok: false, reason: 'unknown message type' };
  const s = raw.state;
  if (!isPlainObject(s)) return { ok: false, reason: 'state is not an object' };
  if (!isTotals(s.session)) return { ok: false, reason: 'state.session is not Totals' };
  const r = s.report;
  if (!isPlainObject(r) || !isTotals(r.totals) || !Array.isArray(r.days) || !Array.isArray(r.models) || !Array.isArray(r.top)
    || !isPlainObject(r.period) || !isPlainObject(r.missedSavings)) return { ok: false, reason: 'state.report is not a UsageReport' };
  if (!Array.isArray(s.budgets)) return { ok: false, reason: 'state.budgets is not an array' };
  const f = parseFilter(s.filter);
  if (!f.ok) return { ok: false, reason: `state.${f.reason}` };
  if (typeof s.updatedAt !== 'string') return { ok: false, reason: 'state.updatedAt is not a string' };
  if (s.learned !== undefined && (!Array.isArray(s.learned) || !s.learned.every(isLearnedRow))) return { ok: false, reason: 'state.learned is not a list of learned floors' };
  return { ok: true, value: { type: 'state', state: s as unknown as PanelState } };
}
