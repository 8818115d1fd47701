// The gateway's gatekeeping, tried as an attacker would: no token, a wrong one, a DNS-rebinding Host, a
// web page's Origin, an oversized body, a bind to a non-loopback address; and the lifetime rules: a client
// that hangs up stops the backend, a deadline does too.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { startGateway } from '../../../src/core/gateway';
import { Fakes, GATEWAY_TOKEN, gatewaySuite, GatewayRig, post, sseEvents, startRig, waitForRecords } from './rig';

/** A raw request, so that Host and Origin can be set to anything. */
function raw(url: string, path: string, headers: Record<string, string>, body = '{}'): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const MESSAGE = { model: 'rightsize-auto', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello.' }] };

describe('gateway security and lifetime', function () {
  this.timeout(20_000);
  const suite = gatewaySuite({ gateway: { maxBodyBytes: 64 * 1024 } });
  let fakes: Fakes;
  let rig: GatewayRig;
  beforeEach(() => ({ fakes, rig } = suite));

  it('refuses a request without the token, and one with a wrong token, in the client\'s error shape', async () => {
    const none = await post(rig.url, '/v1/messages', MESSAGE, { 'anthropic-version': '2023-06-01' });
    assert.equal(none.status, 401);
    const noneBody = await none.json() as any;
    assert.equal(noneBody.type, 'error');
    assert.equal(noneBody.error.type, 'authentication_error');
    assert.match(noneBody.error.message, /a token is required/);
    const wrong = await post(rig.url, '/v1/chat/completions', { model: 'x', messages: [] }, { authorization: 'Bearer rsk-gw-not-the-token' });
    assert.equal(wrong.status, 401);
    const wrongBody = await wrong.json() as any;
    assert.match(JSON.stringify(wrongBody), /wrong token/);
    assert.ok(!JSON.stringify(wrongBody).includes(GATEWAY_TOKEN));
    assert.equal(fakes.ollama.requests.length + fakes.anthropic.requests.length + fakes.openai.requests.length, 0, 'nothing reached a backend');
    assert.equal(rig.records.length, 0);
  });

  it('accepts the token as Bearer, x-api-key or x-rightsize-token', async () => {
    const ways: Array<Record<string, string>> = [{ authorization: `Bearer ${GATEWAY_TOKEN}` }, { 'x-api-key': GATEWAY_TOKEN }, { 'x-rightsize-token': GATEWAY_TOKEN }];
    for (const headers of ways) {
      const res = await post(rig.url, '/v1/messages', MESSAGE, headers);
      assert.equal(res.status, 200, JSON.stringify(headers));
      await res.json();
    }
    assert.equal(rig.records.length, 3);
    // The gateway's token never travels on to a backend.
    const seen = JSON.stringify([...fakes.ollama.requests, ...fakes.anthropic.requests, ...fakes.openai.requests].map((r) => [r.headers, r.rawBody]));
    assert.ok(!seen.includes(GATEWAY_TOKEN));
  });

  it('refuses a foreign Host (DNS rebinding) and a browser Origin even with the right token', async () => {
    const port = new URL(rig.url).port;
    const rebinding = await raw(rig.url, '/v1/messages', { host: `attacker.example:${port}`, 'x-api-key': GATEWAY_TOKEN }, JSON.stringify(MESSAGE));
    assert.equal(rebinding.status, 403);
    assert.match(rebinding.body.error.message, /Host "attacker\.example:\d+" is not allowed/);
    const wrongPort = await raw(rig.url, '/v1/messages', { host: '127.0.0.1:1', 'x-api-key': GATEWAY_TOKEN }, JSON.stringify(MESSAGE));
    assert.equal(wrongPort.status, 403);
    const page = await raw(rig.url, '/v1/messages', { origin: 'https://evil.example', 'x-api-key': GATEWAY_TOKEN }, JSON.stringify(MESSAGE));
    assert.equal(page.status, 403);
    assert.match(page.body.error.message, /web pages are refused/);
    const fetchMeta = await raw(rig.url, '/v1/messages', { 'sec-fetch-site': 'cross-site', 'x-api-key': GATEWAY_TOKEN }, JSON.stringify(MESSAGE));
    assert.equal(fetchMeta.status, 403);
    const localhost = await raw(rig.url, '/v1/messages', { host: `localhost:${port}`, 'x-api-key': GATEWAY_TOKEN }, JSON.stringify(MESSAGE));
    assert.equal(localhost.status, 200);
    assert.equal(rig.records.length, 1, 'only the allowed request ran');
  });

  it('refuses an oversized body with 413 before anything is routed', async () => {
    const big = { ...MESSAGE, messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] };
    const res = await post(rig.url, '/v1/messages', big);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as any).error.type, 'request_too_large');
    assert.equal(rig.records.length, 0);
  });

  it('will not bind a non-loopback address', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      await assert.rejects(startGateway(rig as never, { port: 0, host, token: GATEWAY_TOKEN }), /loopback addresses only/, host);
    }
  });

  it('a client that hangs up mid-stream aborts the backend request, recorded as cancelled', async () => {
    fakes.anthropic.script({ chunks: ['one ', 'two ', 'three '], stallAfterChunks: 1 });
    const abort = new AbortController();
    const res = await post(rig.url, '/v1/messages', { ...MESSAGE, model: 'claude-sonnet-4-5', stream: true }, undefined, abort.signal);
    assert.equal(res.status, 200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('text_delta')) seen += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    await fakes.anthropic.waitForAbort(1, 5000);
    await waitForRecords(rig.records, 1);
    assert.equal(rig.records[0].outcome, 'cancelled');
    assert.equal(rig.records[0].model.id, 'claude-sonnet-4-5');
  });

  it('a request past its deadline is stopped at the backend and ends with an error event', async () => {
    const short = await startRig(fakes, { gateway: { deadlineMs: 400 } });
    try {
      fakes.anthropic.script({ chunks: ['slow ', 'answer '], stallAfterChunks: 1 });
      const res = await post(short.url, '/v1/messages', { ...MESSAGE, model: 'claude-sonnet-4-5', stream: true });
      const events = await sseEvents(res);
      const last = events[events.length - 1];
      assert.equal(last.event, 'error');
      assert.equal(last.data.error.type, 'timeout_error');
      assert.match(last.data.error.message, /took longer than/);
      await fakes.anthropic.waitForAbort(1, 5000);
    } finally {
      await short.close();
    }
  });
});
