import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TelemetryItem } from '../../../src/core/import/copilotOtel';
import { CopilotReceiverSink } from '../../../src/core/import/copilotReceiverSink';
import { OtlpReceiver, startOtlpReceiver } from '../../../src/core/import/otlpReceiver';
import { RightsizeCopilotCalls } from '../../../src/core/import/rightsizeCalls';
import { importStateDir } from '../../../src/core/import/logImporter';
import { Ledger } from '../../../src/core/ledger';
import type { UsageRecord } from '../../../src/core/types';
import { context, fixture, ledgerRecords, tempDir } from './helpers';

const TOKEN = 'rsk-otel-test-token';

function post(r: OtlpReceiver, p: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: r.port, path: p, method: 'POST', headers: { host: `127.0.0.1:${r.port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('import/OTLP receiver for Copilot Chat', function () {
  let receiver: OtlpReceiver;
  let got: Array<{ items: TelemetryItem[]; signal: string }>;
  const json = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  beforeEach(async function () {
    got = [];
    receiver = await startOtlpReceiver({ port: 0, token: TOKEN, maxBodyBytes: 64 * 1024, onItems: (items, signal) => got.push({ items, signal }) });
  });
  afterEach(async function () { await receiver.close(); });

  it('accepts what Copilot sends: OTLP/JSON and protobuf, gzip, metrics acknowledged and ignored', async function () {
    const traces = fs.readFileSync(fixture('copilot-otel', 'copilot-models-turn.traces.json'));
    assert.equal((await post(receiver, '/v1/traces', traces, json)).status, 200);
    assert.equal(got[0].signal, 'traces');
    assert.equal(got[0].items.length, 3);
    const pb = fs.readFileSync(fixture('copilot-otel', 'rightsize-turn.logs.pb'));
    const res = await post(receiver, '/v1/logs', pb, { ...json, 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
    assert.equal(got[1].items[0].attributes['event.name'], 'copilot_chat.agent.turn');
    assert.equal((await post(receiver, '/v1/traces', gzipSync(traces), { ...json, 'content-encoding': 'gzip' })).status, 200);
    assert.equal((await post(receiver, '/v1/metrics', fs.readFileSync(fixture('copilot-otel', 'rightsize-turn.metrics.json')), json)).status, 200);
    assert.equal(got.length, 3);
    assert.deepEqual(receiver.accepted, { traces: 2, logs: 1, metrics: 1 });
    assert.match(receiver.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses a missing or wrong token, a foreign Host, a web page, an oversize body, bad bodies', async function () {
    const body = '{"resourceSpans":[]}';
    assert.equal((await post(receiver, '/v1/traces', body, { 'content-type': 'application/json' })).status, 401);
    assert.equal((await post(receiver, '/v1/traces', body, { ...json, authorization: 'Bearer nope' })).status, 401);
    assert.equal((await post(receiver, '/v1/traces', body, { ...json, host: `evil.example:${receiver.port}` })).status, 403);
    assert.equal((await post(receiver, '/v1/traces', body, { ...json, origin: 'https://evil.example' })).status, 403);
    assert.equal((await post(receiver, '/v1/traces', 'x'.repeat(70 * 1024), json)).status, 413);
    assert.equal((await post(receiver, '/v1/traces', gzipSync(Buffer.alloc(200 * 1024)), { ...json, 'content-encoding': 'gzip' })).status, 400, 'a gzip bomb is capped');
    assert.equal((await post(receiver, '/v1/traces', '{not json', json)).status, 400);
    assert.equal((await post(receiver, '/v1/other', body, json)).status, 404);
    assert.equal(got.length, 0);
  });

  it('binds loopback only', async function () {
    const addr = (receiver as unknown as { url: string }).url;
    assert.ok(addr.startsWith('http://127.0.0.1:'));
    await assert.rejects(startOtlpReceiver({ port: receiver.port, token: TOKEN, onItems: () => undefined }), /in use/);
  });
});

describe('import/receiver sink: Copilot calls to records', function () {
  it('records each chat span once, skips the agent sum and the calls Rightsize made itself', async function () {
    const dir = tempDir('sink');
    const ledger = new Ledger(path.join(dir, 'ledger'));
    const spans = (await import('../../../src/core/import/copilotOtel')).spansOfOtlp(JSON.parse(fs.readFileSync(fixture('copilot-otel', 'copilot-models-turn.traces.json'), 'utf8')));
    const own = new RightsizeCopilotCalls();
    const sink = new CopilotReceiverSink(importStateDir(ledger.dir), context(), (rs) => ledger.appendMany(rs), own);
    assert.equal(sink.accept(spans, 'traces').length, 2);
    assert.equal(sink.accept(spans, 'traces').length, 0, 'the same export again');
    const records = await ledgerRecords(ledger);
    assert.deepEqual(records.map((r) => [r.model.id, r.model.provider, r.import?.key]), [['gpt-5-mini', 'copilot', 'req-copilot-1'], ['claude-sonnet-4-5', 'anthropic', 'req-copilot-2']]);
    assert.ok(records[0].cost.usd > 0 && records[0].energy.wh > 0);
    // A fresh state (another window) still knows the keys.
    const other = new CopilotReceiverSink(importStateDir(ledger.dir), context(), () => assert.fail('nothing new'));
    assert.equal(other.accept(spans, 'traces').length, 0);
    // Rightsize routed the same kind of call to Copilot's gpt-5-mini itself at that moment: not imported.
    const fresh = new Ledger(path.join(dir, 'ledger2'));
    const mine = new RightsizeCopilotCalls();
    mine.add({ ...records[0], surface: 'chat', ts: new Date(Date.parse(records[0].ts) + 3000).toISOString() } as UsageRecord);
    const sink2 = new CopilotReceiverSink(importStateDir(fresh.dir), context(), (rs) => fresh.appendMany(rs), mine);
    assert.equal(sink2.accept(spans, 'traces').length, 1);
    assert.equal(sink2.counts.skipped.rightsize, 1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
