// Runs only in the runner's untrusted pass (test/host/runSuite.ts): workspace trust on, the folder never
// trusted (Restricted Mode), and the workspace's .vscode/settings.json commits a budget (day 5 USD, session
// 1000 tokens, action block). Workspace budgets are ignored there; the commands must say so and show what
// is in force, instead of “limit set”.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RightsizeApi } from '../../src/vscode/activation';
import type { BudgetCommandResult } from '../../src/vscode/budgetCommand';

const EXTENSION_ID = 'rightsize-dev.rightsize';

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Untrusted workspace: budget commands say workspace budgets are ignored and show what is in force', function () {
  this.timeout(60_000);
  let api: RightsizeApi;
  const cfg = () => vscode.workspace.getConfiguration('rightsize');

  before(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the runner opened the workspace untrusted (Restricted Mode)');
    api = (await vscode.extensions.getExtension<RightsizeApi>(EXTENSION_ID)!.activate());
    assert.ok(api.effectiveConfigForTesting, 'test hooks are available in development mode');
  });

  after(async () => {
    await cfg().update('budget.session.tokens', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('budget.session.tokens', 1000, vscode.ConfigurationTarget.Workspace);
  });

  it('the committed workspace budget is not in force (the pipeline’s settings)', () => {
    const info = cfg().inspect('budget.day.usd');
    assert.equal(info?.workspaceValue, 5, 'the workspace commits a day budget');
    const effective = api.effectiveConfigForTesting!();
    assert.deepEqual(effective.budget.limits, {}, JSON.stringify(effective.budget));
    assert.equal(effective.budget.action, 'warn', 'the committed action is not in force either');
  });

  it('Set Workspace Budget… saves in the workspace but says it is ignored until trusted, and what is in force', async () => {
    const r = await vscode.commands.executeCommand<BudgetCommandResult>('rightsize.setBudget', { period: 'session', unit: 'tokens', value: 100 });
    assert.equal(r.trusted, false);
    assert.equal(r.target, 'workspace');
    assert.equal(r.applied, false, 'not reported as set');
    assert.doesNotMatch(r.message, /limit set/);
    assert.match(r.message, /saved session token limit 100 tokens in this workspace's settings, but it is not in force/);
    assert.match(r.message, /This workspace is not trusted, so Rightsize ignores its workspace settings \(budgets, routing\) until you trust it\./);
    assert.match(r.message, /In force now: no session token limit \(default\)\./);
    assert.equal(cfg().inspect('budget.session.tokens')?.workspaceValue, 100, 'saved for when the workspace is trusted');
    assert.equal(api.effectiveConfigForTesting!().budget.limits.session, undefined, 'and not enforced');
  });

  it('a user budget set from the command is in force, and the command says so', async () => {
    const r = await vscode.commands.executeCommand<BudgetCommandResult>('rightsize.setBudget', { period: 'session', unit: 'tokens', value: 50_000, target: 'user' });
    assert.equal(r.applied, true, r.message);
    assert.equal(r.message, 'Rightsize: session token limit 50,000 tokens set in your user settings.');
    await until(() => api.effectiveConfigForTesting!().budget.limits.session?.tokens === 50_000, 'the user budget to be in force');
    // Saving another workspace value now says the user's limit is what applies.
    const w = await vscode.commands.executeCommand<BudgetCommandResult>('rightsize.setBudget', { period: 'session', unit: 'tokens', value: 200 });
    assert.equal(w.applied, false);
    assert.match(w.message, /In force now: session token limit 50,000 tokens \(user settings\)\./);
  });

  it('Toggle Local-Only says the workspace value is ignored, and local-only stays as in force', async () => {
    const before = api.effectiveConfigForTesting!().localOnly;
    const r = await vscode.commands.executeCommand<{ applied: boolean; trusted: boolean; message: string }>('rightsize.toggleLocalOnly');
    try {
      assert.equal(r.applied, false);
      assert.doesNotMatch(r.message, /now uses local models only/);
      assert.match(r.message, /not trusted/);
      assert.match(r.message, new RegExp(`In force now: local-only ${before ? 'on' : 'off'} \\(default\\)`));
      assert.equal(api.effectiveConfigForTesting!().localOnly, before);
    } finally {
      await cfg().update('localOnly', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
