// A local OTLP/HTTP receiver (loopback) for the exporter's tests: POST /v1/traces and /v1/metrics in
// protobuf (decoded with the OTLP schema generated into @opentelemetry/otlp-transformer 0.208's
// protobufjs module) or JSON (checked against the same schema: it must survive a round trip through
// the schema's message types unchanged). Everything received is normalised into one shape so tests
// compare what each protocol carried. Test controls: refuse the next N requests with a status, or
// hold the next request, or the one after N acknowledged (never answer it) so a test can kill the
// exporter mid-export at an exact batch, or act right after a request was acknowledged (onAcknowledged).
import * as http from 'http';
import type { AddressInfo } from 'net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-transformer-protobufjs/build/src/generated/root.js') as OtlpRoot;

interface MessageType {
  decode(buf: Uint8Array): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  fromObject(o: unknown): unknown;
  toObject(m: unknown, opts: Record<string, unknown>): Record<string, unknown>;
}
interface OtlpRoot { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: MessageType } }; metrics: { v1: { ExportMetricsServiceRequest: MessageType } } } } } }

const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const MetricsRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

export type Scalar = string | number | boolean;
type Obj = Record<string, unknown>;

export interface ReceivedSpan {
  protocol: 'protobuf' | 'json';
  resource: Record<string, Scalar>;
  scope: { name: string; version: string };
  traceId: string; spanId: string; parentSpanId: string;
  name: string; kind: number; startNs: string; endNs: string; statusCode: number; flags: number;
  attributes: Record<string, Scalar>;
}

export interface ReceivedPoint {
  protocol: 'protobuf' | 'json';
  resource: Record<string, Scalar>;
  metric: string; unit: string; kind: 'sum' | 'histogram'; temporality: number; monotonic?: boolean;
  attributes: Record<string, Scalar>;
  value?: number; count?: number; sum?: number; min?: number; max?: number; bucketCounts?: number[]; bounds?: number[];
  startNs: string; timeNs: string;
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const b64ToHex = (s: string): string => Buffer.from(s, 'base64').toString('hex');
const hexToB64 = (s: string): string => Buffer.from(s, 'hex').toString('base64');

/** Rewrites the id fields of an OTLP object tree (OTLP/JSON has hex ids, protobufjs objects base64). */
function mapIds(x: unknown, f: (s: string) => string): unknown {
  if (Array.isArray(x)) return x.map((v) => mapIds(v, f));
  if (!x || typeof x !== 'object') return x;
  const out: Obj = {};
  for (const [k, v] of Object.entries(x as Obj)) out[k] = ID_FIELDS.has(k) && typeof v === 'string' ? f(v) : mapIds(v, f);
  return out;
}

const TO_OBJECT = { longs: String, enums: Number, bytes: String, defaults: false };

function anyValue(v: Obj | undefined): Scalar {
  if (!v) return '';
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return Boolean(v.boolValue);
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  return JSON.stringify(v);
}

function attrs(list: unknown): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const a of (list as Obj[] | undefined) ?? []) out[String(a.key)] = anyValue(a.value as Obj);
  return out;
}

function spansOf(req: Obj, protocol: ReceivedSpan['protocol']): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (req.resourceSpans as Obj[]) ?? []) {
    const resource = attrs((rs.resource as Obj | undefined)?.attributes);
    for (const ss of (rs.scopeSpans as Obj[]) ?? []) {
      const scope = (ss.scope as Obj | undefined) ?? {};
      for (const s of (ss.spans as Obj[]) ?? []) {
        out.push({
          protocol, resource, scope: { name: String(scope.name ?? ''), version: String(scope.version ?? '') },
          traceId: String(s.traceId ?? ''), spanId: String(s.spanId ?? ''), parentSpanId: String(s.parentSpanId ?? ''),
          name: String(s.name), kind: Number(s.kind ?? 0), startNs: String(s.startTimeUnixNano), endNs: String(s.endTimeUnixNano),
          statusCode: Number((s.status as Obj | undefined)?.code ?? 0), flags: Number(s.flags ?? 0), attributes: attrs(s.attributes),
        });
      }
    }
  }
  return out;
}

function pointsOf(req: Obj, protocol: ReceivedPoint['protocol']): ReceivedPoint[] {
  const out: ReceivedPoint[] = [];
  for (const rm of (req.resourceMetrics as Obj[]) ?? []) {
    const resource = attrs((rm.resource as Obj | undefined)?.attributes);
    for (const sm of (rm.scopeMetrics as Obj[]) ?? []) {
      for (const m of (sm.metrics as Obj[]) ?? []) {
        const base = { protocol, resource, metric: String(m.name), unit: String(m.unit ?? '') };
        const sum = m.sum as Obj | undefined;
        const hist = m.histogram as Obj | undefined;
        for (const p of ((sum ?? hist)?.dataPoints as Obj[]) ?? []) {
          const common = { attributes: attrs(p.attributes), startNs: String(p.startTimeUnixNano), timeNs: String(p.timeUnixNano) };
          if (sum) out.push({ ...base, ...common, kind: 'sum', temporality: Number(sum.aggregationTemporality), monotonic: Boolean(sum.isMonotonic), value: Number(p.asDouble ?? p.asInt ?? 0) });
          else out.push({
            ...base, ...common, kind: 'histogram', temporality: Number(hist!.aggregationTemporality), count: Number(p.count), sum: Number(p.sum), min: Number(p.min), max: Number(p.max),
            bucketCounts: ((p.bucketCounts as unknown[]) ?? []).map(Number), bounds: ((p.explicitBounds as unknown[]) ?? []).map(Number),
          });
        }
      }
    }
  }
  return out;
}

export interface ReceivedRequest { path: string; contentType: string; headers: http.IncomingHttpHeaders; status: number }

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly points: ReceivedPoint[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** JSON requests that did not survive the schema round trip unchanged. */
  readonly schemaErrors: string[] = [];
  private server?: http.Server;
  private refuse: { count: number; status: number; retryAfter?: string } = { count: 0, status: 503 };
  private holdNext = false;
  /** Hold the request to this path that comes after this many more acknowledged ones (holdAfter). */
  private holdAt: { path: string; acks: number } | undefined;
  private held: http.ServerResponse[] = [];
  /** Resolves when a request is being held. */
  onHold?: () => void;
  /** Called right after a request was answered 200, with the spans it carried (none for metrics). */
  onAcknowledged?: (path: string, spans: ReceivedSpan[]) => void;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Answers the next `count` requests with `status` (and Retry-After when given), keeping nothing. */
  refuseNext(count: number, status = 503, retryAfter?: string): void {
    this.refuse = { count, status, retryAfter };
  }

  /** Never answers the next request (and keeps nothing from it). */
  holdNextRequest(): void {
    this.holdNext = true;
  }

  /**
   * Acknowledges `acks` more requests to `path` as usual, then holds the next request (to any path)
   * like holdNextRequest. Set before the exporter starts, it stops an export at an exact batch, however
   * slow the machine: no polling, no timing.
   */
  holdAfter(path: string, acks: number): void {
    this.holdAt = { path, acks };
    if (acks <= 0) { this.holdAt = undefined; this.holdNext = true; }
  }

  /** Latest cumulative point of `metric` whose attributes include `match`. */
  latest(metric: string, match: Record<string, Scalar> = {}): ReceivedPoint[] {
    const byKey = new Map<string, ReceivedPoint>();
    for (const p of this.points) {
      if (p.metric !== metric || !Object.entries(match).every(([k, v]) => p.attributes[k] === v)) continue;
      byKey.set(JSON.stringify(Object.entries(p.attributes).sort()), p);
    }
    return [...byKey.values()];
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      const entry: ReceivedRequest = { path: req.url ?? '', contentType, headers: req.headers, status: 200 };
      this.requests.push(entry);
      if (this.holdNext) {
        this.holdNext = false;
        entry.status = 0;
        this.held.push(res);
        this.onHold?.();
        return;
      }
      if (this.refuse.count > 0) {
        this.refuse.count--;
        entry.status = this.refuse.status;
        res.writeHead(this.refuse.status, this.refuse.retryAfter ? { 'Retry-After': this.refuse.retryAfter } : {});
        res.end();
        return;
      }
      let spans: ReceivedSpan[];
      try {
        spans = this.accept(entry.path, contentType, body);
      } catch (e) {
        entry.status = 400;
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(`bad request: ${(e as Error).message}`);
        return;
      }
      const json = contentType.includes('json');
      res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : Buffer.alloc(0));
      if (this.holdAt && entry.path === this.holdAt.path && --this.holdAt.acks <= 0) { this.holdAt = undefined; this.holdNext = true; }
      this.onAcknowledged?.(entry.path, spans);
    });
  }

  /** Decodes and keeps a request; returns the spans it carried. */
  private accept(path: string, contentType: string, body: Buffer): ReceivedSpan[] {
    const traces = path === '/v1/traces';
    if (!traces && path !== '/v1/metrics') throw new Error(`unknown path ${path}`);
    const type = traces ? TraceRequest : MetricsRequest;
    let obj: Obj;
    let protocol: 'protobuf' | 'json';
    if (contentType === 'application/x-protobuf') {
      obj = mapIds(type.toObject(type.decode(body), TO_OBJECT), b64ToHex) as Obj;
      protocol = 'protobuf';
    } else if (contentType === 'application/json') {
      const raw = JSON.parse(body.toString('utf8')) as Obj;
      const viaSchema = mapIds(type.toObject(type.decode(type.encode(type.fromObject(mapIds(raw, hexToB64))).finish()), TO_OBJECT), b64ToHex) as Obj;
      const a = JSON.stringify(traces ? spansOf(raw, 'json') : pointsOf(raw, 'json'));
      const b = JSON.stringify(traces ? spansOf(viaSchema, 'json') : pointsOf(viaSchema, 'json'));
      if (a !== b) this.schemaErrors.push(`${path}: the JSON does not match the OTLP schema`);
      obj = raw;
      protocol = 'json';
    } else {
      throw new Error(`unsupported content type ${contentType}`);
    }
    if (!traces) {
      this.points.push(...pointsOf(obj, protocol));
      return [];
    }
    const spans = spansOf(obj, protocol);
    this.spans.push(...spans);
    return spans;
  }

  async stop(): Promise<void> {
    for (const r of this.held) r.destroy();
    this.held = [];
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
