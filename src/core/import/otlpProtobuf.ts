// OTLP/HTTP protobuf bodies -> the OTLP/JSON shape (copilotOtel.ts reads that one shape), with
// @opentelemetry/otlp-transformer's generated protobufjs schema (0.208, the last release that ships it).
// Loaded on the first protobuf request only (a separate bundle file, see esbuild.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-transformer-protobufjs/build/src/generated/root') as ProtoRoot;

interface ProtoType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}
interface ProtoRoot {
  opentelemetry: { proto: { collector: {
    trace: { v1: { ExportTraceServiceRequest: ProtoType } };
    logs: { v1: { ExportLogsServiceRequest: ProtoType } };
    metrics: { v1: { ExportMetricsServiceRequest: ProtoType } };
  } } };
}

const TO_OBJECT = { longs: String, bytes: String, enums: Number, defaults: false, arrays: true };

/** Trace and span ids are bytes in protobuf, hex strings in OTLP/JSON. */
function hexIds(o: unknown): void {
  if (Array.isArray(o)) { for (const x of o) hexIds(x); return; }
  if (typeof o !== 'object' || o === null) return;
  const rec = o as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    const v = rec[k];
    if ((k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && typeof v === 'string') rec[k] = Buffer.from(v, 'base64').toString('hex');
    else if (typeof v === 'object') hexIds(v);
  }
}

export type OtlpSignal = 'traces' | 'logs' | 'metrics';

/** Decodes an ExportTraceServiceRequest / ExportLogsServiceRequest / ExportMetricsServiceRequest. Throws on bad bytes. */
export function decodeOtlpProtobuf(signal: OtlpSignal, bytes: Uint8Array): Record<string, unknown> {
  const c = root.opentelemetry.proto.collector;
  const type = signal === 'traces' ? c.trace.v1.ExportTraceServiceRequest : signal === 'logs' ? c.logs.v1.ExportLogsServiceRequest : c.metrics.v1.ExportMetricsServiceRequest;
  const obj = type.toObject(type.decode(bytes), TO_OBJECT);
  hexIds(obj);
  return obj;
}
