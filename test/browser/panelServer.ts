// A tiny loopback server for the usage panel's browser test: serves the panel HTML (from the real
// renderPanelHtml), the webview bundle (built from src/webview by esbuild, in memory), media/panel.css
// and the theme fixtures. Records every request, so the test can assert nothing else was fetched.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'rightsize') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found above ' + __dirname);
    dir = up;
  }
}

/** Builds src/webview/panel.ts exactly as esbuild.js does (iife, browser, es2022), without writing. */
export async function buildPanelBundle(root: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'src/webview/panel.ts')],
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', write: false, logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

export class PanelServer {
  readonly requests: string[] = [];
  private readonly pages = new Map<string, string>();
  private server: http.Server | undefined;
  origin = '';

  constructor(private readonly root: string, private readonly bundle: string) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Publishes a page; returns its URL. */
  page(id: string, html: string): string {
    this.pages.set(id, html);
    return `${this.origin}/page/${id}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    this.requests.push(url);
    const send = (type: string, body: string) => { res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }); res.end(body); };
    if (url.startsWith('/page/')) {
      const html = this.pages.get(url.slice('/page/'.length));
      if (html !== undefined) return send('text/html; charset=utf-8', html);
    } else if (url === '/media/panel.js') {
      return send('text/javascript; charset=utf-8', this.bundle);
    } else if (url === '/media/panel.css') {
      return send('text/css; charset=utf-8', fs.readFileSync(path.join(this.root, 'media/panel.css'), 'utf8'));
    } else {
      const m = /^\/fixtures\/(theme-(?:light|dark|high-contrast)\.css)$/.exec(url);
      if (m) return send('text/css; charset=utf-8', fs.readFileSync(path.join(this.root, 'test/browser/fixtures', m[1]), 'utf8'));
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
}
