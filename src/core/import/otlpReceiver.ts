// A loopback OTLP/HTTP receiver for Copilot Chat's telemetry (`github.copilot.chat.otel.otlpEndpoint`):
// POST /v1/traces, /v1/logs, /v1/metrics with OTLP/JSON (`application/json`) or OTLP/protobuf
// (`application/x-protobuf`) bodies, optionally gzip-encoded. Gatekeeping: binds 127.0.0.1 only; every
// request must carry the token (`Authorization: Bearer <token>`, which Copilot sends from
// `github.copilot.chat.otel.headers`); `Host` must be the loopback address with our port (no DNS
// rebinding); requests from web pages (`Origin`, `Sec-Fetch-Site`) are refused; bodies are capped (also
// after decompression). Answers as an OTLP collector does: 200 with an empty Export…ServiceResponse.
import * as http from 'http';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { closeServer, listenLoopback, loopbackRefusal, readCappedBody } from '../loopback/guard';
import { logsOfOtlp, spansOfOtlp, TelemetryItem } from './copilotOtel';
import type { OtlpSignal } from './otlpProtobuf';
import { errorText } from '../errorText';

export interface OtlpReceiverOptions {
  /** 0: any free port. */
  port: number;
  token: string;
  /** Spans or log records of one request (metrics are accepted and ignored). */
  onItems(items: TelemetryItem[], signal: OtlpSignal): void;
  /** Default 16 MiB. */
  maxBodyBytes?: number;
  log?(message: string): void;
}

export interface OtlpReceiver {
  /** e.g. http://127.0.0.1:4328 (what Copilot's otlpEndpoint is set to). */
  readonly url: string;
  readonly port: number;
  /** Requests accepted so far, per signal. */
  readonly accepted: Record<OtlpSignal, number>;
  close(): Promise<void>;
}

const PATHS: Readonly<Record<string, OtlpSignal>> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };

/** Why a request is refused (status, message), or undefined (the shared loopback checks, src/core/loopback/guard.ts). */
export function receiverRefusal(req: http.IncomingMessage, port: number, token: string): [number, string] | undefined {
  const r = loopbackRefusal(req, port, token, ['authorization', 'x-rightsize-token']);
  return 'refusal' in r ? [r.refusal.status, r.refusal.message] : undefined;
}

let protobuf: typeof import('./otlpProtobuf') | undefined;
function loadProtobuf(): typeof import('./otlpProtobuf') {
  // A file of its own beside this module (out/) or the bundle (dist/): loaded when first needed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (protobuf ??= require(path.join(__dirname, 'otlpProtobuf.js')) as typeof import('./otlpProtobuf'));
}

/** The items of one request body; throws with a message for the client on bad input. */
export function itemsOfBody(signal: OtlpSignal, body: Buffer, contentType: string): TelemetryItem[] {
  if (signal === 'metrics') return [];
  let req: unknown;
  if (contentType.includes('json')) req = JSON.parse(body.toString('utf8'));
  else if (contentType.includes('protobuf')) req = loadProtobuf().decodeOtlpProtobuf(signal, body);
  else throw new Error(`unsupported content type ${JSON.stringify(contentType)} (use application/json or application/x-protobuf)`);
  return signal === 'traces' ? spansOfOtlp(req) : logsOfOtlp(req);
}

export async function startOtlpReceiver(o: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const max = o.maxBodyBytes ?? 16 * 1024 * 1024;
  const accepted: Record<OtlpSignal, number> = { traces: 0, logs: 0, metrics: 0 };
  let port = o.port;
  const server = http.createServer((req, res) => {
    const reply = (status: number, type: string, body: string | Buffer) => res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    const refused = receiverRefusal(req, port, o.token);
    if (refused) { reply(refused[0], 'application/json', JSON.stringify({ code: refused[0] === 401 ? 16 : 7, message: `Rightsize: ${refused[1]}` })); return; }
    const signal = PATHS[(req.url ?? '').split('?')[0]];
    if (req.method !== 'POST' || !signal) { reply(404, 'application/json', JSON.stringify({ code: 5, message: 'Rightsize receives POST /v1/traces, /v1/logs and /v1/metrics' })); return; }
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    void readCappedBody(req, max).then((raw) => {
      if (!raw) { reply(413, 'application/json', JSON.stringify({ code: 8, message: `Rightsize: body larger than ${max} bytes` })); return; }
      const body = String(req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip' ? gunzipSync(raw, { maxOutputLength: max }) : raw;
      const items = itemsOfBody(signal, body, contentType);
      accepted[signal]++;
      if (items.length) o.onItems(items, signal);
      if (contentType.includes('protobuf')) reply(200, 'application/x-protobuf', Buffer.alloc(0));
      else reply(200, 'application/json', '{}');
    }).catch((e: unknown) => {
      o.log?.(`OTLP receiver: a ${signal} request was refused: ${errorText(e)}`);
      if (!res.headersSent) reply(400, 'application/json', JSON.stringify({ code: 3, message: `Rightsize: ${errorText(e)}` }));
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  port = await listenLoopback(server, o.port, '127.0.0.1',
    (p) => `port ${p} on 127.0.0.1 is in use (another VS Code window may already receive Copilot's telemetry)`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accepted,
    close: () => closeServer(server),
  };
}
