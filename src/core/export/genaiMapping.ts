// Usage records as OpenTelemetry data, following the GenAI semantic conventions: one CLIENT span per
// request (`chat {model}`), and cumulative metrics (gen_ai.client.token.usage,
// gen_ai.client.operation.duration, counters for requests, Wh, USD, gCO2e and routing savings).
// Plain data here (no OpenTelemetry import): otlpSend.ts turns it into the SDK's export types.
//
// Identities are derived from the record id, so a span sent twice (a restart between the collector's
// acknowledgement and the cursor's commit) is the same span. A record made under Copilot's trace
// (`record.trace`, from the `_otelTraceContext` Copilot passes to model providers) joins that trace
// as a child of Copilot's span. No prompt, answer or error text is ever exported: the ledger holds none
// of the first two, and error messages can echo request content, so only `error.type` is sent.
import { createHash } from 'crypto';
import type { Provider, UsageRecord } from '../types';
import { validTraceContext } from './traceContext';

export type AttrValue = string | number | boolean;
export type Attrs = Record<string, AttrValue>;

export interface SpanDescription {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  parentSpanId?: string;
  /** Copilot's trace flags when the span joins its trace (1 = sampled). */
  traceFlags: number;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Attrs;
  error: boolean;
}

/** gen_ai.provider.name values (the conventions' well-known names where one exists). */
const PROVIDER_NAMES: Record<Provider, string> = {
  openai: 'openai', anthropic: 'anthropic', google: 'gcp.gemini', ollama: 'ollama', copilot: 'github_copilot', 'openai-compatible': 'openai_compatible',
};

const hexOf = (text: string, digits: number): string => createHash('sha256').update(text).digest('hex').slice(0, digits);

export function operationName(r: UsageRecord): string {
  return r.surface === 'inline' ? 'text_completion' : 'chat';
}

/** The attributes every signal shares: what a dashboard groups by. */
export function commonAttributes(r: UsageRecord): Attrs {
  return {
    'gen_ai.operation.name': operationName(r),
    'gen_ai.provider.name': PROVIDER_NAMES[r.model.provider] ?? r.model.provider,
    'gen_ai.request.model': r.model.id,
    'gen_ai.response.model': r.model.id,
    'rightsize.workspace.id': r.workspace.id,
    'rightsize.workspace.name': r.workspace.name,
    'rightsize.model.location': r.model.location,
    'rightsize.surface': r.surface,
    'rightsize.task': r.task,
  };
}

export function errorType(r: UsageRecord): string | undefined {
  return r.outcome === 'ok' ? undefined : r.outcome === 'error' ? 'error' : r.outcome;
}

export function recordToSpan(r: UsageRecord): SpanDescription {
  const endMs = Date.parse(r.ts);
  const parent = validTraceContext(r.trace);
  const t = r.tokens;
  const attributes: Attrs = {
    ...commonAttributes(r),
    'gen_ai.usage.input_tokens': t.input,
    'gen_ai.usage.output_tokens': t.output,
    'gen_ai.usage.cache_read.input_tokens': t.cachedInput,
    'gen_ai.usage.cache_creation.input_tokens': t.cacheWrite ?? 0,
    'gen_ai.usage.reasoning.output_tokens': t.reasoning,
    'gen_ai.usage.cost.total': r.cost.usd,
    'gen_ai.usage.cost.currency': 'USD',
    'rightsize.record.id': r.id,
    'rightsize.session.id': r.session,
    'rightsize.tokens.source': t.source,
    'rightsize.energy.wh': r.energy.wh,
    'rightsize.energy.low': r.energy.low,
    'rightsize.energy.high': r.energy.high,
    'rightsize.energy.method': r.energy.method,
    'rightsize.cost.method': r.cost.method,
    'rightsize.carbon.g': r.carbon.g,
    'rightsize.carbon.g_per_kwh': r.carbon.gPerKwh,
    'rightsize.decision.suggested': r.decision.suggested,
    'rightsize.decision.chosen': r.decision.chosen,
    'rightsize.decision.followed': r.decision.followed,
    'rightsize.decision.mode': r.decision.mode,
    'rightsize.decision.reason': r.decision.reason,
    'rightsize.outcome': r.outcome,
    'rightsize.duration_ms': r.durationMs,
  };
  if (r.ttftMs !== undefined) attributes['rightsize.ttft_ms'] = r.ttftMs;
  if (r.counterfactual) {
    attributes['rightsize.reference.model'] = r.counterfactual.model;
    attributes['rightsize.savings.wh'] = r.counterfactual.wh - r.energy.wh;
    attributes['rightsize.savings.usd'] = r.counterfactual.usd - r.cost.usd;
  }
  const err = errorType(r);
  if (err) attributes['error.type'] = err;
  return {
    traceId: parent?.traceId ?? hexOf(`trace:${r.id}`, 32),
    spanId: hexOf(`span:${r.id}`, 16),
    ...(parent ? { parentSpanId: parent.spanId } : {}),
    traceFlags: parent?.traceFlags ?? 1,
    name: `${operationName(r)} ${r.model.id}`,
    startMs: endMs - Math.max(0, r.durationMs),
    endMs,
    attributes,
    error: r.outcome === 'error',
  };
}

// --- metrics -------------------------------------------------------------------------------------

/** Bucket boundaries the GenAI conventions advise. */
export const TOKEN_BOUNDARIES = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
export const DURATION_BOUNDARIES_S = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export interface HistogramPoint { attributes: Attrs; count: number; sum: number; min: number; max: number; counts: number[] }
export interface SumPoint { attributes: Attrs; value: number }

/** Cumulative metric state since `startMs` (persisted with the export cursor). */
export interface MetricState {
  startMs: number;
  histograms: Record<string, Record<string, HistogramPoint>>;
  sums: Record<string, Record<string, SumPoint>>;
}

export interface MetricInfo { name: string; unit: string; description: string; kind: 'histogram' | 'sum' }

export const METRICS: Record<string, MetricInfo> = {
  tokens: { name: 'gen_ai.client.token.usage', unit: '{token}', description: 'Tokens used per request, by gen_ai.token.type (input, output)', kind: 'histogram' },
  duration: { name: 'gen_ai.client.operation.duration', unit: 's', description: 'Duration of GenAI requests', kind: 'histogram' },
  requests: { name: 'rightsize.requests', unit: '{request}', description: 'Requests metered by Rightsize', kind: 'sum' },
  energy: { name: 'rightsize.energy', unit: 'Wh', description: 'Energy of the requests (central estimate)', kind: 'sum' },
  cost: { name: 'rightsize.cost', unit: 'USD', description: 'Money spent on the requests', kind: 'sum' },
  carbon: { name: 'rightsize.carbon', unit: 'g', description: 'Grams of CO2e of the requests', kind: 'sum' },
  savedEnergy: { name: 'rightsize.savings.energy', unit: 'Wh', description: 'Energy saved against always using the reference model', kind: 'sum' },
  savedCost: { name: 'rightsize.savings.cost', unit: 'USD', description: 'Money saved against always using the reference model', kind: 'sum' },
};

export function emptyMetricState(startMs: number): MetricState {
  return { startMs, histograms: {}, sums: {} };
}

const keyOf = (a: Attrs): string => JSON.stringify(Object.keys(a).sort().map((k) => [k, a[k]]));

function observe(state: MetricState, metric: string, boundaries: number[], attributes: Attrs, value: number): void {
  const series = (state.histograms[metric] ??= {});
  const k = keyOf(attributes);
  const p = (series[k] ??= { attributes, count: 0, sum: 0, min: value, max: value, counts: new Array<number>(boundaries.length + 1).fill(0) });
  p.count++;
  p.sum += value;
  p.min = Math.min(p.min, value);
  p.max = Math.max(p.max, value);
  let i = 0;
  while (i < boundaries.length && value > boundaries[i]) i++;
  p.counts[i]++;
}

function add(state: MetricState, metric: string, attributes: Attrs, value: number): void {
  const series = (state.sums[metric] ??= {});
  const k = keyOf(attributes);
  (series[k] ??= { attributes, value: 0 }).value += value;
}

/** Adds one record to the cumulative state. */
export function addToMetrics(state: MetricState, r: UsageRecord): void {
  const common = commonAttributes(r);
  const err = errorType(r);
  if (r.outcome !== 'blocked') {
    observe(state, 'tokens', TOKEN_BOUNDARIES, { ...common, 'gen_ai.token.type': 'input' }, r.tokens.input);
    observe(state, 'tokens', TOKEN_BOUNDARIES, { ...common, 'gen_ai.token.type': 'output' }, r.tokens.output);
    observe(state, 'duration', DURATION_BOUNDARIES_S, err ? { ...common, 'error.type': err } : common, r.durationMs / 1000);
  }
  add(state, 'requests', err ? { ...common, 'error.type': err } : common, 1);
  add(state, 'energy', common, r.energy.wh);
  add(state, 'cost', common, r.cost.usd);
  add(state, 'carbon', common, r.carbon.g);
  if (r.counterfactual) {
    add(state, 'savedEnergy', common, r.counterfactual.wh - r.energy.wh);
    add(state, 'savedCost', common, r.counterfactual.usd - r.cost.usd);
  }
}
