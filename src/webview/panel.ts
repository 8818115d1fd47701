// The usage panel's webview script (bundled by esbuild to media/panel.js). Renders the PanelState the
// extension sends; posts validated, typed messages back. Persists the filter and stacking with
// vscode.setState, so a hidden/reloaded panel comes back as it was.
import {
  DEFAULT_FILTER, INITIAL_STATE_ELEMENT_ID, parseExtensionMessage, parsePersistedState,
  type PanelFilter, type PanelState, type PersistedWebviewState, type WebviewMessage,
} from '../vscode/usagePanel/protocol';
import { fmtClock } from './format';
import { renderState, type UiState } from './render';
import type { StackBy } from './series';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const scriptStart = performance.now();
const vscode = acquireVsCodeApi();
const persisted = parsePersistedState(vscode.getState());
let filter: PanelFilter = persisted?.filter ?? DEFAULT_FILTER;
/** A filter the user picked whose state has not arrived yet. */
let pendingFilter: PanelFilter | undefined;
let current: PanelState | undefined;
let redrawChart: ((width: number) => void) | undefined;
let renders = 0;
/** The width the chart was last drawn at. */
let lastWidth = -1;
const ui: UiState = { stackBy: persisted?.stackBy ?? 'model', open: new Set() };

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const content = el<HTMLElement>('content');
const status = el<HTMLElement>('status');
const errorBanner = el<HTMLElement>('error');
const errorMessage = el<HTMLElement>('error-message');
const rangeSelect = el<HTMLSelectElement>('range');
const workspaceSelect = el<HTMLSelectElement>('workspace');
const workspaceName = el<HTMLElement>('workspace-name');

function post(msg: WebviewMessage): void { vscode.postMessage(msg); }

function persist(): void {
  const s: PersistedWebviewState = { filter, stackBy: ui.stackBy };
  vscode.setState(s);
}

function syncControls(): void {
  rangeSelect.value = filter.range;
  workspaceSelect.value = filter.workspace;
}

function sameFilter(a: PanelFilter, b: PanelFilter): boolean {
  return a.range === b.range && a.workspace === b.workspace;
}

function setStackBy(stackBy: StackBy): void {
  ui.stackBy = stackBy;
  persist();
  if (current) render(current, 'rightsize:render');
  document.getElementById('stack-by')?.focus();
}

function render(state: PanelState, measure: string, since?: number): void {
  const focusedId = document.activeElement instanceof HTMLElement && content.contains(document.activeElement) ? document.activeElement.id : '';
  const t0 = since ?? performance.now();
  const chart = renderState(content, state, { post, ui, setStackBy });
  redrawChart = chart?.redraw;
  lastWidth = chart?.width ?? -1;
  const t1 = performance.now();
  performance.measure(measure, { start: t0, end: t1 });
  content.dataset.renderMs = (t1 - t0).toFixed(1);
  content.dataset.renders = String(++renders);
  content.setAttribute('aria-busy', 'false');
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function applyState(state: PanelState, measure: string, since?: number): void {
  if (pendingFilter && !sameFilter(state.filter, pendingFilter)) return; // a newer state is on its way
  pendingFilter = undefined;
  current = state;
  filter = state.filter;
  syncControls();
  persist();
  errorBanner.hidden = true;
  workspaceName.textContent = state.filter.workspace === 'all' ? 'All workspaces' : state.workspaceName ? `Workspace: ${state.workspaceName}` : '';
  status.textContent = `Updated ${fmtClock(state.updatedAt)}`;
  render(state, measure, since);
}

function showError(message: string): void {
  pendingFilter = undefined;
  errorMessage.textContent = message;
  errorBanner.hidden = false;
  content.setAttribute('aria-busy', 'false');
  status.textContent = current ? `Showing data from ${fmtClock(current.updatedAt)}` : '';
}

function requestFilter(next: PanelFilter): void {
  filter = next;
  pendingFilter = next;
  persist();
  content.setAttribute('aria-busy', 'true');
  status.textContent = 'Loading usage…';
  post({ type: 'setFilter', filter: next });
}

rangeSelect.addEventListener('change', () => {
  const range = rangeSelect.value === 'lastWeek' || rangeSelect.value === 'last30Days' ? rangeSelect.value : 'week';
  requestFilter({ range, workspace: filter.workspace });
});
workspaceSelect.addEventListener('change', () => {
  requestFilter({ range: filter.range, workspace: workspaceSelect.value === 'all' ? 'all' : 'this' });
});
el<HTMLButtonElement>('export-csv').addEventListener('click', () => post({ type: 'export', format: 'csv' }));
el<HTMLButtonElement>('export-json').addEventListener('click', () => post({ type: 'export', format: 'json' }));
el<HTMLButtonElement>('retry').addEventListener('click', () => {
  status.textContent = 'Loading usage…';
  content.setAttribute('aria-busy', 'true');
  post({ type: 'ready', filter });
});

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseExtensionMessage(event.data);
  if (!parsed.ok) { console.warn(`Rightsize panel: ignored a message (${parsed.reason})`); return; }
  const msg = parsed.value;
  if (msg.type === 'error') showError(msg.message);
  else applyState(msg.state, 'rightsize:render');
});

// Redraw the chart at the new width when the panel is resized (one redraw per frame at most).
let resizeFrame = 0;
new ResizeObserver(() => {
  if (resizeFrame) return;
  resizeFrame = requestAnimationFrame(() => {
    resizeFrame = 0;
    const host = document.getElementById('daily-chart');
    if (!host || !redrawChart) return;
    const w = host.clientWidth;
    if (Math.abs(w - lastWidth) < 2) return;
    lastWidth = w;
    redrawChart(w);
  });
}).observe(content);

// First render: from the state embedded in the HTML when there is one, then ask the extension for
// fresh state under the persisted filter.
syncControls();
const initial = document.getElementById(INITIAL_STATE_ELEMENT_ID);
if (initial?.textContent) {
  try {
    const parsed = parseExtensionMessage({ type: 'state', state: JSON.parse(initial.textContent) });
    if (parsed.ok && parsed.value.type === 'state') applyState(parsed.value.state, 'rightsize:first-render', scriptStart);
    else console.warn(`Rightsize panel: ignored the initial state (${parsed.ok ? 'not a state' : parsed.reason})`);
  } catch (e) {
    console.warn(`Rightsize panel: the initial state is not valid JSON (${(e as Error).message})`);
  }
}
post({ type: 'ready', filter });
