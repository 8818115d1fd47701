// The one pipeline every door uses:
//   ChatRequest -> Router.decide -> BudgetGate.admit -> Backend.stream -> Meter -> Ledger
// A door (chat provider, CLI, tests) calls `run` and forwards the events it cares about.
import { BudgetGate, Reservation } from './budget/budgetGate';
import { ConversationBudget, ConversationTicket, conversationIdOf } from './budget/conversationBudget';
import { EstimateSettings, estimate } from './estimate';
import { buildRecord } from './meter';
import type { LearnedAdjustments } from './router/learning';
import { decide, pickReference, requiredCapability, RouteDecision, RouteOptions } from './router/router';
import {
  Backend, BackendError, BackendUsage, ChatRequest, Decision, DecisionMode, ModelSpec, Objective, Outcome, Provider,
  RoutingMode, StreamPart, TaskClass, UsageRecord,
} from './types';

/**
 * What the door asks for. `pinned`: use this model even in auto mode (the gateway: a client that names a
 * model, or a tool-loop continuation that keeps its turn's model), recorded with `mode` and `reason`.
 */
export type Target = { kind: 'auto' } | { kind: 'model'; modelId: string; provider?: Provider; pinned?: { mode: DecisionMode; reason: string } };

export interface PipelineSettings {
  mode: RoutingMode;
  objective: Objective;
  localOnly: boolean;
  /** RouteOptions.localPreference. */
  localPreference?: number;
  estimate: EstimateSettings;
  /** Explicit reference model id; empty: the most capable candidate. */
  referenceModel: string;
}

export interface PipelineDeps {
  /** Models usable now (local models Ollama has, cloud models with a key or through Copilot). */
  candidates(): Promise<ModelSpec[]>;
  backendFor(model: ModelSpec): Backend;
  countInputTokens(request: ChatRequest, model?: ModelSpec): number;
  gate: BudgetGate;
  /** Per-conversation limits, checked after the gate admits (may ask the user and wait). */
  conversations?: ConversationBudget;
  append(record: UsageRecord): void;
  settings(): PipelineSettings;
  log?(line: string): void;
  /** Measures the local GPU's power draw (watts) while a local model generates; absent: profile only. */
  samplePowerW?(): Promise<number | undefined>;
  now?(): Date;
  newId?(): string;
  /** What the request's workspace taught the router (learning.ts); absent: nothing learned. */
  learned?(request: ChatRequest): LearnedAdjustments | undefined;
}

export type PipelineEvent =
  | { type: 'decision'; decision: Decision; model: ModelSpec; mode: DecisionMode; suggestion?: Decision }
  /** Something the user should know (fallback, downgrade). `inResponse`: say it in the answer itself. */
  | { type: 'notice'; level: 'info' | 'warning'; message: string; inResponse: boolean }
  | Extract<StreamPart, { type: 'text' | 'toolCall' }>
  | { type: 'blocked'; message: string; record: UsageRecord }
  /** `doneReason`: the backend's own stop reason (`end_turn`, `tool_calls`, `length`, …), when it gave one. */
  | { type: 'done'; record: UsageRecord; doneReason?: string };

/** A failure already recorded in the ledger, phrased for a human. */
export class PipelineError extends Error {
  constructor(message: string, readonly record: UsageRecord | undefined, readonly cause?: unknown) {
    super(message);
    this.name = 'PipelineError';
  }
}

let counter = 0;
function defaultId(): string {
  counter = (counter + 1) % 1e6;
  return `${Date.now().toString(36)}-${process.pid.toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** The router's options for these settings, candidates and the budget's current state. */
  private routeOptions(settings: PipelineSettings, candidates: ModelSpec[], request?: ChatRequest, preferLocal = false, exclude?: ReadonlySet<string>): RouteOptions {
    const state = this.deps.gate.routingState();
    return {
      learned: request ? this.deps.learned?.(request) : undefined,
      candidates,
      objective: settings.objective,
      localOnly: settings.localOnly,
      localPreference: settings.localPreference,
      budget: { preferLocal: state.preferLocal || preferLocal, blockCloud: state.blockCloud },
      reference: settings.referenceModel ? candidates.find((m) => m.id === settings.referenceModel) : undefined,
      estimate: (m, t) => estimate(m, t, settings.estimate),
      exclude,
    };
  }

  /** What Auto would decide for a request now, without sending it (the “Suggest a Model…” command). */
  async decide(request: ChatRequest): Promise<RouteDecision> {
    const candidates = await this.deps.candidates();
    const inputTokens = request.contextTokens ?? this.deps.countInputTokens(request);
    return decide(request, inputTokens, this.routeOptions(this.deps.settings(), candidates, request));
  }

  /**
   * Runs one request. Yields the decision, then the answer's parts, then `done` with the record.
   * Errors are recorded, then thrown as PipelineError; cancellation is recorded as `cancelled`.
   */
  async *run(request: ChatRequest, target: Target, signal: AbortSignal): AsyncGenerator<PipelineEvent, void, void> {
    const deps = this.deps;
    const settings = deps.settings();
    const now = deps.now ?? (() => new Date());
    const newId = deps.newId ?? defaultId;
    const log = deps.log ?? (() => undefined);
    const candidates = await deps.candidates();
    const inputTokens = request.contextTokens ?? deps.countInputTokens(request);
    const exclude = new Set<string>();
    /** Routes; `preferLocal` forces the budget's prefer-local rule (after a downgrade). */
    const route = (preferLocal: boolean): RouteDecision => decide(request, inputTokens, this.routeOptions(settings, candidates, request, preferLocal, exclude));
    const options = this.routeOptions(settings, candidates);
    const estimator = options.estimate;
    const reference = options.reference ?? pickReference(candidates);

    // 1. Decide.
    let mode: DecisionMode;
    let model: ModelSpec;
    let decision: Decision | undefined;
    let localUnavailable = false;
    let suggestion: Decision | undefined;
    let reason: string;
    const picked = target.kind === 'model' ? candidates.find((m) => m.id === target.modelId && (!target.provider || m.provider === target.provider)) : undefined;
    if (target.kind === 'model' && !picked) {
      throw new PipelineError(`Rightsize has no model "${target.modelId}" available right now. Run “Rightsize: Refresh Models”, or check that its backend is running and has a key.`, undefined);
    }
    const pinned = target.kind === 'model' ? target.pinned : undefined;
    if (target.kind === 'auto' || (settings.mode === 'auto' && !pinned)) {
      const routed = route(false);
      decision = routed;
      localUnavailable = routed.localUnavailable;
      mode = 'auto';
      model = byId(candidates, decision);
      reason = picked && picked.id !== model.id ? `${decision.reason} (auto mode; you picked ${picked.id})` : decision.reason;
    } else {
      model = picked!;
      mode = pinned && pinned.mode !== 'suggest' ? pinned.mode : settings.mode === 'suggest' ? 'suggest' : 'manual';
      if (mode === 'suggest') {
        try { suggestion = route(false); } catch (e) { log(`suggestion unavailable: ${errorText(e)}`); }
      }
      const needs = requiredCapability(request, inputTokens);
      decision = {
        model: model.id,
        provider: model.provider,
        location: model.location,
        task: needs.task,
        requiredCapability: needs.required,
        reason: pinned?.reason ?? `You picked ${model.id}`,
        estimate: estimator(model, { input: inputTokens, cachedInput: 0, output: needs.expectedOutputTokens, reasoning: 0 }),
        alternatives: [],
        signals: suggestion?.signals ?? [],
      };
      const picking = pinned?.reason ?? `You picked ${model.id}`;
      reason = suggestion && suggestion.model !== model.id ? `${picking}; ${suggestion.reason}` : picking;
    }

    // 2. Admit against budgets (reserving the estimate so parallel requests cannot overshoot).
    let admission = deps.gate.admit(decision, { noLocalAlternative: localUnavailable });
    if (admission.verdict === 'downgrade') {
      const from = model.id;
      try {
        const routed = route(true);
        decision = routed;
        localUnavailable = routed.localUnavailable;
      } catch (e) {
        const record = this.record(request, newId(), now(), decision.task, suggestion, mode, reason, model, undefined, inputTokens, 'blocked', settings, reference, candidates, admission.reason);
        deps.append(record);
        const message = `${admission.reason} No local model can take this request: ${errorText(e)}`;
        yield { type: 'blocked', message, record };
        return;
      }
      model = byId(candidates, decision);
      mode = 'auto';
      reason = localUnavailable
        ? `${admission.reason} No local model can take this request, so it stays on ${model.id}.`
        : `${admission.reason} Routed to local ${model.id} instead of ${from}.`;
      yield { type: 'notice', level: 'warning', message: reason, inResponse: true };
      admission = deps.gate.admit(decision, { noLocalAlternative: localUnavailable });
    }
    if (admission.verdict === 'block') {
      const record = this.record(request, newId(), now(), decision.task, suggestion, mode, reason, model, undefined, inputTokens, 'blocked', settings, reference, candidates, admission.message);
      deps.append(record);
      log(`blocked ${model.id}: ${admission.message}`);
      yield { type: 'blocked', message: admission.message, record };
      return;
    }
    if (admission.verdict !== 'admit') throw new Error('unreachable');
    let reservation: Reservation = admission.reservation;
    let ticket: ConversationTicket | undefined;
    if (deps.conversations?.active) {
      const c = await deps.conversations.admit({ conversationId: conversationIdOf(request), location: model.location, estimate: decision.estimate }, signal);
      if (c.verdict !== 'admit') {
        deps.gate.release(reservation);
        if (c.verdict === 'cancelled') return;
        const record = this.record(request, newId(), now(), decision.task, suggestion, mode, reason, model, undefined, inputTokens, 'blocked', settings, reference, candidates, c.message);
        deps.append(record);
        log(`stopped ${model.id}: ${c.message}`);
        yield { type: 'blocked', message: c.message, record };
        return;
      }
      ticket = c.ticket;
    }
    yield { type: 'decision', decision, model, mode, suggestion };
    log(`${request.id} ${decision.task} -> ${model.id} (${mode}): ${reason}`);

    // 3. Stream, falling back to the next allowed candidate in auto mode while nothing was emitted.
    for (;;) {
      let usage: BackendUsage | undefined;
      let emitted = false;
      let outcome: Outcome = 'ok';
      let failure: unknown;
      let powerSample: Promise<number | undefined> | undefined;
      try {
        for await (const part of deps.backendFor(model).stream(model, request, signal)) {
          if (part.type === 'usage') { usage = part.usage; continue; }
          if (!emitted && model.location === 'local' && deps.samplePowerW) powerSample = deps.samplePowerW().catch(() => undefined);
          emitted = true;
          yield part;
        }
      } catch (e) {
        failure = e;
        outcome = signal.aborted || (e instanceof BackendError && e.kind === 'cancelled') ? 'cancelled' : 'error';
      }
      if (outcome === 'error' && !emitted && mode === 'auto' && !signal.aborted) {
        exclude.add(model.id);
        let next: Decision | undefined;
        try { next = route(false); } catch { next = undefined; }
        if (next) {
          const failed = model.id;
          deps.gate.release(reservation);
          const failedRecord = this.record(request, newId(), now(), decision.task, suggestion, mode, reason, model, usage, inputTokens, 'error', settings, reference, candidates, errorText(failure));
          deps.append(failedRecord);
          const nextAdmission = deps.gate.admit(next);
          if (nextAdmission.verdict === 'admit') {
            decision = next;
            model = byId(candidates, next);
            reservation = nextAdmission.reservation;
            reason = `${failed} failed (${errorText(failure)}); fell back to ${model.id}. ${next.reason}`;
            yield { type: 'notice', level: 'warning', message: `Rightsize: ${failed} failed — ${errorText(failure)} Using ${model.id} instead.`, inResponse: false };
            yield { type: 'decision', decision, model, mode, suggestion };
            log(`${request.id} fallback -> ${model.id}`);
            continue;
          }
          if (ticket) deps.conversations?.release(ticket);
          throw new PipelineError(errorText(failure), failedRecord, failure);
        }
      }
      const measuredW = powerSample ? await powerSample : undefined;
      const recordSettings = measuredW ? { ...settings, estimate: { ...settings.estimate, measuredPowerW: measuredW } } : settings;
      const record = this.record(request, newId(), now(), decision.task, suggestion, mode, reason, model, usage, inputTokens, outcome, recordSettings, reference, candidates, failure === undefined ? undefined : errorText(failure));
      deps.append(record);
      const spent = { tokens: record.tokens.input + record.tokens.output, wh: record.energy.wh, usd: record.cost.usd };
      deps.gate.settle(reservation, spent);
      if (ticket) deps.conversations?.settle(ticket, spent);
      if (outcome === 'error') throw new PipelineError(errorText(failure), record, failure);
      yield { type: 'done', record, ...(usage?.doneReason ? { doneReason: usage.doneReason } : {}) };
      return;
    }
  }

  private record(
    request: ChatRequest, id: string, now: Date, task: TaskClass, suggestion: Decision | undefined, mode: DecisionMode,
    reason: string, model: ModelSpec, usage: BackendUsage | undefined, inputTokens: number, outcome: Outcome,
    settings: PipelineSettings, reference: ModelSpec | undefined, candidates: ModelSpec[], error?: string,
  ): UsageRecord {
    const suggestedModel = suggestion ? candidates.find((m) => m.id === suggestion.model && (!suggestion.provider || m.provider === suggestion.provider)) : undefined;
    return buildRecord({
      id, now, request, task, suggested: suggestion, suggestedModel, mode, reason, model, usage,
      countedInputTokens: inputTokens, outcome, error, settings: settings.estimate, reference,
    });
  }
}

function byId(models: ModelSpec[], d: Pick<Decision, 'model' | 'provider'>): ModelSpec {
  const m = models.find((x) => x.id === d.model && (!d.provider || x.provider === d.provider));
  if (!m) throw new Error(`router chose unknown model ${d.model}`);
  return m;
}

/** A message safe to show and to store: BackendErrors are already phrased for humans and carry no secrets. */
export function errorText(e: unknown): string {
  if (e instanceof BackendError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
