// The usage panel's HTML: a static skeleton (toolbar with native controls, status line, content
// region) that media/panel.js fills in. Pure, no `vscode` import: used by the VS Code panel and by the
// browser test.
//
// Security: strict CSP with a per-load nonce; no inline style, no inline executable script, no remote
// URL. The optional initial state travels as an inert <script type="application/json"> block (never
// executed, so CSP does not apply to it) with every `<` escaped, so data cannot close the element.
import { randomBytes } from 'node:crypto';
import { INITIAL_STATE_ELEMENT_ID, type PanelState } from './protocol';

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin allowed to serve the style sheet, images and fonts. */
  cspSource: string;
  /** Base64 nonce for the one script tag (see `makeNonce`). */
  nonce: string;
  /** `webview.asWebviewUri(media/panel.js)`. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/panel.css)`. */
  styleUri: string;
  initialState?: PanelState;
}

export { INITIAL_STATE_ELEMENT_ID };

/** 128 random bits, base64. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * `webview.cspSource` is one or more CSP source expressions: a host source on desktop
 * (`https://*.vscode-cdn.net`), `'self' https://…` in the browser. Each must be a plain source
 * expression: no `;`, quotes other than around `self`, no `unsafe-*` keywords, nothing that could end
 * the directive or the attribute.
 */
export function isCspSourceList(value: string): boolean {
  const tokens = value.trim().split(/\s+/);
  return value.trim().length > 0 && tokens.every((t) => t === "'self'" || /^[a-z][a-z0-9+.-]*:(\/\/[^\s;'"<>,]*)?$/i.test(t) || /^(\*\.)?[a-z0-9.-]+(:\d+)?$/i.test(t));
}

export function renderPanelHtml(opts: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/]{16,}={0,2}$/.test(opts.nonce)) throw new Error('renderPanelHtml: the nonce must be base64 of at least 12 bytes');
  if (!isCspSourceList(opts.cspSource)) throw new Error('renderPanelHtml: invalid cspSource');
  const csp = contentSecurityPolicy(opts.cspSource, opts.nonce);
  const initial = opts.initialState === undefined ? '' :
    `\n  <script type="application/json" id="${INITIAL_STATE_ELEMENT_ID}">${jsonForHtml(opts.initialState)}</script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(opts.styleUri)}">
  <title>Rightsize usage</title>
</head>
<body>
  <header class="toolbar">
    <div class="title">
      <h1>Rightsize usage</h1>
      <p id="workspace-name" class="muted"></p>
    </div>
    <div class="controls" role="group" aria-label="Filter and export">
      <label class="control">Period
        <select id="range">
          <option value="week">This week</option>
          <option value="lastWeek">Last week</option>
          <option value="last30Days">Last 30 days</option>
        </select>
      </label>
      <label class="control">Workspaces
        <select id="workspace">
          <option value="this">This workspace</option>
          <option value="all">All workspaces</option>
        </select>
      </label>
      <button type="button" id="export-csv" class="secondary" title="Save the shown period as CSV">Export CSV</button>
      <button type="button" id="export-json" class="secondary" title="Save the shown period as JSON">Export JSON</button>
    </div>
  </header>
  <p id="status" class="muted status" role="status" aria-live="polite">Loading usage…</p>
  <div id="error" class="error-banner" role="alert" hidden>
    <p><strong>Rightsize could not load usage.</strong> <span id="error-message"></span></p>
    <button type="button" id="retry">Retry</button>
  </div>
  <main id="content" aria-busy="true"></main>${initial}
  <script nonce="${attr(opts.nonce)}" src="${attr(opts.scriptUri)}"></script>
</body>
</html>
`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** JSON safe inside a raw-text <script> element: `<`, U+2028 and U+2029 escaped. */
function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
