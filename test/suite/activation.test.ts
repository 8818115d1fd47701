// Activation stays light: activate() loads no tokenizer (its warm-up starts a few seconds later, in the background).
// (This file runs first: mocha loads the suite's files in alphabetical order.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RightsizeApi } from '../../src/vscode/activation';

describe('Activation', () => {
  it('loads no tokenizer and returns quickly', async () => {
    const api = await vscode.extensions.getExtension<RightsizeApi>('rightsize-dev.rightsize')!.activate();
    const d = api.diagnostics();
    console.log(`    activation took ${d.activationMs.toFixed(1)} ms; tokenizer loaded during activation: ${d.tokenizerLoadedDuringActivation}; tokenizer now: ${d.tokenizer}; models discovered: ${d.modelsDiscovered}`);
    assert.equal(d.tokenizerLoadedDuringActivation, false, 'the tokenizer loaded during activation');
    assert.ok(d.activationMs >= 0);
  });
});
