// Learning from the user in a real extension host, against the fake Ollama: Retry with a Bigger Model,
// a manual pick of a bigger model after an Auto answer, the learned floor in later decisions, and Reset;
// and what Ollama has loaded (/api/ps) in the decisions' reasons.
// Requests go through VS Code's language-model API to Rightsize's provider, with the chat session id in
// `modelOptions._conversationId` as Copilot Chat passes it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RightsizeApi } from '../../src/vscode/activation';
import type { RetryOutcome } from '../../src/vscode/routingLearning';
import type { ModelSpec, UsageRecord } from '../../src/core/types';
import { DEFAULT_OLLAMA_MODELS, FakeOllama, startFakeOllama } from '../fakes';

const EXTENSION_ID = 'rightsize-dev.rightsize';
const RENAME = 'Rename the variable `tmp` to `total` in this function:\n\nfunction sum(a) { let tmp = 0; for (const x of a) tmp += x; return tmp; }';

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Learning from the user: Retry with a Bigger Model, escalations, reset (extension host)', function () {
  this.timeout(60_000);
  let api: RightsizeApi;
  let ollama: FakeOllama;
  let models: ModelSpec[];
  const user = () => vscode.workspace.getConfiguration('rightsize');
  const score = (id: string) => models.find((m) => m.id === id)!.capability.score;

  before(async () => {
    // Ollama's local models only: the remote `-cloud` one has nothing to load.
    ollama = await startFakeOllama({ models: DEFAULT_OLLAMA_MODELS.filter((m) => !m.remote) });
    api = (await vscode.extensions.getExtension<RightsizeApi>(EXTENSION_ID)!.activate());
    const G = vscode.ConfigurationTarget.Global;
    await user().update('ollama.host', ollama.url, G);
    await user().update('cloudModels', [], G);
    await user().update('useCopilotModels', false, G);
    await until(() => { const c = api.effectiveConfigForTesting!(); return c.ollamaHost === ollama.url && c.cloudModels.length === 0 && !c.useCopilotModels; }, 'the test settings');
    await until(async () => (models = await api.refreshModelsForTesting!()).some((m) => m.id === 'qwen2.5-coder:7b'), 'the fake Ollama\'s models');
    await vscode.commands.executeCommand('rightsize.resetLearnedRouting', 'all');
  });

  after(async () => {
    await vscode.commands.executeCommand('rightsize.resetLearnedRouting', 'all');
    const G = vscode.ConfigurationTarget.Global;
    for (const k of ['ollama.host', 'cloudModels', 'useCopilotModels']) await user().update(k, undefined, G);
    await ollama?.close();
  });

  async function model(id: string): Promise<vscode.LanguageModelChat> {
    const [m] = await vscode.lm.selectChatModels({ vendor: 'rightsize', id });
    assert.ok(m, `model ${id} is offered`);
    return m;
  }

  /** Sends one request as the chat would (session id in modelOptions); resolves with the record and the answer. */
  async function send(id: string, messages: vscode.LanguageModelChatMessage[], sessionId: string): Promise<{ record: UsageRecord; text: string }> {
    const recorded = new Promise<UsageRecord>((resolve) => { const sub = api.onDidRecord((r) => { sub.dispose(); resolve(r); }); });
    const response = await (await model(id)).sendRequest(messages, { modelOptions: { _conversationId: sessionId } });
    let text = '';
    for await (const p of response.stream) if (p instanceof vscode.LanguageModelTextPart) text += p.value;
    return { record: await recorded, text };
  }
  const lastOllamaModel = () => (ollama.requestsTo('/api/chat').at(-1)?.body as { model?: string } | undefined)?.model;

  it('Retry re-routes the same turn to a bigger model, says so in the answer, and later requests of that kind start there; Reset undoes it', async () => {
    const turn = [vscode.LanguageModelChatMessage.User(RENAME)];
    const first = await send(api.autoModelId, turn, 'host-retry-1');
    assert.equal(first.record.decision.mode, 'auto');
    const small = first.record.model.id;
    assert.equal(lastOllamaModel(), small);
    // Local realities (/api/ps): nothing was loaded in this fresh fake Ollama, so the load was counted and said.
    assert.match(first.record.decision.reason, /not loaded in Ollama: about [\d.]+ s to load/);

    const outcome = await vscode.commands.executeCommand<RetryOutcome>('rightsize.retryWithBiggerModel', { resend: false });
    assert.ok(outcome, 'the command found the Auto answer');
    assert.equal(outcome.from, small);
    assert.ok(score(outcome.to) > score(small), `${outcome.to} (${score(outcome.to)}) is bigger than ${small} (${score(small)})`);

    // What VS Code's retry sends: the same turn again, to Rightsize Auto, in the same chat session.
    const retried = await send(api.autoModelId, turn, 'host-retry-1');
    assert.equal(retried.record.model.id, outcome.to, retried.record.decision.reason);
    assert.equal(lastOllamaModel(), outcome.to, 'the bigger model answered');
    assert.match(retried.record.decision.reason, new RegExp(`retry with a bigger model than ${small.replace(/[.:]/g, '\\$&')}`));
    assert.match(retried.text, /^\*Rightsize: retrying with a bigger model than /);

    // Another conversation, same kind of request: the learned floor applies and the reason says so.
    const later = await send(api.autoModelId, [vscode.LanguageModelChatMessage.User(`${RENAME}\n// another file`)], 'host-retry-2');
    assert.notEqual(later.record.model.id, small, later.record.decision.reason);
    assert.ok(score(later.record.model.id) > score(small));
    assert.match(later.record.decision.reason, /learned here: \S+ need ≥ [\d.]+ \(answers escalated once, last from /);

    // A second retry of the same answer is refused (it was already retried).
    assert.equal(await vscode.commands.executeCommand('rightsize.retryWithBiggerModel', { resend: false }), undefined);

    await vscode.commands.executeCommand('rightsize.resetLearnedRouting', 'workspace');
    const reset = await send(api.autoModelId, [vscode.LanguageModelChatMessage.User(`${RENAME}\n// a third file`)], 'host-retry-3');
    assert.equal(reset.record.model.id, small, reset.record.decision.reason);
    assert.doesNotMatch(reset.record.decision.reason, /learned/);
    assert.doesNotMatch(reset.record.decision.reason, /not loaded/, 'Ollama has it loaded since the first request (/api/ps)');
  });

  it('picking a bigger model by hand after an Auto answer in the same conversation is learned', async () => {
    await vscode.commands.executeCommand('rightsize.resetLearnedRouting', 'workspace');
    const opening = vscode.LanguageModelChatMessage.User(`${RENAME}\n// escalation by hand`);
    const auto = await send(api.autoModelId, [opening], 'host-manual-1');
    const small = auto.record.model.id;
    const bigger = models.filter((m) => m.location === 'local' && !m.remote && m.tools && score(m.id) > score(small)).sort((a, b) => score(b.id) - score(a.id))[0];
    assert.ok(bigger, 'a bigger local model exists');
    // The user switches the picker to the bigger model and sends the next turn of the same chat.
    await send(bigger.id, [opening, vscode.LanguageModelChatMessage.Assistant(auto.text), vscode.LanguageModelChatMessage.User('That is wrong, try again.')], 'host-manual-1');
    const next = await send(api.autoModelId, [vscode.LanguageModelChatMessage.User(`${RENAME}\n// after the escalation`)], 'host-manual-2');
    assert.ok(score(next.record.model.id) > score(small), `${next.record.model.id}: ${next.record.decision.reason}`);
    assert.match(next.record.decision.reason, new RegExp(`learned here: .* last from ${small.replace(/[.:]/g, '\\$&')}`));
  });
});
