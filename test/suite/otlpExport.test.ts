// OTLP export in a real extension host: a workspace's settings.json can neither turn export on nor
// send it elsewhere; the user's settings do both; a request made under a caller's trace context (as
// Copilot passes it in modelOptions._otelTraceContext) is exported as a child span of that trace.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RightsizeApi } from '../../src/vscode/activation';
import { USER_ONLY_KEYS } from '../../src/vscode/settings';
import type { UsageRecord } from '../../src/core/types';
import { FakeOllama, startFakeOllama } from '../fakes';
import { OtlpReceiver } from '../fakes/otlpReceiver';

const EXTENSION_ID = 'rightsize-dev.rightsize';
const TRACE = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('OTLP export in a real extension host', function () {
  this.timeout(90_000);
  let api: RightsizeApi;
  let ollama: FakeOllama;
  let good: OtlpReceiver;
  let evil: OtlpReceiver;
  let settingsUri: vscode.Uri;
  let originalSettings: Uint8Array;
  const cfg = () => vscode.workspace.getConfiguration('rightsize');
  const G = vscode.ConfigurationTarget.Global;

  before(async () => {
    ollama = await startFakeOllama();
    good = await new OtlpReceiver().start();
    evil = await new OtlpReceiver().start();
    api = (await vscode.extensions.getExtension<RightsizeApi>(EXTENSION_ID)!.activate());
    await cfg().update('ollama.host', ollama.url, G);
    await cfg().update('useCopilotModels', false, G);
    await until(async () => (await api.refreshModelsForTesting!()).some((m) => m.id === 'qwen2.5-coder:7b'), 'the fake Ollama models');
    settingsUri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.vscode', 'settings.json');
    originalSettings = await vscode.workspace.fs.readFile(settingsUri);
  });

  after(async () => {
    await vscode.workspace.fs.writeFile(settingsUri, originalSettings);
    for (const k of ['export.otlp.enabled', 'export.otlp.endpoint', 'export.otlp.protocol', 'ollama.host', 'useCopilotModels']) await cfg().update(k, undefined, G);
    await good?.stop();
    await evil?.stop();
    await ollama?.close();
  });

  async function ask(modelOptions?: Record<string, unknown>): Promise<UsageRecord> {
    const recorded = new Promise<UsageRecord>((resolve) => { const sub = api.onDidRecord((r) => { sub.dispose(); resolve(r); }); });
    const [m] = await vscode.lm.selectChatModels({ vendor: 'rightsize', id: 'qwen2.5-coder:7b' });
    assert.ok(m, 'the local model is offered');
    const response = await m.sendRequest([vscode.LanguageModelChatMessage.User('Say hi')], modelOptions ? { modelOptions } : {});
    for await (const _ of response.stream) { /* drain */ }
    return recorded;
  }

  it('every export setting is user/machine-scoped in the manifest and read from user values only', () => {
    const props = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } }).contributes.configuration.properties;
    const keys = Object.keys(props).filter((k) => k.startsWith('rightsize.export.otlp.'));
    assert.deepEqual(keys.map((k) => k.slice('rightsize.export.otlp.'.length)).sort(), ['enabled', 'endpoint', 'headers', 'protocol', 'resourceAttributes']);
    for (const k of keys) {
      assert.ok(['application', 'machine'].includes(props[k].scope ?? ''), `${k} has scope ${props[k].scope}: a workspace could set it`);
      assert.ok(USER_ONLY_KEYS.has(k.slice('rightsize.'.length)), `${k} is not in USER_ONLY_KEYS: a workspace value would be read`);
    }
  });

  it('a workspace settings.json cannot enable export or redirect it', async () => {
    const hostile = {
      ...JSON.parse(Buffer.from(originalSettings).toString('utf8')), 'rightsize.export.otlp.enabled': true, 'rightsize.export.otlp.endpoint': evil.url, 'rightsize.export.otlp.protocol': 'http/json',
      'rightsize.export.otlp.headers': { 'x-from-workspace': 'injected' }, 'rightsize.export.otlp.resourceAttributes': { 'user.name': 'mallory' },
      'editor.rulers': [77], // the marker that VS Code has read this file
    };
    await vscode.workspace.fs.writeFile(settingsUri, Buffer.from(JSON.stringify(hostile, null, 2)));
    // VS Code has read the file once a marker written with it shows as a workspace value (a condition,
    // not a sleep; the export keys themselves never show: VS Code drops machine/application-scoped
    // keys from a workspace's settings, which is the point)
    await until(() => vscode.workspace.getConfiguration('editor').inspect<number[]>('rulers')?.workspaceValue?.[0] === 77, 'VS Code to read the hostile workspace settings');
    assert.equal(cfg().inspect('export.otlp.endpoint')?.workspaceValue, undefined, 'VS Code does not take the endpoint from the workspace');
    const effective = api.effectiveConfigForTesting!().otlp;
    assert.equal(effective.enabled, false, 'export stays off');
    assert.equal(effective.tracesUrl, 'http://localhost:4318/v1/traces', 'the endpoint is not the workspace\'s');
    assert.deepEqual(effective.headers, {}, 'no headers from the workspace');
    assert.deepEqual(effective.resourceAttributes, {}, 'no resource attributes from the workspace');
    assert.equal(api.exportStatusForTesting!().running, false);
    const r = await ask();
    assert.equal(r.outcome, 'ok');
    // Export is not running (asserted above), so nothing can be on its way: no sleep needed. That the
    // workspace's endpoint never gets anything is checked again below, after the user's export ran.
    assert.equal(api.exportStatusForTesting!().running, false, 'a request did not start export');
    assert.equal(evil.requests.length, 0, 'nothing reached the workspace\'s endpoint');
    assert.equal(good.requests.length, 0);

    // the user turns export on: it goes to the user's endpoint, still never to the workspace's
    await cfg().update('export.otlp.endpoint', good.url, G);
    await cfg().update('export.otlp.enabled', true, G);
    await until(() => api.exportStatusForTesting!().running && api.exportStatusForTesting!().tracesUrl === `${good.url}/v1/traces`, 'export to start at the user endpoint');
    const effectiveNow = api.effectiveConfigForTesting!().otlp;
    assert.equal(effectiveNow.protocol, 'http/protobuf', 'the workspace cannot change the protocol either');
    const after = await ask({ _otelTraceContext: TRACE });
    await until(() => good.spans.some((s) => s.attributes['rightsize.record.id'] === after.id), 'the span at the user endpoint');
    assert.equal(evil.requests.length, 0, 'the workspace endpoint still got nothing');
    assert.ok(!good.spans.some((s) => s.attributes['rightsize.record.id'] === r.id), 'the record made before export was on is not sent');
    const span = good.spans.find((s) => s.attributes['rightsize.record.id'] === after.id)!;
    assert.equal(after.trace?.traceId, TRACE.traceId, 'the record keeps the caller\'s trace');
    assert.equal(span.traceId, TRACE.traceId, 'the span joins the caller\'s trace');
    assert.equal(span.parentSpanId, TRACE.spanId, 'as a child of the caller\'s span');
    assert.equal(span.attributes['gen_ai.request.model'], 'qwen2.5-coder:7b');
    assert.equal(span.attributes['gen_ai.provider.name'], 'ollama');
    assert.equal(span.protocol, 'protobuf');
    assert.ok(good.requests.every((q) => q.headers['x-from-workspace'] === undefined), 'the workspace\'s header is never sent');
    assert.notEqual(span.resource['user.name'], 'mallory', 'the workspace cannot set resource attributes');
    await until(() => good.latest('rightsize.requests').length > 0, 'metrics');

    await cfg().update('export.otlp.enabled', false, G);
    await until(() => !api.exportStatusForTesting!().running, 'export to stop');
  });
});
