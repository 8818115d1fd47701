import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, renderPanelHtml } from '../../../src/vscode/usagePanel/panelHtml';
import { sampleState } from './fixtures';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const opts = (nonce = makeNonce()) => ({
  cspSource: CSP_SOURCE, nonce,
  scriptUri: `${CSP_SOURCE}/ext/media/panel.js`, styleUri: `${CSP_SOURCE}/ext/media/panel.css`,
});

describe('usage panel HTML', () => {
  it('carries a strict CSP with the nonce, and the nonce on its only script', () => {
    const nonce = makeNonce();
    const html = renderPanelHtml(opts(nonce));
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(meta, 'CSP meta tag');
    const csp = meta[1];
    assert.equal(csp, contentSecurityPolicy(CSP_SOURCE, nonce));
    assert.match(csp, /(^|; )default-src 'none'(;|$)/);
    assert.ok(csp.includes(`script-src 'nonce-${nonce}'`));
    assert.ok(csp.includes(`style-src ${CSP_SOURCE}`));
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${nonce}"`));
  });

  it('uses a fresh 128-bit nonce each time', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });

  it('has no remote URL, no inline style and no inline handler', () => {
    const html = renderPanelHtml({ ...opts(), initialState: sampleState() });
    const urls = [...html.matchAll(/\bhttps?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    for (const u of urls) assert.ok(u.startsWith(CSP_SOURCE), `remote URL ${u}`);
    assert.ok(!/<style\b/i.test(html));
    assert.ok(!/\sstyle\s*=/i.test(html));
    assert.ok(!/\son[a-z]+\s*=/i.test(html));
  });

  it('embeds the initial state inertly: `</script>` in data cannot break out', () => {
    const state = sampleState();
    state.report.models[0].model = '</script><script>alert(1)</script>';
    const html = renderPanelHtml({ ...opts(), initialState: state });
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2); // the JSON block's and the bundle's
    const json = /<script type="application\/json" id="rightsize-initial-state">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(json);
    assert.deepEqual(JSON.parse(json[1]), state);
  });

  it('rejects a nonce or cspSource that could alter the policy', () => {
    assert.throws(() => renderPanelHtml(opts("abc' 'unsafe-inline")));
    assert.throws(() => renderPanelHtml(opts('short')));
    assert.throws(() => renderPanelHtml({ ...opts(), cspSource: "x; script-src 'unsafe-inline'" }));
    assert.throws(() => renderPanelHtml({ ...opts(), cspSource: "'unsafe-inline'" }));
    assert.throws(() => renderPanelHtml({ ...opts(), cspSource: 'https://a.example" onload="x' }));
    assert.throws(() => renderPanelHtml({ ...opts(), cspSource: '' }));
  });

  it('accepts the source lists VS Code gives on desktop and in the browser', () => {
    for (const cspSource of ['https://*.vscode-cdn.net', "'self' https://*.vscode-cdn.net", 'vscode-webview://abc123']) {
      const html = renderPanelHtml({ ...opts(), cspSource });
      assert.ok(html.includes(`style-src ${cspSource.replace(/'/g, '&#39;')}`) || html.includes(`style-src ${cspSource}`), cspSource);
    }
  });

  it('escapes URIs in attributes', () => {
    const html = renderPanelHtml({ ...opts(), scriptUri: `${CSP_SOURCE}/a"b.js` });
    assert.ok(html.includes('a&quot;b.js'));
  });

  it('labels every select and names every button', () => {
    const html = renderPanelHtml(opts());
    for (const m of html.matchAll(/<select id="([^"]+)">/g)) {
      const before = html.slice(0, m.index);
      assert.ok(before.lastIndexOf('<label') > before.lastIndexOf('</label>'), `select #${m[1]} is inside a label`);
    }
    for (const m of html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)) assert.ok(m[1].trim().length > 0);
  });
});
