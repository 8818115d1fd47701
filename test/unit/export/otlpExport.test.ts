import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/ledger';
import { LedgerExporter } from '../../../src/core/export/ledgerExporter';
import { loadSender } from '../../../src/core/export/loadSender';
import { OtlpExportConfig, OtlpProtocol, defaultOtlpConfig, destinationKey, otlpConfigFromEnv, parseOtlpSettings, signalUrls } from '../../../src/core/export/otlpConfig';
import { recordToSpan } from '../../../src/core/export/genaiMapping';
import { traceContextOf } from '../../../src/core/export/traceContext';
import type { UsageRecord } from '../../../src/core/types';
import { OtlpReceiver, ReceivedSpan } from '../../fakes/otlpReceiver';
import { generateHistory, makeRecord } from '../../util/recordFactory';

const COPILOT_TRACE = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

function specialRecords(): UsageRecord[] {
  return [
    makeRecord({ id: 'under-copilot', ts: '2026-11-20T10:00:00.000Z', trace: COPILOT_TRACE, tokens: { input: 21000, cachedInput: 15000, output: 900, reasoning: 300, source: 'reported', cacheWrite: 2000 } }),
    makeRecord({ id: 'failed', ts: '2026-11-20T10:01:00.000Z', outcome: 'error', error: 'Backend error: the server echoed "secret prompt text"' }),
    makeRecord({ id: 'local', ts: '2026-11-20T10:02:00.000Z', surface: 'inline', model: { id: 'qwen2.5-coder:7b', provider: 'ollama', location: 'local' }, counterfactual: undefined }),
    makeRecord({ id: 'blocked', ts: '2026-11-20T10:03:00.000Z', outcome: 'blocked', tokens: { input: 0, cachedInput: 0, output: 0, reasoning: 0, source: 'counted' }, durationMs: 0 }),
  ];
}

/** What each span must carry, computed from the record independently of the mapping code. */
function expectedAttributes(r: UsageRecord): Record<string, string | number | boolean> {
  const e: Record<string, string | number | boolean> = {
    'gen_ai.operation.name': r.surface === 'inline' ? 'text_completion' : 'chat',
    'gen_ai.provider.name': r.model.provider,
    'gen_ai.request.model': r.model.id,
    'gen_ai.response.model': r.model.id,
    'gen_ai.usage.input_tokens': r.tokens.input,
    'gen_ai.usage.output_tokens': r.tokens.output,
    'gen_ai.usage.cache_read.input_tokens': r.tokens.cachedInput,
    'gen_ai.usage.cache_creation.input_tokens': r.tokens.cacheWrite ?? 0,
    'gen_ai.usage.reasoning.output_tokens': r.tokens.reasoning,
    'gen_ai.usage.cost.total': r.cost.usd,
    'gen_ai.usage.cost.currency': 'USD',
    'rightsize.energy.wh': r.energy.wh,
    'rightsize.energy.low': r.energy.low,
    'rightsize.energy.high': r.energy.high,
    'rightsize.carbon.g': r.carbon.g,
    'rightsize.workspace.id': r.workspace.id,
    'rightsize.workspace.name': r.workspace.name,
    'rightsize.task': r.task,
    'rightsize.surface': r.surface,
    'rightsize.decision.suggested': r.decision.suggested,
    'rightsize.decision.chosen': r.decision.chosen,
    'rightsize.decision.followed': r.decision.followed,
    'rightsize.model.location': r.model.location,
    'rightsize.record.id': r.id,
  };
  if (r.outcome !== 'ok') e['error.type'] = r.outcome;
  if (r.counterfactual) e['rightsize.savings.usd'] = r.counterfactual.usd - r.cost.usd;
  return e;
}

function config(url: string, protocol: OtlpProtocol): OtlpExportConfig {
  return { ...defaultOtlpConfig(), enabled: true, ...signalUrls(url), protocol, headers: { 'x-team-token': 'team-42' }, resourceAttributes: { 'user.name': 'alice', 'deployment.environment.name': 'test' } };
}

describe('export/OTLP: spans and metrics to a collector (real protobuf and JSON)', function () {
  this.timeout(60000);
  let dir: string;
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-otlp-'));
    receiver = await new OtlpReceiver().start();
  });
  afterEach(async () => {
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`${protocol}: one span per record with every GenAI and rightsize attribute, parented on Copilot's trace, and matching metrics`, async () => {
      const ledger = new Ledger(dir);
      ledger.append(makeRecord({ id: 'before-export', ts: '2026-11-19T09:00:00.000Z' })); // predates the cursor: not sent
      const cfg = config(receiver.url, protocol);
      const exporter = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
      try {
        assert.equal((await exporter.run()).exported, 0);
        const recs = [...specialRecords(), ...generateHistory({ count: 60, days: 2, end: new Date('2026-11-22T00:00:00Z'), seed: 5 })];
        for (const r of recs) ledger.append(r);
        const run = await exporter.run();
        assert.equal(run.error, undefined);
        assert.equal(run.exported, recs.length);
        assert.ok(run.caughtUp);
        assert.deepEqual(receiver.schemaErrors, []);
        const byId = new Map<string, ReceivedSpan>(receiver.spans.map((s) => [String(s.attributes['rightsize.record.id']), s]));
        assert.equal(receiver.spans.length, recs.length);
        for (const r of recs) {
          const s = byId.get(r.id);
          assert.ok(s, `span for ${r.id}`);
          assert.equal(s.protocol, protocol === 'http/json' ? 'json' : 'protobuf');
          for (const [k, v] of Object.entries(expectedAttributes(r))) {
            if (typeof v === 'number') assert.ok(Math.abs(Number(s.attributes[k]) - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${r.id} ${k}: ${s.attributes[k]} vs ${v}`);
            else assert.equal(s.attributes[k], v, `${r.id} ${k}`);
          }
          assert.equal(s.name, `${r.surface === 'inline' ? 'text_completion' : 'chat'} ${r.model.id}`);
          assert.equal(s.kind, 3, 'SPAN_KIND_CLIENT');
          assert.equal(BigInt(s.endNs) / 1_000_000n, BigInt(Date.parse(r.ts)));
          assert.equal((BigInt(s.endNs) - BigInt(s.startNs)) / 1_000_000n, BigInt(r.durationMs));
          assert.equal(s.statusCode, r.outcome === 'error' ? 2 : 0);
          assert.ok(!Object.values(s.attributes).some((v) => String(v).includes('secret prompt text')), 'no error text');
          assert.equal(s.resource['service.name'], 'rightsize');
          assert.equal(s.resource['user.name'], 'alice');
          assert.equal(s.scope.name, 'rightsize');
        }
        const under = byId.get('under-copilot')!;
        assert.equal(under.traceId, COPILOT_TRACE.traceId);
        assert.equal(under.parentSpanId, COPILOT_TRACE.spanId);
        assert.equal(byId.get('failed')!.parentSpanId, '');
        assert.equal(byId.get('local')!.attributes['gen_ai.provider.name'], 'ollama');
        assert.ok(receiver.requests.every((q) => q.headers['x-team-token'] === 'team-42'), 'configured headers on every request');
        assert.ok(!receiver.spans.some((s) => s.attributes['rightsize.record.id'] === 'before-export'));

        // metrics: cumulative, and equal to sums over the exported records
        const sent = recs.filter((r) => r.outcome !== 'blocked');
        const tokenPoints = receiver.latest('gen_ai.client.token.usage', { 'gen_ai.token.type': 'input' });
        assert.equal(tokenPoints.reduce((a, p) => a + p.sum!, 0), sent.reduce((a, r) => a + r.tokens.input, 0));
        assert.equal(tokenPoints.reduce((a, p) => a + p.count!, 0), sent.length);
        for (const p of tokenPoints) {
          assert.equal(p.kind, 'histogram');
          assert.equal(p.temporality, 2, 'AGGREGATION_TEMPORALITY_CUMULATIVE');
          assert.equal(p.bucketCounts!.reduce((a, b) => a + b, 0), p.count);
          assert.equal(p.unit, '{token}');
        }
        const outPoints = receiver.latest('gen_ai.client.token.usage', { 'gen_ai.token.type': 'output' });
        assert.equal(outPoints.reduce((a, p) => a + p.sum!, 0), sent.reduce((a, r) => a + r.tokens.output, 0));
        const dur = receiver.latest('gen_ai.client.operation.duration');
        assert.ok(Math.abs(dur.reduce((a, p) => a + p.sum!, 0) - sent.reduce((a, r) => a + r.durationMs / 1000, 0)) < 1e-6);
        assert.equal(dur[0].unit, 's');
        const total = (metric: string): number => receiver.latest(metric).reduce((a, p) => a + p.value!, 0);
        const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
        close(total('rightsize.energy'), recs.reduce((a, r) => a + r.energy.wh, 0), 'Wh');
        close(total('rightsize.cost'), recs.reduce((a, r) => a + r.cost.usd, 0), 'USD');
        close(total('rightsize.carbon'), recs.reduce((a, r) => a + r.carbon.g, 0), 'gCO2e');
        close(total('rightsize.savings.cost'), recs.reduce((a, r) => a + (r.counterfactual ? r.counterfactual.usd - r.cost.usd : 0), 0), 'saved USD');
        assert.equal(total('rightsize.requests'), recs.length);
        const perWs = receiver.latest('rightsize.cost', { 'rightsize.workspace.id': 'ws-beta' }).reduce((a, p) => a + p.value!, 0);
        close(perWs, recs.filter((r) => r.workspace.id === 'ws-beta').reduce((a, r) => a + r.cost.usd, 0), 'USD in ws-beta');
        assert.equal(receiver.latest('rightsize.energy')[0].unit, 'Wh');
      } finally {
        await exporter.close();
      }
    });
  }

  it('protobuf and JSON carry the same spans for the same records', async () => {
    const recs = specialRecords();
    const got: Record<string, unknown[]> = {};
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const d = fs.mkdtempSync(path.join(dir, 'p-'));
      const ledger = new Ledger(d);
      const cfg = config(receiver.url, protocol);
      const ex = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
      await ex.run();
      for (const r of recs) ledger.append(r);
      await ex.run();
      await ex.close();
      got[protocol] = receiver.spans.filter((s) => s.protocol === (protocol === 'http/json' ? 'json' : 'protobuf')).map(({ protocol: _p, resource: { 'service.instance.id': _id, ...resource }, ...s }) => ({ ...s, resource })); // two ledgers: two instances
    }
    assert.equal(got['http/protobuf'].length, recs.length);
    assert.deepEqual(got['http/json'], got['http/protobuf']);
  });

  it('retries a collector that is briefly unavailable, and stops without losing anything on a hard refusal', async () => {
    const ledger = new Ledger(dir);
    const cfg = config(receiver.url, 'http/protobuf');
    const ex = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
    try {
      await ex.run();
      const recs = generateHistory({ count: 30, days: 1, end: new Date('2026-11-22T00:00:00Z'), seed: 8 });
      for (const r of recs.slice(0, 10)) ledger.append(r);
      receiver.refuseNext(2, 503);
      const first = await ex.run();
      assert.equal(first.error, undefined, 'two 503s are retried with back-off');
      assert.equal(receiver.spans.length, 10);
      for (const r of recs.slice(10)) ledger.append(r);
      receiver.refuseNext(1, 400);
      const refused = await ex.run();
      assert.match(refused.error ?? '', /400|Bad Request/i);
      assert.equal(refused.exported, 0);
      const again = await ex.run();
      assert.equal(again.exported, 20);
      assert.deepEqual([...new Set(receiver.spans.map((s) => s.attributes['rightsize.record.id']))].sort(), recs.map((r) => r.id).sort());
      assert.equal(receiver.spans.length, 30, 'nothing sent twice');
    } finally {
      await ex.close();
    }
  });

  it('backfills records from before the cursor once, from the given day on, and widens later without duplicates', async () => {
    const ledger = new Ledger(dir);
    const old = generateHistory({ count: 90, days: 30, end: new Date('2026-11-01T00:00:00Z'), seed: 3 });
    for (const r of old) ledger.append(r);
    const cfg = config(receiver.url, 'http/json');
    const ex = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
    try {
      const since1 = Date.parse('2026-10-20T00:00:00Z');
      const r1 = await ex.backfill(since1);
      assert.equal(r1.exported, old.filter((r) => Date.parse(r.ts) >= since1).length);
      const r2 = await ex.backfill(since1);
      assert.equal(r2.exported, 0, 'the same backfill again sends nothing');
      const r3 = await ex.backfill(Date.parse('2026-10-01T00:00:00Z'));
      assert.equal(r1.exported + r3.exported, old.length);
      const ids = receiver.spans.map((s) => s.attributes['rightsize.record.id']);
      assert.equal(new Set(ids).size, ids.length, 'no duplicates');
      const more = makeRecord({ id: 'new-one', ts: '2026-11-21T00:00:00.000Z' });
      ledger.append(more);
      assert.equal((await ex.run()).exported, 1);
    } finally {
      await ex.close();
    }
  });

  it('names its cumulative series: one service.instance.id per cursor, kept across restarts, another for another destination', async () => {
    const ledger = new Ledger(dir);
    const cfg = config(receiver.url, 'http/protobuf');
    const instanceIds = (): Set<string> => new Set([...receiver.spans.map((s) => s.resource), ...receiver.points.map((p) => p.resource)].map((r) => String(r['service.instance.id'])));
    for (let run = 0; run < 2; run++) { // the second exporter is a restart: it reads the cursor the first wrote
      const ex = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
      await ex.run();
      ledger.append(makeRecord({ id: `restart-${run}` }));
      assert.equal((await ex.run()).exported, 1);
      await ex.close();
    }
    const ids = instanceIds();
    assert.equal(ids.size, 1, [...ids].join(', '));
    assert.match([...ids][0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(receiver.points.length > 0 && receiver.spans.length === 2);
    const other = config(receiver.url, 'http/json'); // another destination key: another cursor
    const ex2 = new LedgerExporter(ledger, destinationKey(other), loadSender(other));
    await ex2.run();
    ledger.append(makeRecord({ id: 'other-destination' }));
    await ex2.run();
    await ex2.close();
    assert.equal(instanceIds().size, 2, 'another destination is another cumulative stream');
  });

  it('a second exporter for the same destination is refused while the first holds the lock', async () => {
    const ledger = new Ledger(dir);
    const cfg = config(receiver.url, 'http/protobuf');
    const a = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
    const b = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
    await a.run();
    await assert.rejects(() => b.run(), /already running/);
    await a.close();
    await b.run();
    await b.close();
  });
});

describe('export/OTLP configuration', () => {
  it('reads OTEL_EXPORTER_OTLP_* as the CLI documents', () => {
    const errors: string[] = [];
    const c = otlpConfigFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://m.example/custom',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-scope=team',
      OTEL_RESOURCE_ATTRIBUTES: 'user.name=bob,team=core', OTEL_SERVICE_NAME: 'rs-cli',
    }, errors);
    assert.deepEqual(errors, []);
    assert.equal(c.tracesUrl, 'https://collector.example:4318/v1/traces');
    assert.equal(c.metricsUrl, 'https://m.example/custom');
    assert.equal(c.protocol, 'http/json');
    assert.deepEqual(c.headers, { authorization: 'Bearer abc', 'x-scope': 'team' });
    assert.deepEqual(c.resourceAttributes, { 'user.name': 'bob', team: 'core', 'service.name': 'rs-cli' });
    const bad: string[] = [];
    otlpConfigFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' }, bad);
    assert.equal(bad.length, 2);
  });

  it('validates settings: off by default, URLs without credentials, header names that cannot smuggle', () => {
    const errors: string[] = [];
    assert.equal(parseOtlpSettings({}, errors).enabled, false);
    const c = parseOtlpSettings({ enabled: true, endpoint: 'http://user:pw@evil/', protocol: 'grpc', headers: { Host: 'x', 'x-ok': 'y', 'x-bad': 'a\r\nb' } }, errors);
    assert.equal(c.tracesUrl, 'http://localhost:4318/v1/traces', 'a URL with credentials is refused');
    assert.equal(c.protocol, 'http/protobuf');
    assert.deepEqual(c.headers, { 'x-ok': 'y' });
    assert.equal(errors.length, 4, errors.join('\n'));
  });

  it('takes the trace context Copilot passes in modelOptions._otelTraceContext, and only a valid one', () => {
    assert.deepEqual(traceContextOf({ _otelTraceContext: { traceId: COPILOT_TRACE.traceId.toUpperCase(), spanId: COPILOT_TRACE.spanId, traceFlags: 1, traceState: 'x=1' } }), COPILOT_TRACE);
    assert.equal(traceContextOf({ _otelTraceContext: null }), undefined, 'Copilot sends null when its own OTel is off');
    assert.equal(traceContextOf({ _otelTraceContext: { traceId: '0'.repeat(32), spanId: COPILOT_TRACE.spanId } }), undefined);
    assert.equal(traceContextOf({ _otelTraceContext: { traceId: 'xyz', spanId: COPILOT_TRACE.spanId } }), undefined);
    assert.equal(traceContextOf(undefined), undefined);
    const s = recordToSpan(makeRecord({ id: 'x', trace: { traceId: 'nothex', spanId: 'b7ad6b7169203331' } }));
    assert.equal(s.parentSpanId, undefined, 'a malformed trace on a ledger line is ignored');
    assert.equal(recordToSpan(makeRecord({ id: 'x' })).spanId, s.spanId, 'span ids come from the record id');
  });
});
