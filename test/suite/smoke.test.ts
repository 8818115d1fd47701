// Smoke test in the real extension host: the extension activates, everything its manifest contributes
// as a command is registered, and the status-bar meter is shown.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RightsizeApi } from '../../src/vscode/activation';

const EXTENSION_ID = 'rightsize-dev.rightsize';

interface Manifest {
  version: string;
  contributes?: { commands?: Array<{ command: string }> };
}

describe('Rightsize in a real VS Code extension host', () => {
  let extension: vscode.Extension<RightsizeApi>;
  let api: RightsizeApi;
  let manifest: Manifest;

  before(async () => {
    console.log(`    VS Code ${vscode.version} (${vscode.env.appName}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI), extension host on Node ${process.version}`);
    const found = vscode.extensions.getExtension<RightsizeApi>(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not known to the extension host`);
    extension = found;
    manifest = JSON.parse(fs.readFileSync(path.join(extension.extensionPath, 'package.json'), 'utf8')) as Manifest;
    api = await extension.activate();
  });

  it('activates and returns its API', () => {
    assert.equal(extension.isActive, true);
    assert.equal(typeof api.statusBar, 'function');
    assert.equal(api.version, manifest.version);
  });

  it('registers every command its manifest contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    // The meter's click target is registered whether or not the manifest lists it yet.
    assert.ok(registered.has('rightsize.openUsage'), 'rightsize.openUsage is not registered');
    console.log(`    ${contributed.length} contributed command(s) registered`);
  });

  it('shows the status-bar meter', () => {
    const bar = api.statusBar();
    assert.ok(bar.text.trim().length > 0, 'status-bar text is empty');
    assert.equal(bar.visible, true);
  });
});
