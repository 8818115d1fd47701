// The one pipeline every door uses:
//   ChatRequest -> prepare (envelope, turn, budget constraints) -> choose (turn's model / Router.decide)
//     -> BudgetGate.admit -> Backend.stream (escalating once on failure) -> Meter -> Ledger
// A door (chat provider, CLI, tests) calls `run` (or `decide`, to route without sending) and forwards the
// events it cares about.
import { AdmitInput, BudgetGate, Reservation } from './budget/budgetGate';
import { ConversationBudget, ConversationTicket, conversationIdOf } from './budget/conversationBudget';
import { EstimateSettings, estimate } from './estimate';
import { buildRecord } from './meter';
import { ConversationMemory, ConversationState, TurnInfo, turnOf } from './conversation';
import type { Envelope } from './router/envelope';
import type { LearnedAdjustments } from './router/learning';
import { OllamaSnapshot, residency } from './router/residency';
import { envelopeOf } from './router/features';
import { errorText } from './errorText';
import { plannedTokens } from './catalog/reasoningTokens';
import { followSignal } from './backends/common';
import { runsLocally } from './modelLocation';
import {
  CONTEXT_SAFETY_MARGIN, decide, effectiveLocation, pickReference, requiredCapability, RouteDecision, RouteOptions,
} from './router/router';
import {
  Backend, BackendError, BackendUsage, ChatRequest, Decision, DecisionMode, ModelSpec, Objective, Outcome, Provider,
  RoutingMode, StreamPart, TurnRef, UsageRecord,
} from './types';

/**
 * What the door asks for. `pinned`: use this model even in auto mode (the gateway: a client that names a
 * model), recorded with `mode` and `reason`. Tool-loop continuations need no pin: the pipeline keeps a
 * turn's model itself (conversation.ts).
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
  /** What the request's workspace taught the router (learning.ts); absent: nothing learned. */
  learned?(request: ChatRequest): LearnedAdjustments | undefined;
  /** What Ollama has in memory now (/api/ps), read before routing; absent or undefined: unknown. */
  ollamaSnapshot?(): Promise<OllamaSnapshot | undefined>;
  now?(): Date;
  newId?(): string;
}

export type PipelineEvent =
  | { type: 'decision'; decision: Decision; model: ModelSpec; mode: DecisionMode; suggestion?: Decision; turn?: TurnRef }
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

/** Everything about one request that every step reads, computed once: the envelope and the token count
 * are read here and nowhere else. */
interface Prepared {
  request: ChatRequest;
  settings: PipelineSettings;
  candidates: ModelSpec[];
  inputTokens: number;
  envelope: Envelope;
  turn: TurnInfo;
  /** The router's options with the budget's constraints as they are now. */
  options: RouteOptions;
  reference: ModelSpec | undefined;
}

/** The model a request goes to, and why. */
interface Choice {
  decision: Decision;
  model: ModelSpec;
  mode: DecisionMode;
  reason: string;
  suggestion?: Decision;
  localUnavailable: boolean;
  /** Routed by the router (auto), so a failure may escalate. */
  routed: boolean;
}

/** An admitted choice: the gate's reservation and, with per-conversation limits, the conversation's ticket;
 * under a hard budget, the output the request may have. */
interface Admitted { choice: Choice; reservation: Reservation; ticket?: ConversationTicket; maxOutputTokens?: number }

/** Under a hard budget a request reserves its worst case: its output is capped at this (like Anthropic's default). */
const HARD_BUDGET_OUTPUT_CAP = 32_000;

/** One attempt at streaming the answer. */
interface Attempt { usage?: BackendUsage; emitted: boolean; outcome: Outcome; failure?: unknown; measuredW?: number }

/** An answer that is no use although the backend did not fail: nothing at all, or a tool call the request does
 * not offer. Worth one escalation; without one, an empty answer stands (outcome ok) and a bad tool call fails. */
class AnswerProblem extends Error {
  constructor(message: string, readonly empty: boolean) {
    super(message);
  }
}

export class Pipeline {
  /**
   * Which model each recent conversation is on (turn stickiness, follow-up preference). A door that builds
   * a Pipeline per request (the gateway, for a client's own credential) passes one memory to all of them.
   */
  readonly conversationModels: ConversationMemory;

  constructor(private readonly deps: PipelineDeps, conversationModels?: ConversationMemory) {
    this.conversationModels = conversationModels ?? new ConversationMemory();
  }

  /** What Auto would decide for a request now, without sending it (the “Suggest a Model…” command and
   * `rightsize route`, “Retry with a Bigger Model”): the same steps as `run` up to the choice, for Auto.
   * `learned` replaces what the workspace learned (a retry's floor). */
  async decide(request: ChatRequest, learned?: LearnedAdjustments): Promise<RouteDecision> {
    const p = await this.prepare(request);
    const state = this.conversationModels.get(p.turn.conversationId);
    return decide(request, p.inputTokens, { ...p.options, ...(learned ? { learned } : {}), prefer: state ? { model: state.model, provider: state.provider } : undefined });
  }

  /**
   * Runs one request. Yields the decision, then the answer's parts, then `done` with the record.
   * Errors are recorded, then thrown as PipelineError; cancellation is recorded as `cancelled`.
   */
  async *run(request: ChatRequest, target: Target, signal: AbortSignal): AsyncGenerator<PipelineEvent, void, void> {
    const p = await this.prepare(request);
    const choice = this.choose(p, target);
    const admitted = yield* this.admit(p, choice, signal);
    if (!admitted) return;
    this.remember(p, admitted.choice, false);
    yield* this.serve(p, admitted, signal);
  }

  // 1. Read the request once: candidates, tokens, envelope, turn, the budget's constraints.
  private async prepare(request: ChatRequest): Promise<Prepared> {
    const settings = this.deps.settings();
    const [candidates, snapshot] = await Promise.all([this.deps.candidates(), this.deps.ollamaSnapshot?.().catch(() => undefined)]);
    const inputTokens = request.contextTokens ?? this.deps.countInputTokens(request);
    const envelope = envelopeOf(request);
    const options: RouteOptions = {
      candidates,
      objective: settings.objective,
      localOnly: settings.localOnly,
      localPreference: settings.localPreference,
      budget: this.deps.gate.constraints(),
      reference: settings.referenceModel ? candidates.find((m) => m.id === settings.referenceModel) : undefined,
      estimate: (m, t) => estimate(m, t, settings.estimate),
      envelope,
      learned: this.deps.learned?.(request),
      residency: snapshot ? residency(snapshot, settings.estimate) : undefined,
    };
    return {
      request, settings, candidates, inputTokens, envelope, turn: turnOf(request, envelope), options,
      reference: options.reference ?? pickReference(candidates),
    };
  }

  // 2. Choose: a tool-loop continuation keeps its turn's model; Auto routes (preferring the conversation's
  //    model); a manual pick is used as picked (suggest mode adds what Auto would have chosen).
  private choose(p: Prepared, target: Target): Choice {
    const picked = target.kind === 'model' ? p.candidates.find((m) => m.id === target.modelId && (!target.provider || m.provider === target.provider)) : undefined;
    if (target.kind === 'model' && !picked) {
      throw new PipelineError(`Rightsize has no model "${target.modelId}" available right now. Run “Rightsize: Refresh Models”, or check that its backend is running and has a key.`, undefined);
    }
    const pinned = target.kind === 'model' ? target.pinned : undefined;
    if (target.kind === 'auto' || (p.settings.mode === 'auto' && !pinned)) {
      const state = this.conversationModels.get(p.turn.conversationId);
      const kept = p.turn.continuation && state?.turnId === p.turn.turnId ? this.keepTurnModel(p, state) : undefined;
      if (kept) return kept;
      const routed = decide(p.request, p.inputTokens, { ...p.options, prefer: state ? { model: state.model, provider: state.provider } : undefined });
      const model = byId(p.candidates, routed);
      const reason = picked && picked.id !== model.id ? `${routed.reason} (auto mode; you picked ${picked.id})` : routed.reason;
      return { decision: routed, model, mode: 'auto', reason, localUnavailable: routed.localUnavailable, routed: true };
    }
    const model = picked!;
    const mode: DecisionMode = pinned && pinned.mode !== 'suggest' ? pinned.mode : p.settings.mode === 'suggest' ? 'suggest' : 'manual';
    let suggestion: Decision | undefined;
    if (mode === 'suggest') {
      try { suggestion = decide(p.request, p.inputTokens, p.options); } catch (e) { this.log(`suggestion unavailable: ${errorText(e)}`); }
    }
    const picking = pinned?.reason ?? `You picked ${model.id}`;
    const reason = suggestion && suggestion.model !== model.id ? `${picking}; ${suggestion.reason}` : picking;
    return { decision: this.pinned(p, model, picking, suggestion?.signals), model, mode, reason, suggestion, localUnavailable: false, routed: false };
  }

  /** The turn's model for a continuation, if it is still available and the request still fits its window. */
  private keepTurnModel(p: Prepared, state: ConversationState): Choice | undefined {
    const model = p.candidates.find((m) => m.id === state.model && m.provider === state.provider);
    if (!model) return undefined;
    const decision = this.pinned(p, model, '', undefined, state.required);
    const need = p.inputTokens + decision.estimate.tokens.output;
    if (need > Math.floor(model.contextTokens * (1 - CONTEXT_SAFETY_MARGIN))) return undefined;
    decision.reason = `Tool-loop continuation: stays on ${model.id} (${effectiveLocation(model)}), the model that started this turn`;
    decision.signals = ['continuation'];
    return { decision, model, mode: 'auto', reason: decision.reason, localUnavailable: false, routed: true };
  }

  /** A decision for a model chosen without routing (a manual pick, a continuation). */
  private pinned(p: Prepared, model: ModelSpec, reason: string, signals?: string[], required?: number): Decision {
    const needs = requiredCapability(p.request, p.inputTokens, p.envelope);
    return {
      model: model.id,
      provider: model.provider,
      location: model.location,
      task: needs.task,
      requiredCapability: required ?? needs.required,
      reason,
      estimate: p.options.estimate(model, plannedTokens(model, p.inputTokens, needs.expectedOutputTokens)),
      alternatives: [],
      signals: signals ?? [],
    };
  }

  // 3. Admit against the budget (reserving the estimate so parallel requests cannot overshoot). Auto
  //    decisions already respect the budget's constraints; a manual cloud pick the budget refuses under
  //    preferLocal is routed once to a local model, and the answer says so.
  private async *admit(p: Prepared, choice: Choice, signal: AbortSignal): AsyncGenerator<PipelineEvent, Admitted | undefined, void> {
    const gate = this.deps.gate;
    let admission = gate.admit(this.admitInput(p, choice.decision), { noLocalAlternative: choice.routed || choice.localUnavailable });
    if (admission.verdict === 'downgrade') {
      const from = choice.model.id;
      let routed: RouteDecision;
      try {
        routed = decide(p.request, p.inputTokens, { ...p.options, budget: { ...p.options.budget, preferLocal: true } });
      } catch (e) {
        yield this.blocked(p, choice, `${admission.reason} No local model can take this request: ${errorText(e)}`, admission.reason);
        return undefined;
      }
      const model = byId(p.candidates, routed);
      const reason = routed.localUnavailable
        ? `${admission.reason} No local model can take this request, so it stays on ${model.id}.`
        : `${admission.reason} Routed to local ${model.id} instead of ${from}.`;
      choice = { ...choice, decision: routed, model, mode: 'auto', reason, localUnavailable: routed.localUnavailable, routed: true };
      yield { type: 'notice', level: 'warning', message: reason, inResponse: true };
      admission = gate.admit(this.admitInput(p, routed), { noLocalAlternative: true });
    }
    if (admission.verdict === 'block') {
      this.log(`blocked ${choice.model.id}: ${admission.message}`);
      yield this.blocked(p, choice, admission.message, admission.message);
      return undefined;
    }
    if (admission.verdict !== 'admit') throw new Error('unreachable: admitted with noLocalAlternative');
    let ticket: ConversationTicket | undefined;
    const conversations = this.deps.conversations;
    if (conversations?.active) {
      const c = await conversations.admit({ conversationId: conversationIdOf(p.request), location: choice.model.location, estimate: choice.decision.estimate }, signal);
      if (c.verdict !== 'admit') {
        gate.release(admission.reservation);
        if (c.verdict === 'cancelled') return undefined;
        this.log(`stopped ${choice.model.id}: ${c.message}`);
        yield this.blocked(p, choice, c.message, c.message);
        return undefined;
      }
      ticket = c.ticket;
    }
    yield { type: 'decision', decision: choice.decision, model: choice.model, mode: choice.mode, suggestion: choice.suggestion, turn: this.turnRef(p, 1) };
    this.log(`${p.request.id} ${choice.decision.task} -> ${choice.model.id} (${choice.mode}): ${choice.reason}`);
    return { choice, reservation: admission.reservation, ticket, maxOutputTokens: admission.maxOutputTokens };
  }

  /** What the gate needs of a decision: under a hard budget it sizes max_tokens from the price of output. */
  private admitInput(p: Prepared, decision: Decision): AdmitInput {
    const model = p.candidates.find((m) => m.id === decision.model && (!decision.provider || m.provider === decision.provider));
    if (!model) return decision;
    const caps = [p.request.maxOutputTokens, model.maxOutputTokens > 0 ? model.maxOutputTokens : undefined, HARD_BUDGET_OUTPUT_CAP];
    return {
      ...decision,
      maxOutputCap: Math.min(...caps.filter((c): c is number => c !== undefined && c > 0)),
      priceOutput: (output) => {
        const e = p.options.estimate(model, { input: p.inputTokens, cachedInput: 0, output, reasoning: 0 });
        return { tokens: e.tokens.input + e.tokens.output, wh: e.energy.wh, usd: e.cost.usd };
      },
    };
  }

  private blocked(p: Prepared, choice: Choice, message: string, error: string): PipelineEvent {
    const record = this.record(p, choice, undefined, 'blocked', 1, error);
    this.deps.append(record);
    return { type: 'blocked', message, record };
  }

  // 4. Stream the answer. If the turn's routed model fails before answering (backend error, a malformed
  //    tool call, an empty answer), escalate once to the next more capable model, say so in the answer,
  //    and record both attempts.
  private async *serve(p: Prepared, admitted: Admitted, signal: AbortSignal): AsyncGenerator<PipelineEvent, void, void> {
    let { choice, reservation, maxOutputTokens } = admitted;
    const { ticket } = admitted;
    const conversations = this.deps.conversations;
    for (let attemptNo = 1; ; attemptNo++) {
      const attempt = yield* this.attempt(p, choice.model, signal, maxOutputTokens);
      if (attempt.outcome === 'error' && !attempt.emitted && choice.routed && attemptNo === 1 && !signal.aborted) {
        const next = this.escalation(p, choice.model);
        if (next) {
          const failed = choice.model.id;
          this.deps.gate.release(reservation);
          const failedRecord = this.record(p, choice, attempt.usage, 'error', attemptNo, errorText(attempt.failure));
          this.deps.append(failedRecord);
          const admission = this.deps.gate.admit(this.admitInput(p, next), { noLocalAlternative: true });
          if (admission.verdict !== 'admit') {
            if (ticket) conversations?.release(ticket);
            throw new PipelineError(errorText(attempt.failure), failedRecord, attempt.failure);
          }
          const model = byId(p.candidates, next);
          const reason = `${failed} failed (${errorText(attempt.failure)}); escalated to ${model.id}. ${next.reason}`;
          choice = { ...choice, decision: next, model, reason, localUnavailable: next.localUnavailable };
          reservation = admission.reservation;
          maxOutputTokens = admission.maxOutputTokens;
          this.remember(p, choice, true);
          yield { type: 'notice', level: 'warning', message: `Rightsize: ${failed} failed (${errorText(attempt.failure)}), so this answer comes from ${model.id}.`, inResponse: true };
          yield { type: 'decision', decision: next, model, mode: choice.mode, suggestion: choice.suggestion, turn: this.turnRef(p, attemptNo + 1) };
          this.log(`${p.request.id} escalated ${failed} -> ${model.id}`);
          continue;
        }
      }
      if (attempt.failure instanceof AnswerProblem && attempt.failure.empty) {
        attempt.outcome = 'ok';
        attempt.failure = undefined;
      }
      const settings = attempt.measuredW ? { ...p.settings, estimate: { ...p.settings.estimate, measuredPowerW: attempt.measuredW } } : p.settings;
      const record = this.record(p, choice, attempt.usage, attempt.outcome, attemptNo, attempt.failure === undefined ? undefined : errorText(attempt.failure), settings);
      this.deps.append(record);
      const spent = { tokens: record.tokens.input + record.tokens.output, wh: record.energy.wh, usd: record.cost.usd };
      this.deps.gate.settle(reservation, spent);
      if (ticket) conversations?.settle(ticket, spent);
      if (attempt.outcome === 'error') throw new PipelineError(errorText(attempt.failure), record, attempt.failure);
      yield { type: 'done', record, ...(attempt.usage?.doneReason ? { doneReason: attempt.usage.doneReason } : {}) };
      return;
    }
  }

  /** The next more capable model after `failed`, routed with the same constraints; none: no escalation. */
  private escalation(p: Prepared, failed: ModelSpec): RouteDecision | undefined {
    try {
      const next = decide(p.request, p.inputTokens, { ...p.options, exclude: new Set([failed.id]), above: failed.capability.score });
      return next.capabilityShortfall && byId(p.candidates, next).capability.score <= failed.capability.score ? undefined : next;
    } catch {
      return undefined;
    }
  }

  /**
   * One attempt at the answer. With `maxOutputTokens` (a hard budget's allowance) the backend is asked for
   * no more, and the stream is stopped here if the answer runs past it anyway (a server that ignores
   * max_tokens; a backend without it): the part already shown stands, the record says why it stopped.
   */
  private async *attempt(p: Prepared, model: ModelSpec, signal: AbortSignal, maxOutputTokens?: number): AsyncGenerator<PipelineEvent, Attempt, void> {
    let usage: BackendUsage | undefined;
    let emitted = false;
    let answered = false;
    let powerSample: Promise<number | undefined> | undefined;
    const tools = p.request.tools;
    const cap = outputCap(maxOutputTokens);
    let stopped: string | undefined;
    let linked: ReturnType<typeof followSignal> | undefined;
    try {
      // The backend gets the tokens counted here (Ollama sizes its window with them; nothing counts twice).
      let sent = p.request.contextTokens === undefined ? { ...p.request, contextTokens: p.inputTokens } : p.request;
      if (cap) sent = { ...sent, maxOutputTokens: Math.min(sent.maxOutputTokens ?? Infinity, cap.maxOutputTokens) };
      linked = cap ? followSignal(signal, cap.stop) : undefined;
      for await (const part of this.deps.backendFor(model).stream(model, sent, linked ? linked.signal : signal)) {
        if (part.type === 'usage') {
          usage = part.usage;
          for (const w of usage.warnings ?? []) this.log(`${p.request.id} ${model.id}: ${w}`);
          continue;
        }
        if (part.type === 'toolCall' && !tools?.some((t) => t.name === part.name)) {
          throw new AnswerProblem(`${model.id} called a tool the request does not offer ("${part.name}")`, false);
        }
        if (!emitted && runsLocally(model) && this.deps.samplePowerW) powerSample = this.deps.samplePowerW().catch(() => undefined);
        emitted = true;
        if (part.type === 'toolCall' || part.text.trim().length > 0) answered = true;
        yield part;
        if (cap && cap.see(part)) {
          stopped = `Rightsize stopped this answer: it ran past the ${cap.maxOutputTokens.toLocaleString('en-US')} output tokens that what is left of the budget pays for (rightsize.budget.action is "block").`;
          cap.stop.abort();
        }
      }
      if (!answered) throw new AnswerProblem(`${model.id} returned an empty answer`, true);
    } catch (e) {
      if (stopped && !signal.aborted) {
        yield { type: 'notice', level: 'warning', message: stopped, inResponse: true };
        return { usage, emitted, outcome: 'cancelled', failure: new Error(stopped), measuredW: powerSample ? await powerSample : undefined };
      }
      const cancelled = signal.aborted || (e instanceof BackendError && e.kind === 'cancelled');
      const measuredW = powerSample ? await powerSample : undefined;
      // An empty answer after whitespace was shown cannot be taken back: it stands as answered.
      if (e instanceof AnswerProblem && emitted && !cancelled) return { usage, emitted, outcome: 'ok', measuredW };
      return { usage, emitted, outcome: cancelled ? 'cancelled' : 'error', failure: e, measuredW };
    } finally {
      linked?.unlink();
    }
    return { usage, emitted, outcome: 'ok', measuredW: powerSample ? await powerSample : undefined };
  }

  /** The conversation now runs on this choice's model (from this turn on). */
  private remember(p: Prepared, choice: Choice, escalated: boolean): void {
    this.conversationModels.set(p.turn.conversationId, {
      turnId: p.turn.turnId, model: choice.model.id, provider: choice.model.provider, required: choice.decision.requiredCapability, escalated,
    });
  }

  private turnRef(p: Prepared, attempt: number): TurnRef {
    return { conversation: p.turn.conversationId, id: p.turn.turnId, continuation: p.turn.continuation, attempt };
  }

  private log(line: string): void {
    this.deps.log?.(line);
  }

  private record(p: Prepared, choice: Choice, usage: BackendUsage | undefined, outcome: Outcome, attempt: number, error?: string, settings = p.settings): UsageRecord {
    const suggestion = choice.suggestion;
    const suggestedModel = suggestion ? p.candidates.find((m) => m.id === suggestion.model && (!suggestion.provider || m.provider === suggestion.provider)) : undefined;
    return buildRecord({
      id: (this.deps.newId ?? defaultId)(), now: (this.deps.now ?? (() => new Date()))(), request: p.request, task: choice.decision.task,
      suggested: suggestion, suggestedModel, mode: choice.mode, reason: choice.reason, model: choice.model, usage,
      countedInputTokens: p.inputTokens, outcome, error, settings: settings.estimate, reference: p.reference, turn: this.turnRef(p, attempt),
    });
  }
}

/**
 * The stream-side guard of a hard budget's allowance: output seen (ceil(chars / 4) of text and tool calls,
 * as the backends estimate it) past the allowance, with 10% + 16 tokens of slack for tokenizers that pack
 * more characters into a token than 4, stops the answer.
 */
function outputCap(maxOutputTokens: number | undefined): { maxOutputTokens: number; stop: AbortController; see(part: StreamPart): boolean } | undefined {
  if (maxOutputTokens === undefined || !(maxOutputTokens > 0)) return undefined;
  const limitChars = Math.ceil(maxOutputTokens * 1.1 + 16) * 4;
  let chars = 0;
  return {
    maxOutputTokens,
    stop: new AbortController(),
    see(part) {
      chars += part.type === 'text' ? part.text.length : part.type === 'toolCall' ? part.name.length + JSON.stringify(part.input).length : 0;
      return chars > limitChars;
    },
  };
}

function byId(models: ModelSpec[], d: Pick<Decision, 'model' | 'provider'>): ModelSpec {
  const m = models.find((x) => x.id === d.model && (!d.provider || x.provider === d.provider));
  if (!m) throw new Error(`router chose unknown model ${d.model}`);
  return m;
}

