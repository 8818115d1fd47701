// The router: the smallest capable model for a request.
//
// decide() is five named steps: analyse (requirements.ts, over the envelope: envelope.ts), filterCandidates,
// scoreCandidates, rank, explain.
//
//   1. Analyse the request (requirements.ts): task kind from the user's instruction (the envelope reader
//      separates it from host boilerplate and pasted context), required capability (base or fitted model +
//      difficulty signals, raised to a learned floor; for an escalation, above the model that failed:
//      RouteOptions.above), expected output tokens.
//   2. Filter the candidates, in this order (the first failing filter is the candidate's reason):
//        excluded ids (e.g. a model that just failed in this turn)
//        policy:   workspace local-only -> no cloud (an Ollama model that runs remotely counts as cloud);
//                  budget blockCloud     -> no cloud;
//        tools:    the request offers tools -> the model must support tools
//        fim:      the request carries a fill-in-the-middle suffix -> an Ollama code model (supportsFim):
//                  only the Ollama backend has a FIM endpoint (/api/generate with `suffix`), and only code
//                  models' templates accept a suffix. ModelSpec has no FIM flag yet, so code families are
//                  recognised by name (FIM_MODEL_RE).
//        context:  input tokens + expected output <= (1 - CONTEXT_SAFETY_MARGIN) x the model's window.
//                  The margin (10%) covers tokenizer differences: input tokens are counted with one
//                  tokenizer and e.g. Qwen's or Llama's counts run several per cent higher.
//        budget:   the budget's constraints, given before routing (BudgetGate.constraints): preferLocal, or
//                  under the preferLocal action a cloud estimate above what is left (cloudHeadroom) -> no
//                  cloud, unless no local model passes the filters above, in which case cloud models are
//                  allowed again and the decision says so (`localUnavailable`); nothing is routed twice
//        capability: score >= required, where required is raised to the workspace's learned floor for the
//                  task class when there is one (RouteOptions.learned, learning.ts; the reason says so).
//      Local models Ollama has not loaded (RouteOptions.residency, from /api/ps) carry the load's energy and
//      money in their estimate (residency.ts); the reason says when the chosen one must load first, and whom
//      that unloads when memory is short.
//   3. Choose the cheapest of the capable ones by the objective:
//        energy:   central Wh estimate
//        money:    USD estimate
//        balanced: wh / wh_ref + usd / usd_ref — each measured as a fraction of what the reference model
//                  would use for the same tokens, equal weights. Wh and USD have no exchange rate a user
//                  would agree on (at electricity prices a Wh is worth $0.00017, which would make energy
//                  irrelevant next to cloud prices; carbon prices give a similar answer), so both are made
//                  dimensionless against the same yardstick: "half the energy" counts as much as "half the
//                  price". When the reference's figure is 0 (e.g. a free local reference) the largest
//                  figure among the fitting candidates is the yardstick instead.
//      Ties (equal within 1e-9 relative) go to the other metric (under `energy` the cheaper in USD, under
//      `money` the lower Wh: list prices often coincide, e.g. gpt-5 and gemini-2.5-pro), then to the smaller
//      active parameters, then to the id, then the provider (plain string order): same inputs, same
//      decision, whatever the candidates' order.
//      Near ties under `energy`: energy estimates are uncertain (each Estimate carries low..high; cloud
//      parameter counts are unpublished, the local device is often unknown), so a candidate whose central
//      Wh lies inside the cheapest candidate's low..high range, and whose own range contains the cheapest's
//      central Wh, cannot be told apart from it on energy; among those, money decides. Example (generic
//      device profile, a rename): qwen2.5-coder:1.5b at 0.11 Wh (0.015–0.40) and $0.00002 against
//      gpt-5-mini at 0.086 Wh (0.024–0.18) and $0.0007: the local model wins. A candidate clearly outside
//      the range (a local 7B at 0.55 Wh) stays behind. Money has no such band: for the same tokens, price
//      ratios are exact.
//      Local preference (RouteOptions.localPreference, default DEFAULT_LOCAL_PREFERENCE, the setting's
//      default too): when the cheapest capable model is cloud but a capable local model costs at most
//      that many times as much by the objective, the local model is chosen and the reason says so.
//      The conversation's model (RouteOptions.prefer, a follow-up turn): chosen when it is capable enough
//      ("stays on …, this conversation's model"); when it is not, the choice says it "moves up from" it.
//   4. When no candidate reaches the required score but some pass every other filter, the most capable of
//      those is chosen (ties: cheapest by the objective) and the reason says so (`capabilityShortfall`):
//      a request should not fail merely because every allowed model is weaker than ideal. When no candidate
//      passes the other filters, decide() throws NoCapableModelError saying what was needed and why each
//      candidate failed.
//
// The estimator is injected (RouteOptions.estimate); the router computes estimates only for the candidates
// it can choose (the capable ones that pass every filter; the weaker ones only when none is capable), cloud
// candidates the budget's headroom is checked against, and the reference model.
import type { ChatRequest, Decision, Estimate, ModelSpec, Objective, Provider, TaskClass, TokenCounts } from '../types';
import { DEFAULT_LOCAL_PREFERENCE } from '../defaults';
import type { Envelope } from './envelope';
import { fmtRatio, fmtScore, fmtTokens, fmtUsd, fmtWh } from './format';
import type { CapabilityFloor, LearnedAdjustments } from './learning';
import { LoadCost, loadPhrase, Residency, withLoad } from './residency';
import { analyseRequest, Requirements } from './requirements';
import { effectiveLocation } from '../modelLocation';

/** Fraction of a model's context window kept free (tokenizer differences, chat template overhead). */
export const CONTEXT_SAFETY_MARGIN = 0.1;

export interface RouteOptions {
  candidates: ModelSpec[];
  objective: Objective;
  localOnly: boolean;
  /** The budget's constraints, given before routing (BudgetGate.constraints): `preferLocal` keeps cloud models
   * out unless no local model fits; `cloudHeadroom` (under the preferLocal action) keeps out cloud models whose
   * estimate would overrun what is left, with the same exception; `blockCloud` keeps them out. */
  budget: { preferLocal: boolean; blockCloud: boolean; cloudHeadroom?: { tokens: number; wh: number; usd: number } };
  /** The counterfactual model; default: the most capable candidate (ties: more active params, then id). */
  reference?: ModelSpec;
  estimate: (model: ModelSpec, tokens: TokenCounts) => Estimate;
  /** Model ids not to use for this request (e.g. a backend that just failed). */
  exclude?: ReadonlySet<string>;
  /**
   * Prefer a capable local model unless the cheapest capable cloud model is more than this many times
   * cheaper by the objective (1 = decide by the numbers alone). Local keeps code on the machine, costs no
   * API money, and its energy comes from measured timings while cloud energy rests on parameter guesses.
   */
  localPreference?: number;
  /** The request's envelope, when the caller already read it (the pipeline reads it once per request). */
  envelope?: Envelope;
  /** The conversation's current model: chosen when it is capable enough (a follow-up keeps its model and
   * prompt cache); when it is not, the decision says it moves up from it. */
  prefer?: { model: string; provider?: Provider };
  /** Escalation: the request needs more than this capability score (the turn's model just failed). */
  above?: number;
  /** What this workspace taught the router (learning.ts): a floor under the required capability per task class. */
  learned?: LearnedAdjustments;
  /** What Ollama has in memory now (residency.ts): a model that must load first carries its load's energy and
   * money in the comparison; the reason says what it loads and unloads. Absent: residency unknown. */
  residency?: Residency;
}

export { DEFAULT_LOCAL_PREFERENCE } from '../defaults';

export interface RouteDecision extends Decision {
  /** No allowed model reached the required score; the most capable one that fits was chosen. */
  capabilityShortfall: boolean;
  /** The budget prefers local models but none fits this request, so a cloud model was chosen. */
  localUnavailable: boolean;
  /** Output tokens the estimates assume (before each model's own cap). */
  expectedOutputTokens: number;
  /** The reference model's id (the counterfactual of the reason and of `reference`). */
  referenceModel: string;
  /** A learned floor that raised the required capability for this request (learning.ts). */
  learned?: CapabilityFloor;
  /** The chosen local model is not in memory: what loading it costs and whom it unloads (residency.ts). */
  load?: LoadCost;
}

export type FilterName = 'excluded' | 'localOnly' | 'blockCloud' | 'preferLocal' | 'tools' | 'fim' | 'context' | 'capability';

export interface CandidateFailure { model: string; filter: FilterName; reason: string }

export class NoCapableModelError extends Error {
  constructor(
    message: string,
    readonly task: TaskClass,
    readonly required: number,
    readonly failures: readonly CandidateFailure[],
  ) {
    super(message);
    this.name = 'NoCapableModelError';
  }
}

/** Ollama code models whose templates take a FIM suffix (Qwen2.5/3-Coder, Code Llama, DeepSeek-Coder,
 * StarCoder, Codestral, CodeGemma, Granite Code, Stable Code, CodeQwen). */
export const FIM_MODEL_RE = /(?:qwen2\.5-coder|qwen3-coder|codellama|deepseek-coder|starcoder|codestral|codegemma|granite-code|stable-code|codeqwen)/i;

/** Whether a request with a FIM suffix can be served by this model (see the `fim` filter above). */
export function supportsFim(m: ModelSpec): boolean {
  return m.provider === 'ollama' && FIM_MODEL_RE.test(m.id);
}

/** Where a model really runs (modelLocation.ts; re-exported for the router's users). */
export { effectiveLocation };

/** The most capable model; ties: more active parameters, then id. */
export function pickReference(models: readonly ModelSpec[]): ModelSpec | undefined {
  let best: ModelSpec | undefined;
  for (const m of models) {
    if (!best) { best = m; continue; }
    const d = m.capability.score - best.capability.score;
    if (d > 0 || (d === 0 && (activeMid(m) > activeMid(best) || (activeMid(m) === activeMid(best) && m.id < best.id)))) best = m;
  }
  return best;
}

interface Scored {
  model: ModelSpec;
  estimate: Estimate;
  /** The objective's figure (Wh, USD, or the balanced sum); lower is better. */
  score: number;
  /** The other metric, which decides ties and energy near ties (USD under `energy`, Wh under `money`). */
  secondary: number;
}

export function decide(request: ChatRequest, inputTokens: number, options: RouteOptions): RouteDecision {
  const input = Number.isFinite(inputTokens) && inputTokens > 0 ? Math.round(inputTokens) : 0;
  const req = withFloor(applyLearnedFloor(analyseRequest(request, input, options.envelope), options.learned), options.above);
  if (options.candidates.length === 0) {
    throw new NoCapableModelError('No models are available to route to: install an Ollama model or configure a cloud model.', req.task, req.required, []);
  }
  const filtered = filterCandidates(req, input, options);
  const scored = scoreCandidates(filtered, req, input, options);
  const ranked = rank(scored, req, options, filtered.failures);
  return explain(ranked, scored, filtered, req, options);
}

/** Escalation: the request needs more than the model that just failed (`above`). */
function withFloor<R extends Requirements>(req: R, above: number | undefined): R {
  if (above === undefined || !(above >= req.required)) return req;
  // In place, as applyLearnedFloor: `req` is this decision's own object.
  req.signals = req.signals.concat(`escalation>${fmtScore(above)}`);
  req.required = Math.min(100, above + CAPABILITY_STEP);
  return req;
}

/** The least capability step that counts as "more capable" (catalog scores have one decimal). */
const CAPABILITY_STEP = 0.05;

interface Filtered {
  /** Passes every filter but capability. */
  fitting: ModelSpec[];
  failures: CandidateFailure[];
  /** The budget keeps cloud models out, but no local model fits, so cloud models were let back in. */
  localUnavailable: boolean;
  /** A candidate's estimate for this request, computed once when first needed. */
  estimateOf(m: ModelSpec): Estimate;
}

/** Step 2: policy, hard filters, then the budget's constraints (which need the estimates). */
function filterCandidates(req: Requirements, input: number, options: RouteOptions): Filtered {
  const failures: CandidateFailure[] = [];
  const passing: ModelSpec[] = [];
  const { blockCloud } = options.budget;
  for (const m of options.candidates) {
    const cloud = effectiveLocation(m) === 'cloud';
    let f: CandidateFailure | undefined;
    if (options.exclude?.has(m.id)) f = { model: m.id, filter: 'excluded', reason: 'excluded for this request' };
    else if (options.localOnly && cloud) f = { model: m.id, filter: 'localOnly', reason: m.location === 'local' ? 'runs remotely; the workspace is local-only' : 'cloud model; the workspace is local-only' };
    else if (blockCloud && cloud) f = { model: m.id, filter: 'blockCloud', reason: 'cloud model; the budget blocks cloud requests' };
    else f = hardFailure(m, req, input);
    if (f) failures.push(f);
    else passing.push(m);
  }
  const estimates = new Map<ModelSpec, Estimate>();
  const estimateOf = (m: ModelSpec): Estimate => {
    let e = estimates.get(m);
    if (!e) estimates.set(m, (e = withLoad(options.estimate(m, tokensFor(m, input, req.expectedOutputTokens)), options.residency?.load(m))));
    return e;
  };
  // The budget: under preferLocal (or when a cloud request would overrun what is left), cloud models are
  // set aside unless no local model fits at all.
  const aside: CandidateFailure[] = [];
  const fitting: ModelSpec[] = [];
  for (const m of passing) {
    const f = effectiveLocation(m) === 'cloud' ? budgetFailure(m, estimateOf, options.budget) : undefined;
    if (f) aside.push(f);
    else fitting.push(m);
  }
  let localUnavailable = false;
  if (fitting.length === 0 && aside.length > 0) {
    for (const f of aside) fitting.push(options.candidates.find((m) => m.id === f.model && passing.includes(m))!);
    localUnavailable = true;
  } else failures.push(...aside);
  if (fitting.length === 0) throw noModelError(req, input, options, failures);
  return { fitting, failures, localUnavailable, estimateOf };
}

function hardFailure(m: ModelSpec, req: Requirements, input: number): CandidateFailure | undefined {
  const tools = req.features.tools;
  if (tools > 0 && !m.tools) {
    return { model: m.id, filter: 'tools', reason: `no tool support (the request offers ${tools} tool${tools === 1 ? '' : 's'})` };
  }
  if (req.features.hasSuffix && !supportsFim(m)) {
    return { model: m.id, filter: 'fim', reason: 'no fill-in-the-middle completion (needs an Ollama code model)' };
  }
  const need = input + outputFor(m, req.expectedOutputTokens);
  const usable = Math.floor(m.contextTokens * (1 - CONTEXT_SAFETY_MARGIN));
  if (need > usable) {
    return { model: m.id, filter: 'context', reason: `needs ${fmtTokens(need)} tokens of context, window ${fmtTokens(m.contextTokens)} (${fmtTokens(usable)} usable)` };
  }
  return undefined;
}

function budgetFailure(m: ModelSpec, estimateOf: (m: ModelSpec) => Estimate, budget: RouteOptions['budget']): CandidateFailure | undefined {
  if (budget.preferLocal) return { model: m.id, filter: 'preferLocal', reason: 'cloud model; the budget prefers local models' };
  const room = budget.cloudHeadroom;
  if (!room) return undefined;
  const e = estimateOf(m);
  const tokens = e.tokens.input + e.tokens.output;
  if (tokens > room.tokens) return { model: m.id, filter: 'preferLocal', reason: `cloud model; about ${fmtTokens(tokens)} tokens would overrun the budget (${fmtTokens(Math.max(0, room.tokens))} left), which prefers local models` };
  if (e.energy.wh > room.wh) return { model: m.id, filter: 'preferLocal', reason: `cloud model; about ${fmtWh(e.energy.wh)} would overrun the budget (${fmtWh(Math.max(0, room.wh))} left), which prefers local models` };
  if (e.cost.usd > room.usd) return { model: m.id, filter: 'preferLocal', reason: `cloud model; about ${fmtUsd(e.cost.usd)} would overrun the budget (${fmtUsd(Math.max(0, room.usd))} left), which prefers local models` };
  return undefined;
}

interface ScoredSet {
  capable: Scored[];
  /** Scored only when none is capable (the most capable of them is then chosen). */
  weaker: Scored[];
  /** Fitting candidates below the required score. */
  weakerModels: ModelSpec[];
  reference: ModelSpec;
  referenceEstimate: Estimate;
}

/** Step 3: split the fitting candidates into capable and weaker, and give each that can be chosen (the capable
 * ones; the weaker ones only when none is capable) its figure by the objective. Estimates are computed only
 * for those, plus the reference. */
function scoreCandidates(filtered: Filtered, req: Requirements, input: number, options: RouteOptions): ScoredSet {
  const reference = options.reference ?? pickReference(options.candidates)!;
  const estimateOf = filtered.estimateOf;
  const referenceEstimate = filtered.fitting.includes(reference) ? estimateOf(reference) : options.estimate(reference, tokensFor(reference, input, req.expectedOutputTokens));
  const capableModels: ModelSpec[] = [];
  const weakerModels: ModelSpec[] = [];
  for (const m of filtered.fitting) {
    if (m.capability.score >= req.required) capableModels.push(m);
    else {
      weakerModels.push(m);
      filtered.failures.push({ model: m.id, filter: 'capability', reason: `score ${fmtScore(m.capability.score)} < ${fmtScore(req.required)} required` });
    }
  }
  const objective = options.objective;
  let normWh = referenceEstimate.energy.wh;
  let normUsd = referenceEstimate.cost.usd;
  if (objective === 'balanced' && !(normWh > 0 && normUsd > 0)) {
    let maxWh = 0, maxUsd = 0;
    for (const m of filtered.fitting) {
      const e = estimateOf(m);
      if (e.energy.wh > maxWh) maxWh = e.energy.wh;
      if (e.cost.usd > maxUsd) maxUsd = e.cost.usd;
    }
    if (!(normWh > 0)) normWh = maxWh;
    if (!(normUsd > 0)) normUsd = maxUsd;
  }
  const scored = (m: ModelSpec): Scored => {
    const e = estimateOf(m);
    const score = objective === 'energy' ? e.energy.wh : objective === 'money' ? e.cost.usd
      : (normWh > 0 ? e.energy.wh / normWh : 0) + (normUsd > 0 ? e.cost.usd / normUsd : 0);
    const secondary = objective === 'energy' ? e.cost.usd : objective === 'money' ? e.energy.wh : 0;
    return { model: m, estimate: e, score: finiteOrInf(score), secondary: finiteOrInf(secondary) };
  };
  const capable = capableModels.map(scored);
  const weaker = capable.length === 0 ? weakerModels.map(scored) : [];
  return { capable, weaker, weakerModels, reference, referenceEstimate };
}

interface Ranked {
  /** Chosen first. */
  pool: Scored[];
  capabilityShortfall: boolean;
  nearTied: ReadonlySet<Scored>;
  localPreferred: boolean;
  /** The conversation's model (RouteOptions.prefer): kept, or left for a more capable one. */
  conversation?: { kept: true } | { kept: false; model: string; why: string };
}

/** Step 4: cheapest capable (energy near ties by money), local preference, then the conversation's model. */
function rank(set: ScoredSet, req: Requirements, options: RouteOptions, failures: readonly CandidateFailure[]): Ranked {
  const capabilityShortfall = set.capable.length === 0;
  let pool: Scored[];
  let nearTied: ReadonlySet<Scored> = new Set();
  if (!capabilityShortfall) {
    pool = set.capable.sort(byObjective);
    if (options.objective === 'energy' && pool.length > 1) {
      const best = pool[0].estimate.energy;
      const band = pool.filter((x) => x === pool[0] || (x.estimate.energy.wh <= best.high && x.estimate.energy.low <= best.wh));
      if (band.length > 1) {
        nearTied = new Set(band);
        pool = band.sort(bySecondary).concat(pool.filter((x) => !nearTied.has(x)));
      }
    }
  } else {
    pool = set.weaker.sort((a, b) => b.model.capability.score - a.model.capability.score || byObjective(a, b));
  }
  let localPreferred = false;
  const preference = options.localPreference ?? DEFAULT_LOCAL_PREFERENCE;
  if (!capabilityShortfall && preference > 1 && effectiveLocation(pool[0].model) === 'cloud') {
    const local = pool.find((x) => effectiveLocation(x.model) === 'local');
    if (local && local.score <= pool[0].score * preference) {
      pool = [local, ...pool.filter((x) => x !== local)];
      localPreferred = true;
    }
  }
  let conversation: Ranked['conversation'];
  const prefer = options.prefer;
  if (prefer) {
    const isIt = (m: ModelSpec): boolean => m.id === prefer.model && (!prefer.provider || m.provider === prefer.provider);
    const kept = capabilityShortfall ? undefined : pool.find((x) => isIt(x.model));
    if (kept) {
      if (pool[0] !== kept) {
        pool = [kept, ...pool.filter((x) => x !== kept)];
        localPreferred = false;
      }
      conversation = { kept: true };
    } else {
      const weak = set.weakerModels.find(isIt);
      const failed = failures.find((f) => f.model === prefer.model);
      const why = weak ? `score ${fmtScore(weak.capability.score)} < ${fmtScore(req.required)} required`
        : failed ? failed.reason : 'no longer available';
      if (pool[0] && !isIt(pool[0].model)) conversation = { kept: false, model: prefer.model, why };
    }
  }
  return { pool, capabilityShortfall, nearTied, localPreferred, conversation };
}

/** Step 5: the decision and its one-line reason. */
function explain(ranked: Ranked, set: ScoredSet, filtered: Filtered, req: Requirements & { learned?: CapabilityFloor }, options: RouteOptions): RouteDecision {
  const { pool, capabilityShortfall } = ranked;
  const chosen = pool[0];
  const { reference, referenceEstimate } = set;
  const required = req.required;
  const objective = options.objective;
  const label = taskLabel(req);
  const loc = effectiveLocation(chosen.model);
  const isRef = sameModel(chosen.model, reference);
  const cost = costPhrase(objective, chosen, referenceEstimate, reference, isRef);
  const score = fmtScore(chosen.model.capability.score);
  let reason: string;
  if (ranked.conversation?.kept) {
    reason = `${label}: stays on ${chosen.model.id} (${loc}), this conversation's model, capable enough (score ${score} ≥ ${fmtScore(required)}) and ${cost}`;
  } else if (!capabilityShortfall) {
    reason = isRef
      ? `${label}: ${chosen.model.id} (${loc}) is the ${pool.length === 1 ? 'only' : 'cheapest'} allowed model capable enough (score ${score} ≥ ${fmtScore(required)}) and ${cost}`
      : `${label}: ${chosen.model.id} (${loc}) is capable enough (score ${score} ≥ ${fmtScore(required)}) and ${cost}`;
  } else {
    reason = `${label} needs score ${fmtScore(required)}, which no allowed model reaches: ${chosen.model.id} (${loc}) is the most capable that fits (score ${score}) and ${cost}`;
  }
  if (ranked.conversation && !ranked.conversation.kept) reason += `; moves up from ${ranked.conversation.model}, this conversation's model (${ranked.conversation.why})`;
  if (filtered.localUnavailable) reason += '; cloud because no local model fits, though the budget prefers local';
  if (req.learned) reason += `; ${req.learned.reason}`;
  const load = options.residency?.load(chosen.model);
  if (load) reason += `; ${loadPhrase(chosen.model, load)}`;
  else if (options.residency?.isLoaded(chosen.model) && pool.some((x) => x !== chosen && effectiveLocation(x.model) === 'local' && options.residency!.load(x.model))) {
    reason += '; already loaded in Ollama (the load of a model not in memory counts against it)';
  }
  if (ranked.localPreferred) reason += `; local preferred (within ${options.localPreference ?? DEFAULT_LOCAL_PREFERENCE}× of the cheapest cloud model by ${objective})`;
  const runnerUp = pickRunnerUp(pool, chosen, filtered.failures, options.candidates, required, objective, capabilityShortfall, ranked.nearTied);
  return {
    model: chosen.model.id,
    provider: chosen.model.provider,
    location: loc,
    task: req.task,
    requiredCapability: required,
    reason,
    runnerUp,
    estimate: chosen.estimate,
    reference: referenceEstimate,
    alternatives: pool.slice(1).sort(byObjective).map((s) => s.estimate),
    signals: req.signals,
    capabilityShortfall,
    localUnavailable: filtered.localUnavailable,
    expectedOutputTokens: req.expectedOutputTokens,
    referenceModel: reference.id,
    ...(req.learned ? { learned: req.learned } : {}),
    ...(load ? { load } : {}),
  };
}

/** The request's requirements with the workspace's learned floor applied, when it raises them. `req` is this
 * decision's own object (analyseRequest builds it per call), so it is updated in place: copying it with a
 * spread cost a third of a decision's time on the chat door's path (bench router.*.learnedAndLoaded). */
function applyLearnedFloor(req: Requirements, learned: LearnedAdjustments | undefined): Requirements & { learned?: CapabilityFloor } {
  const floor = learned?.floorFor(req.task);
  if (!floor || !(floor.score > req.required)) return req;
  const raised: Requirements & { learned?: CapabilityFloor } = req;
  raised.signals = req.signals.concat(`learned+${fmtScore(floor.score - req.required)}`);
  raised.required = Math.min(100, floor.score);
  raised.learned = floor;
  return raised;
}

function byObjective(a: Scored, b: Scored): number {
  return compareFigure(a.score, b.score) || compareFigure(a.secondary, b.secondary) || bySize(a, b);
}

function bySecondary(a: Scored, b: Scored): number {
  return compareFigure(a.secondary, b.secondary) || compareFigure(a.score, b.score) || bySize(a, b);
}

/** Smaller active parameters first, then the id, then the provider, in plain string order. */
function bySize(a: Scored, b: Scored): number {
  const p = activeMid(a.model) - activeMid(b.model);
  if (p !== 0) return p < 0 ? -1 : 1;
  if (a.model.id !== b.model.id) return a.model.id < b.model.id ? -1 : 1;
  return a.model.provider < b.model.provider ? -1 : a.model.provider > b.model.provider ? 1 : 0;
}

/** Equal within 1e-9 relative (floating-point noise), else by value. */
function compareFigure(a: number, b: number): number {
  if (a === b) return 0;
  const d = a - b;
  if (Math.abs(d) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))) return 0;
  return d < 0 ? -1 : 1;
}

function finiteOrInf(x: number): number {
  return Number.isFinite(x) ? x : Number.POSITIVE_INFINITY;
}

function sameModel(a: ModelSpec, b: ModelSpec): boolean {
  return a === b || (a.id === b.id && a.provider === b.provider);
}

function activeMid(m: ModelSpec): number {
  return (m.params.activeB.min + m.params.activeB.max) / 2;
}

function outputFor(m: ModelSpec, expected: number): number {
  return m.maxOutputTokens > 0 && m.maxOutputTokens < expected ? m.maxOutputTokens : expected;
}

function tokensFor(m: ModelSpec, input: number, expected: number): TokenCounts {
  return { input, cachedInput: 0, output: outputFor(m, expected), reasoning: 0 };
}

function costPhrase(objective: Objective, chosen: Scored, ref: Estimate, refModel: ModelSpec, isRef: boolean): string {
  const e = chosen.estimate;
  if (isRef) {
    if (objective === 'energy') return `uses ${fmtWh(e.energy.wh)}`;
    if (objective === 'money') return `costs ${fmtUsd(e.cost.usd)}`;
    return `uses ${fmtWh(e.energy.wh)} and ${fmtUsd(e.cost.usd)}`;
  }
  if (objective === 'energy') return `uses ${fmtWh(e.energy.wh)} vs ${fmtWh(ref.energy.wh)} on ${refModel.id}`;
  if (objective === 'money') return `costs ${fmtUsd(e.cost.usd)} vs ${fmtUsd(ref.cost.usd)} on ${refModel.id}`;
  return `uses ${fmtWh(e.energy.wh)} and ${fmtUsd(e.cost.usd)} vs ${fmtWh(ref.energy.wh)} and ${fmtUsd(ref.cost.usd)} on ${refModel.id}`;
}

function pickRunnerUp(
  pool: Scored[],
  chosen: Scored,
  failures: CandidateFailure[],
  candidates: readonly ModelSpec[],
  required: number,
  objective: Objective,
  shortfall: boolean,
  nearTied: ReadonlySet<Scored>,
): { model: string; reason: string } | undefined {
  // Most capable candidate that failed a filter other than capability (for a shortfall: one that would
  // have been capable enough).
  const failedStrong = (): { model: string; reason: string } | undefined => {
    let best: { spec: ModelSpec; f: CandidateFailure } | undefined;
    for (const f of failures) {
      if (f.filter === 'capability') continue;
      const spec = candidates.find((c) => c.id === f.model);
      if (!spec || (shortfall && spec.capability.score < required)) continue;
      if (!best || spec.capability.score > best.spec.capability.score) best = { spec, f };
    }
    return best ? { model: best.f.model, reason: `${describe(best.spec)}: ${best.f.reason}` } : undefined;
  };
  if (shortfall) {
    const strong = failedStrong();
    if (strong) return strong;
    const next = pool[1];
    return next ? { model: next.model.id, reason: `${describe(next.model)}: less capable (score ${fmtScore(next.model.capability.score)})` } : undefined;
  }
  const next = pool[1];
  if (next) {
    return {
      model: next.model.id,
      reason: `${describe(next.model)}: also capable (score ${fmtScore(next.model.capability.score)} ≥ ${fmtScore(required)}) but ${dearerPhrase(objective, next, chosen, nearTied.has(next) && nearTied.has(chosen))}`,
    };
  }
  // Only one capable model: the best reason another was not used.
  let weak: { spec: ModelSpec; f: CandidateFailure } | undefined;
  for (const f of failures) {
    if (f.filter !== 'capability') continue;
    const spec = candidates.find((c) => c.id === f.model);
    if (spec && (!weak || spec.capability.score > weak.spec.capability.score)) weak = { spec, f };
  }
  if (weak) return { model: weak.f.model, reason: `${describe(weak.spec)}: ${weak.f.reason}` };
  return failedStrong();
}

function describe(m: ModelSpec): string {
  return `${m.id} (${effectiveLocation(m)})`;
}

function dearerPhrase(objective: Objective, next: Scored, chosen: Scored, nearTie: boolean): string {
  const e = next.estimate, c = chosen.estimate;
  if (nearTie && compareFigure(next.secondary, chosen.secondary) !== 0) {
    return `uses ${fmtWh(e.energy.wh)} (${fmtWh(e.energy.low)}–${fmtWh(e.energy.high)}, which estimates cannot tell apart from ${fmtWh(c.energy.wh)}) and costs ${fmtUsd(e.cost.usd)} (${fmtRatio(e.cost.usd, c.cost.usd)} the price)`;
  }
  if (compareFigure(next.score, chosen.score) === 0) {
    if (objective === 'energy' && compareFigure(next.secondary, chosen.secondary) !== 0) {
      return `uses the same energy (${fmtWh(e.energy.wh)}) and costs ${fmtUsd(e.cost.usd)} (${fmtRatio(e.cost.usd, c.cost.usd)} the price)`;
    }
    if (objective === 'money' && compareFigure(next.secondary, chosen.secondary) !== 0) {
      return `costs the same (${fmtUsd(e.cost.usd)}) and uses ${fmtWh(e.energy.wh)} (${fmtRatio(e.energy.wh, c.energy.wh)} the energy)`;
    }
    return 'costs the same; ties go to the smaller model, then by name';
  }
  if (objective === 'energy') return `uses ${fmtWh(e.energy.wh)} (${fmtRatio(e.energy.wh, c.energy.wh)} the energy)`;
  if (objective === 'money') return `costs ${fmtUsd(e.cost.usd)} (${fmtRatio(e.cost.usd, c.cost.usd)} the price)`;
  return `uses ${fmtWh(e.energy.wh)} and ${fmtUsd(e.cost.usd)} (${fmtRatio(next.score, chosen.score)} the balanced cost)`;
}

const SIGNAL_WORDS: Readonly<Record<string, string>> = {
  stackTrace: 'stack trace',
  concurrency: 'concurrency',
  security: 'security',
  performance: 'performance',
  distributed: 'distributed systems',
  manyCodeBlocks: 'several code blocks',
  codeBlocks: 'several code blocks',
  longHistory: 'long history',
  largeContext: 'large context',
  depth: 'depth asked for',
};

/** "Rename in one file", "Bug fix (stack trace, concurrency)", "Change across 6 files". */
export function taskLabel(req: Requirements): string {
  const f = req.features;
  let label: string;
  switch (req.kind) {
    case 'completion': label = 'Inline completion'; break;
    case 'rename': label = f.files <= 1 ? 'Rename in one file' : 'Rename'; break;
    case 'document': label = 'Docs/comments'; break;
    case 'refactor': label = 'Refactor'; break;
    case 'generate': label = 'Code generation'; break;
    case 'explain': label = 'Explanation'; break;
    case 'test': label = 'Tests'; break;
    case 'fix': label = 'Bug fix'; break;
    case 'multiFile': label = f.files >= 2 ? `Change across ${f.files} files` : 'Multi-file change'; break;
    case 'design': label = f.files >= 2 ? `Design question over ${f.files} files` : 'Design question'; break;
    case 'agentic': label = `Agentic task (${f.tools} tools, ${f.messages} messages)`; break;
  }
  const words: string[] = [];
  for (const n of req.difficultyNames) {
    if (n === 'manyFiles') {
      if (req.kind !== 'multiFile' && req.kind !== 'design') words.push('many files');
      continue;
    }
    if (n === 'longHistory' && req.kind === 'agentic') continue;
    const w = SIGNAL_WORDS[n];
    if (w && !words.includes(w)) words.push(w);
  }
  return words.length > 0 ? `${label} (${words.join(', ')})` : label;
}

function noModelError(req: Requirements, input: number, options: RouteOptions, failures: CandidateFailure[]): NoCapableModelError {
  const label = taskLabel(req);
  const needs: string[] = [`about ${fmtTokens(input + req.expectedOutputTokens)} tokens of context`];
  if (req.features.tools > 0) needs.push('tool support');
  let head: string;
  if (options.localOnly) head = `This workspace is local-only and no local model can take this request`;
  else if (options.budget.blockCloud) head = `The budget blocks cloud models and no local model can take this request`;
  else head = `No model can take this request`;
  const shown = failures.slice(0, 8).map((f) => `${f.model}: ${f.reason}`);
  if (failures.length > 8) shown.push(`and ${failures.length - 8} more`);
  const message = `${head} (${label}; needs ${needs.join(', ')}). ${shown.join('; ')}.`;
  return new NoCapableModelError(message, req.task, req.required, failures);
}

// The rest of the router's public surface, so callers can import everything from this module.
export { classifyTask } from './taskClassifier';
export { requiredCapability } from './requirements';
