// The gateway inside the real extension host: started by the extension with the window's pipeline, a
// request through it reaches the fake Ollama, is recorded like a chat request (surface "gateway"), and the
// meter's tooltip shows the URL; Stop Gateway closes it.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { RightsizeApi } from '../../src/vscode/activation';
import type { UsageRecord } from '../../src/core/types';
import { FakeOllama, startFakeOllama } from '../fakes';
import { until } from './until';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('the gateway in the extension host', function () {
  this.timeout(60_000);
  let api: RightsizeApi;
  let ollama: FakeOllama;
  const user = () => vscode.workspace.getConfiguration('rightsize');
  const G = vscode.ConfigurationTarget.Global;

  before(async () => {
    ollama = await startFakeOllama();
    api = await vscode.extensions.getExtension<RightsizeApi>('rightsize-dev.rightsize')!.activate();
    await user().update('ollama.host', ollama.url, G);
    await user().update('gateway.port', await freePort(), G);
    await user().update('useCopilotModels', false, G);
    await until(() => api.effectiveConfigForTesting!().ollamaHost === ollama.url, 'the test settings to take effect');
    await until(async () => (await api.refreshModelsForTesting!()).some((m) => m.id === 'qwen2.5-coder:7b'), 'the fake Ollama\'s models');
  });
  after(async () => {
    await vscode.commands.executeCommand('rightsize.stopGateway');
    for (const k of ['ollama.host', 'gateway.port', 'useCopilotModels']) await user().update(k, undefined, G);
    await ollama?.close();
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['rightsize.startGateway', 'rightsize.stopGateway', 'rightsize.copyGatewaySettings']) assert.ok(commands.includes(id), id);
  });

  it('a request through the gateway is routed, answered by the fake Ollama and recorded with surface "gateway"', async () => {
    const { url, token } = await api.startGatewayForTesting!();
    assert.equal(new URL(url).port, String(api.effectiveConfigForTesting!().gateway.port));
    const recorded = new Promise<UsageRecord>((resolve) => { const sub = api.onDidRecord((r) => { if (r.surface === 'gateway') { sub.dispose(); resolve(r); } }); });
    ollama.script({ text: 'Hello from the gateway.' });
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': token, 'anthropic-version': '2023-06-01', 'user-agent': 'claude-cli/2.1.332 (external, cli)' },
      body: JSON.stringify({ model: 'qwen2.5-coder:7b', max_tokens: 64, messages: [{ role: 'user', content: 'say hello' }] }),
    });
    assert.equal(res.status, 200);
    const body = await res.json() as { content: Array<{ text: string }>; model: string };
    assert.equal(body.content[0].text, 'Hello from the gateway.');
    assert.equal(ollama.requestsTo('/api/chat')[0].body.model, 'qwen2.5-coder:7b');
    const r = await recorded;
    assert.equal(r.client, 'claude-code');
    assert.equal(r.model.id, 'qwen2.5-coder:7b');
    assert.equal(r.session, api.sessionId);
    await until(() => api.statusBar().tooltip.includes('Gateway') && api.statusBar().tooltip.includes(new URL(url).port), 'the tooltip to show the gateway');
    const refused = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'wrong' }, body: '{}' });
    assert.equal(refused.status, 401);
    await vscode.commands.executeCommand('rightsize.stopGateway');
    await assert.rejects(fetch(`${url}/v1/models`, { headers: { 'x-api-key': token } }));
  });

  it('rightsize.gateway.terminalEnv puts the gateway\'s variables into integrated terminals while it runs, and only then', async () => {
    const env = () => api.terminalEnvForTesting!();
    const { url, token } = await api.startGatewayForTesting!();
    await until(() => Object.keys(env()).length === 0, 'no variables without the setting');
    try {
      await user().update('gateway.terminalEnv', true, G);
      await until(() => env().ANTHROPIC_BASE_URL === url && env().RIGHTSIZE_GATEWAY_TOKEN === token, 'the gateway\'s URL and token in the terminals\' environment');
      assert.equal(env().ANTHROPIC_API_KEY, undefined, 'no tool\'s own key is replaced');
      await vscode.commands.executeCommand('rightsize.stopGateway');
      await until(() => Object.keys(env()).length === 0, 'the variables gone once the gateway stops');
      await api.startGatewayForTesting!();
      await until(() => env().ANTHROPIC_BASE_URL === url, 'the variables back when it starts again');
      await user().update('gateway.terminalEnv', undefined, G);
      await until(() => Object.keys(env()).length === 0, 'the variables gone when the setting is turned off');
    } finally {
      await user().update('gateway.terminalEnv', undefined, G);
      await vscode.commands.executeCommand('rightsize.stopGateway');
    }
  });
});
