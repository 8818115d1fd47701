// Imports inside the real extension host: the commands exist, and imported usage lands in the same
// workspace id the window computes (core/import/workspaceRef.ts spells file URIs as vscode.Uri does).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fileUriString, workspaceOfFolder } from '../../src/core/import/workspaceRef';
import { workspaceIdOf } from '../../src/core/workspaceId';

describe('imports in the extension host', function () {
  it('registers the import and Copilot telemetry commands', async function () {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'rightsize');
    await ext?.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['rightsize.importUsage', 'rightsize.connectCopilotTelemetry', 'rightsize.disconnectCopilotTelemetry']) assert.ok(commands.includes(id), id);
  });

  it('spells folder URIs exactly as vscode.Uri.file does, so imports join the window\'s workspace', function () {
    for (const p of ['/home/dev/project', '/tmp/a b/ü-ñ', '/srv/x%y#z?q', '/p/with:colon', '/odd/[brackets]@+&=,;$!\'()*']) {
      assert.equal(fileUriString(p), vscode.Uri.file(p).toString(), p);
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder && vscode.workspace.workspaceFolders!.length === 1 && !vscode.workspace.workspaceFile) {
      assert.equal(workspaceOfFolder(folder.uri.fsPath, { id: 'x', name: 'x' }).id, workspaceIdOf([folder.uri.toString()]));
    }
  });
});
