// The W3C trace context a chat client hands to the model provider. VS Code 1.139's built-in Copilot
// Chat passes it to extension-contributed models in `options.modelOptions._otelTraceContext`
// ({traceId, spanId, traceFlags?, traceState?}, or null when its own OpenTelemetry export is off), and
// its own providers parent their spans on it. Rightsize keeps it on the usage record so the exported
// span joins Copilot's trace.
import type { TraceContext } from '../types';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** `t` as a trace context when it is a valid one (ids lowercased; all-zero ids are invalid). */
export function validTraceContext(t: unknown): TraceContext | undefined {
  const c = t as { traceId?: unknown; spanId?: unknown; traceFlags?: unknown } | null | undefined;
  if (!c || typeof c !== 'object' || typeof c.traceId !== 'string' || typeof c.spanId !== 'string') return undefined;
  const traceId = c.traceId.toLowerCase();
  const spanId = c.spanId.toLowerCase();
  if (!HEX32.test(traceId) || /^0+$/.test(traceId) || !HEX16.test(spanId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, ...(typeof c.traceFlags === 'number' && Number.isInteger(c.traceFlags) ? { traceFlags: c.traceFlags & 0xff } : {}) };
}

/** The trace context in a provider request's modelOptions, when present and valid. */
export function traceContextOf(modelOptions: { readonly [name: string]: unknown } | undefined): TraceContext | undefined {
  return validTraceContext(modelOptions?._otelTraceContext);
}
