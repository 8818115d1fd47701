// Copilot Chat's own OpenTelemetry (github.copilot.chat.otel.*) as imported usage. What Copilot exports
// (seen in the real VS Code 1.139 workbench, test/fixtures/copilot-otel/):
//  - a `chat <model>` span per model call (gen_ai.operation.name = chat; gen_ai.provider.name github for
//    Copilot's own endpoint, anthropic / gemini for keys the user brought) with gen_ai.usage.input_tokens
//    (all prompt tokens), …cache_read.input_tokens, …cache_creation.input_tokens,
//    …reasoning.output_tokens, gen_ai.usage.output_tokens, gen_ai.response.id, time to first token;
//  - a `gen_ai.client.inference.operation.details` log event per call (model, response id, input/output
//    tokens; no cache detail);
//  - `invoke_agent` spans and `copilot_chat.agent.turn` events that SUM a turn's calls — never imported
//    (they would count the calls twice), and the only trace a turn served by Rightsize's own models
//    leaves (Copilot makes no chat span for another extension's model).
// The JSON-lines file exporter writes spans as `{}` (they do not survive JSON.stringify), so from the
// file only the log events carry usage; the OTLP receiver gets the spans.
import type { Provider } from '../types';
import type { ImportedUsage } from './types';

/** One span or log record, whatever encoding it arrived in. */
export interface TelemetryItem {
  kind: 'span' | 'log';
  attributes: Record<string, unknown>;
  startMs?: number;
  endMs: number;
  traceId?: string;
  spanId?: string;
}

/** Why an item with usage was not imported. */
export type CopilotSkip = 'aggregate' | 'not-copilot' | 'rightsize';

const PROVIDERS: Readonly<Record<string, Provider>> = {
  github: 'copilot', openai: 'openai', 'azure.ai.openai': 'openai', anthropic: 'anthropic', gemini: 'google',
};

/** The marker strings of JSON lines that may carry usage (lineScan.ts). */
export const COPILOT_FILE_MARKERS = ['gen_ai.usage.input_tokens'];

const num = (x: unknown): number | undefined => {
  const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : x;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
};
const str = (x: unknown): string | undefined => (typeof x === 'string' && x.length > 0 ? x : undefined);

/**
 * The model call an item records; a skip reason for usage that must not be imported; undefined for
 * items without usage.
 */
export function copilotUsageOf(item: TelemetryItem): ImportedUsage | CopilotSkip | undefined {
  const a = item.attributes;
  const input = num(a['gen_ai.usage.input_tokens']);
  if (input === undefined) return undefined;
  const isCall = item.kind === 'span' ? a['gen_ai.operation.name'] === 'chat' : a['event.name'] === 'gen_ai.client.inference.operation.details';
  if (!isCall) return 'aggregate';
  const model = str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']);
  const providerName = str(a['gen_ai.provider.name']);
  if (!model || model.startsWith('rightsize')) return 'rightsize';
  if (providerName !== undefined && !(providerName in PROVIDERS)) return 'not-copilot';
  const output = num(a['gen_ai.usage.output_tokens']) ?? 0;
  const cached = Math.min(num(a['gen_ai.usage.cache_read.input_tokens']) ?? 0, input);
  const cacheWrite = Math.min(num(a['gen_ai.usage.cache_creation.input_tokens']) ?? 0, input - cached);
  const reasoning = Math.min(num(a['gen_ai.usage.reasoning.output_tokens']) ?? num(a['gen_ai.usage.reasoning_tokens']) ?? 0, output);
  const responseId = str(a['gen_ai.response.id']);
  const ttftMs = num(a['copilot_chat.time_to_first_token']) ?? (num(a['gen_ai.response.time_to_first_chunk']) !== undefined ? num(a['gen_ai.response.time_to_first_chunk'])! * 1000 : undefined);
  return {
    key: responseId ?? `${item.traceId ?? ''}:${item.spanId ?? ''}:${item.kind}:${item.endMs}`,
    source: 'copilot-otel',
    endMs: item.endMs,
    model,
    provider: providerName ? PROVIDERS[providerName] : 'copilot',
    tokens: { input, cachedInput: cached, cacheWrite, output, reasoning },
    durationMs: item.startMs !== undefined && item.endMs >= item.startMs ? item.endMs - item.startMs : undefined,
    ttftMs,
    session: str(a['gen_ai.conversation.id']) ?? str(a['copilot_chat.chat_session_id']),
  };
}

// ---------------------------------------------------------------------------------------------
// Encodings

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** OTLP's AnyValue (JSON encoding, or protobufjs' toObject with longs as strings) as a plain value. */
function anyValue(v: unknown): unknown {
  if (!isObj(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return num(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if (isObj(v.arrayValue)) return list(v.arrayValue.values).map(anyValue);
  return undefined;
}

function otlpAttributes(attrs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(attrs)) if (isObj(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

const nanosToMs = (x: unknown): number | undefined => {
  if (typeof x === 'string' && /^\d+$/.test(x)) return Number(BigInt(x) / 1_000_000n);
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x / 1e6 : undefined;
};

/** The spans of an ExportTraceServiceRequest (OTLP/JSON shape). */
export function spansOfOtlp(req: unknown): TelemetryItem[] {
  const items: TelemetryItem[] = [];
  for (const s of otlpEntries(req, 'resourceSpans', 'scopeSpans', 'spans')) {
    const endMs = nanosToMs(s.endTimeUnixNano);
    if (endMs === undefined) continue;
    items.push({ kind: 'span', attributes: otlpAttributes(s.attributes), startMs: nanosToMs(s.startTimeUnixNano), endMs, traceId: str(s.traceId), spanId: str(s.spanId) });
  }
  return items;
}

/** The log records of an ExportLogsServiceRequest (OTLP/JSON shape). */
export function logsOfOtlp(req: unknown): TelemetryItem[] {
  const items: TelemetryItem[] = [];
  for (const r of otlpEntries(req, 'resourceLogs', 'scopeLogs', 'logRecords')) {
    const endMs = nanosToMs(r.timeUnixNano) ?? nanosToMs(r.observedTimeUnixNano);
    if (endMs === undefined) continue;
    const attributes = otlpAttributes(r.attributes);
    if (attributes['event.name'] === undefined && typeof r.eventName === 'string') attributes['event.name'] = r.eventName;
    items.push({ kind: 'log', attributes, endMs, traceId: str(r.traceId), spanId: str(r.spanId) });
  }
  return items;
}

/** The objects of an OTLP/JSON export request, resource by resource and scope by scope
 *  (`resourceSpans[].scopeSpans[].spans[]`, `resourceLogs[].scopeLogs[].logRecords[]`). */
function* otlpEntries(req: unknown, resourceKey: string, scopeKey: string, itemKey: string): Generator<Record<string, any>> {
  for (const r of list(isObj(req) ? req[resourceKey] : undefined)) {
    for (const sc of list(isObj(r) ? r[scopeKey] : undefined)) {
      for (const item of list(isObj(sc) ? sc[itemKey] : undefined)) if (isObj(item)) yield item;
    }
  }
}

const hrToMs = (x: unknown): number | undefined =>
  (Array.isArray(x) && typeof x[0] === 'number' && typeof x[1] === 'number' ? x[0] * 1000 + x[1] / 1e6 : undefined);

/** One line of Copilot's JSON-lines file exporter (the SDK's own LogRecord / span objects, stringified). */
export function itemOfSdkJson(o: unknown): TelemetryItem | undefined {
  if (!isObj(o) || !isObj(o.attributes)) return undefined;
  const ctx = isObj(o.spanContext) ? o.spanContext : isObj(o._spanContext) ? o._spanContext : {};
  if (o.hrTime !== undefined) {
    const endMs = hrToMs(o.hrTime);
    return endMs === undefined ? undefined : { kind: 'log', attributes: o.attributes, endMs, traceId: str(ctx.traceId), spanId: str(ctx.spanId) };
  }
  const endMs = hrToMs(o.endTime);
  return endMs === undefined ? undefined : { kind: 'span', attributes: o.attributes, startMs: hrToMs(o.startTime), endMs, traceId: str(ctx.traceId), spanId: str(ctx.spanId) };
}
