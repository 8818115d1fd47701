// Meter: turns a finished (or cancelled, failed, blocked) request into a UsageRecord (ledger schema v1).
import { redactCredentials } from './backends/common';
import { estimate, EstimateSettings, LocalTiming } from './estimate';
import {
  BackendUsage, ChatRequest, Decision, DecisionMode, ModelSpec, Outcome, TaskClass, TokenCounts, TokenSource, TurnRef, UsageRecord,
} from './types';

export interface MeterInput {
  id: string;
  now: Date;
  request: ChatRequest;
  task: TaskClass;
  /** The router's pick (what would have sufficed), when the router ran. */
  suggested?: Decision;
  /** The suggested model's spec, so missed savings use the actual tokens. */
  suggestedModel?: ModelSpec;
  mode: DecisionMode;
  /** One line: why this model served the request. */
  reason: string;
  model: ModelSpec;
  usage?: BackendUsage;
  /** Input tokens counted before sending (used when the backend reported nothing). */
  countedInputTokens: number;
  outcome: Outcome;
  error?: string;
  settings: EstimateSettings;
  reference?: ModelSpec;
  /** The request's conversation turn (conversation.ts). */
  turn?: TurnRef;
}

const ZERO_TOKENS: TokenCounts = { input: 0, cachedInput: 0, output: 0, reasoning: 0 };

export function buildRecord(m: MeterInput): UsageRecord {
  let tokens: TokenCounts;
  let source: TokenSource;
  if (m.outcome === 'blocked') {
    // Nothing was sent: nothing was spent.
    tokens = ZERO_TOKENS;
    source = 'counted';
  } else if (m.usage) {
    tokens = m.usage.tokens;
    source = m.usage.source;
  } else {
    tokens = { ...ZERO_TOKENS, input: m.countedInputTokens };
    source = 'counted';
  }
  const timing: LocalTiming | undefined = m.usage?.ollama && m.model.location === 'local'
    ? { promptEvalMs: m.usage.ollama.promptEvalNs / 1e6, evalMs: m.usage.ollama.evalNs / 1e6, loadMs: m.usage.ollama.loadNs / 1e6 }
    : undefined;
  const spent = m.outcome === 'blocked'
    ? { energy: { wh: 0, low: 0, high: 0, method: 'none' }, cost: { usd: 0, method: 'none' }, carbon: { g: 0, gPerKwh: m.settings.gridGPerKwh } }
    : estimate(m.model, tokens, m.settings, timing);
  const suggested = m.suggested?.model ?? m.model.id;
  const record: UsageRecord = {
    v: 1,
    id: m.id,
    ts: m.now.toISOString(),
    session: m.request.session,
    workspace: m.request.workspace,
    surface: m.request.surface,
    task: m.task,
    decision: { suggested, chosen: m.model.id, mode: m.mode, followed: suggested === m.model.id, reason: m.reason },
    model: { id: m.model.id, provider: m.model.provider, location: m.model.location },
    tokens: { ...tokens, source },
    durationMs: Math.round(m.usage?.durationMs ?? 0),
    energy: spent.energy,
    cost: spent.cost,
    carbon: spent.carbon,
    outcome: m.outcome,
  };
  if (m.usage?.ttftMs !== undefined) record.ttftMs = Math.round(m.usage.ttftMs);
  if (m.error) record.error = redactCredentials(m.error);
  if (m.request.trace) record.trace = m.request.trace;
  if (m.turn) record.turn = m.turn;
  const ollama = m.usage?.ollama;
  if (ollama?.numCtx !== undefined) {
    record.ollama = { numCtx: ollama.numCtx, sentTokens: ollama.sentTokens ?? m.countedInputTokens, evaluatedTokens: tokens.input };
    if (ollama.warning) record.ollama.warning = ollama.warning;
  }
  if (m.request.client) record.client = m.request.client;
  if (m.reference && m.outcome !== 'blocked') {
    const cf = estimate(m.reference, tokens, m.settings);
    record.counterfactual = { model: m.reference.id, wh: cf.energy.wh, usd: cf.cost.usd, gco2e: cf.carbon.g };
  }
  if (m.suggestedModel && m.mode === 'suggest' && suggested !== m.model.id && m.outcome !== 'blocked') {
    // What the suggestion would have cost for the same tokens: reports show it as missed savings.
    const s = estimate(m.suggestedModel, tokens, m.settings);
    record.suggestedEstimate = { model: m.suggestedModel.id, wh: s.energy.wh, usd: s.cost.usd };
  }
  return record;
}
