// The usage panel in VS Code: a thin binding of PanelController to a WebviewPanel.
// Security: scripts enabled only for our nonce'd bundle (CSP in panelHtml.ts), local resources only
// from media/, command URIs and forms off, every message from the webview validated by the controller.
import * as vscode from 'vscode';
import { saveExport } from './saveExport';
import { PanelController, type PanelDataSource, type PanelHost } from './panelController';
import { makeNonce, renderPanelHtml } from './panelHtml';
import { DEFAULT_FILTER, parsePersistedState, type PanelFilter } from './protocol';

export type { PanelDataSource } from './panelController';
export { exportReport } from './exportReport';
export { projectBudgetLines } from './projection';
export type { PanelFilter, PanelState } from './protocol';

const TITLE = 'Rightsize Usage';

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableForms: false,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media')],
    retainContextWhenHidden: false,
  };
}

export class UsagePanel {
  static readonly viewType = 'rightsize.usage';
  private static instance: UsagePanel | undefined;
  /** Where the panel logs ignored messages and failures (default: console, i.e. the extension host log). */
  static log: (message: string) => void = (m) => console.warn(`[rightsize] ${m}`);

  private readonly controller: PanelController;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  static createOrShow(context: vscode.ExtensionContext, data: PanelDataSource): UsagePanel {
    const existing = UsagePanel.instance;
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(UsagePanel.viewType, TITLE, vscode.ViewColumn.Active, webviewOptions(context));
    return new UsagePanel(panel, context, data, DEFAULT_FILTER);
  }

  /** Restores the panel after a window reload, with the filter the webview persisted. Needs the
   *  activation event `onWebviewPanel:rightsize.usage` in package.json. */
  static registerSerializer(context: vscode.ExtensionContext, data: PanelDataSource): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(UsagePanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        panel.webview.options = webviewOptions(context);
        const filter = parsePersistedState(state)?.filter ?? DEFAULT_FILTER;
        if (UsagePanel.instance) UsagePanel.instance.dispose();
        new UsagePanel(panel, context, data, filter);
      },
    });
  }

  static current(): UsagePanel | undefined {
    return UsagePanel.instance;
  }

  private constructor(private readonly panel: vscode.WebviewPanel, context: vscode.ExtensionContext, data: PanelDataSource, filter: PanelFilter) {
    UsagePanel.instance = this;
    const webview = panel.webview;
    const host: PanelHost = {
      postMessage: (msg) => webview.postMessage(msg),
      isVisible: () => panel.visible,
      saveExport,
      executeCommand: (command, ...args) => vscode.commands.executeCommand(command, ...args),
      log: (m) => UsagePanel.log(m),
      showError: (m) => { void vscode.window.showErrorMessage(m); },
    };
    this.controller = new PanelController(host, data, filter);
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => { void this.controller.handleMessage(m); }),
      data.onDidChange(() => this.controller.scheduleRefresh()),
      panel.onDidChangeViewState((e) => { if (e.webviewPanel.visible) this.controller.onVisible(); }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The filter the panel shows now. */
  get filter(): PanelFilter { return this.controller.filter; }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (UsagePanel.instance === this) UsagePanel.instance = undefined;
    this.controller.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
