// The OpenTelemetry side of OTLP export: SpanDescriptions and MetricState (genaiMapping.ts) become the
// SDK's ReadableSpan and ResourceMetrics, serialised by @opentelemetry/otlp-transformer (protobuf or
// JSON) and sent by @opentelemetry/otlp-exporter-base's HTTP delegate (retries with back-off on 429/5xx
// and Retry-After, a bounded number of requests in flight, timeouts).
// This module is heavy, so it is bundled apart (dist/otlpSend.js) and loaded only when export is on
// (loadSender.ts). The delegate is given every setting explicitly and never reads OTEL_* variables:
// the extension must not pick up headers meant for another tool (the CLI maps those variables itself).
import { SpanKind, SpanStatusCode, TraceFlags, type HrTime } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import {
  JsonMetricsSerializer, JsonTraceSerializer, MetricsExporterMetricsHelper, ProtobufMetricsSerializer, ProtobufTraceSerializer, TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { DURATION_BOUNDARIES_S, METRICS, MetricState, SpanDescription, TOKEN_BOUNDARIES } from './genaiMapping';
import type { ExportIdentity, OtlpSender } from './ledgerExporter';
import type { OtlpExportConfig } from './otlpConfig';

// The package exposes its Node HTTP delegate only as an `exports` subpath, which this project's
// TypeScript module resolution does not read: types from the file, the module through Node/esbuild.
type NodeHttp = typeof import('@opentelemetry/otlp-exporter-base/build/src/index-node-http');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createOtlpHttpExportDelegate, httpAgentFactoryFromOptions } = require('@opentelemetry/otlp-exporter-base/node-http') as NodeHttp;

const SCOPE = { name: 'rightsize', version: process.env.RIGHTSIZE_VERSION ?? 'dev' };

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

function toReadableSpan(d: SpanDescription, resource: Resource): ReadableSpan {
  const ctx = { traceId: d.traceId, spanId: d.spanId, traceFlags: d.traceFlags & TraceFlags.SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE };
  return {
    name: d.name,
    kind: SpanKind.CLIENT,
    spanContext: () => ctx,
    ...(d.parentSpanId ? { parentSpanContext: { traceId: d.traceId, spanId: d.parentSpanId, traceFlags: ctx.traceFlags, isRemote: true } } : {}),
    startTime: hr(d.startMs),
    endTime: hr(d.endMs),
    duration: hr(d.endMs - d.startMs),
    status: { code: d.error ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    attributes: d.attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function toMetricData(state: MetricState, nowMs: number): MetricData[] {
  const start = hr(state.startMs);
  const end = hr(Math.max(nowMs, state.startMs));
  const out: MetricData[] = [];
  for (const [key, series] of Object.entries(state.histograms)) {
    const info = METRICS[key];
    const boundaries = key === 'tokens' ? TOKEN_BOUNDARIES : DURATION_BOUNDARIES_S;
    out.push({
      descriptor: { name: info.name, description: info.description, unit: info.unit, valueType: 1 },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: Object.values(series).map((p) => ({
        startTime: start, endTime: end, attributes: p.attributes,
        value: { buckets: { boundaries, counts: p.counts }, sum: p.sum, count: p.count, min: p.min, max: p.max },
      })),
    });
  }
  for (const [key, series] of Object.entries(state.sums)) {
    const info = METRICS[key];
    out.push({
      descriptor: { name: info.name, description: info.description, unit: info.unit, valueType: 1 },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: !key.startsWith('saved'),
      dataPoints: Object.values(series).map((p) => ({ startTime: start, endTime: end, attributes: p.attributes, value: p.value })),
    });
  }
  return out;
}

function exported(result: ExportResult): void {
  if (result.code !== 0) throw result.error ?? new Error('the collector refused the export');
}

export function createSender(c: OtlpExportConfig): OtlpSender {
  const json = c.protocol === 'http/json';
  const contentType = json ? 'application/json' : 'application/x-protobuf';
  const options = (url: string) => ({
    url,
    headers: async () => ({ ...c.headers, 'Content-Type': contentType }),
    timeoutMillis: c.timeoutMs,
    concurrencyLimit: 2,
    compression: 'none' as const,
    agentFactory: httpAgentFactoryFromOptions({ keepAlive: true }),
    userAgent: `rightsize/${SCOPE.version}`,
  });
  const traces = createOtlpHttpExportDelegate(options(c.tracesUrl), json ? JsonTraceSerializer : ProtobufTraceSerializer, 'otlp_http_span_exporter', TraceExporterMetricsHelper, undefined);
  const metrics = createOtlpHttpExportDelegate(options(c.metricsUrl), json ? JsonMetricsSerializer : ProtobufMetricsSerializer, 'otlp_http_metric_exporter', MetricsExporterMetricsHelper, undefined);
  // The configured attributes win (a team may name its instances itself).
  let cached: { id: string; resource: Resource } | undefined;
  const resourceFor = (identity: ExportIdentity): Resource => {
    const id = identity['service.instance.id'];
    if (cached?.id !== id) cached = { id, resource: resourceFromAttributes({ 'service.name': 'rightsize', 'service.version': SCOPE.version, ...identity, ...c.resourceAttributes }) };
    return cached.resource;
  };
  const send = <T>(delegate: { export(items: T, cb: (r: ExportResult) => void): void }, items: T): Promise<void> => new Promise((resolve, reject) => {
    delegate.export(items, (r) => { try { exported(r); resolve(); } catch (e) { reject(e); } });
  });
  return {
    sendSpans: (spans, identity) => {
      const resource = resourceFor(identity);
      return send(traces, spans.map((d) => toReadableSpan(d, resource)));
    },
    sendMetrics: async (state, nowMs, identity) => {
      const data = toMetricData(state, nowMs);
      if (data.length === 0) return;
      const rm: ResourceMetrics = { resource: resourceFor(identity), scopeMetrics: [{ scope: SCOPE, metrics: data }] };
      await send(metrics, rm);
    },
    shutdown: async () => { await Promise.all([traces.shutdown(), metrics.shutdown()]); },
  };
}
