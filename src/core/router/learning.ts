// Learning from the user: per workspace and task class, a learned floor under the required capability.
//
// Signals (learningSignals.ts finds them in the conversations):
//   escalation  an Auto answer from model F was not good enough: the same conversation was re-sent with a
//               bigger model T picked by hand, or *Rightsize: Retry with a Bigger Model* was run on it.
//   acceptance  the conversation went on after an Auto answer without an escalation.
//
// The rule (a staircase with back-off, in the spirit of adaptive up-down methods):
//   - An escalation from F (score s) to T (score S > s) raises the class's floor to just above s
//     (s + FLOOR_STEP): the next request of that class goes to the next model up, not straight to what the
//     user picked. Bounds: never above S (what the user asked for), never above MAX_FLOOR, never lowered by
//     an escalation. A manual pick that is not bigger than F is no escalation.
//   - The floor holds for `holdFor` accepted answers (HOLD_INITIAL = 5). Then it is released (the router
//     tries the smaller models again). An escalation while a floor holds, or soon after one was released,
//     doubles `holdFor` (up to HOLD_MAX): a user who keeps escalating gets a floor that stays.
//   - Decay by time: a floor lapses FLOOR_TTL_DAYS after its last escalation; the back-off memory
//     (`holdFor`) resets BACKOFF_TTL_DAYS after it.
// The router applies the floor as a constraint: required = max(required from the request, floor); the
// decision's reason says so when the floor raised it ("learned here: tests need ≥ 9.6 …").
//
// Pure: state in, state out. Storage (a small JSON file in the extension's own storage, never synced) is
// learningStore.ts.
import type { TaskClass, WorkspaceRef } from '../types';
import { fmtScore } from './format';

export const LEARNING_STATE_VERSION = 1;
/** The floor sits this far above the escalated model's score (scores carry one decimal). */
export const FLOOR_STEP = 0.1;
/** No learned floor exceeds this (frontier models score 77–88): learning cannot lock a class to the largest model. */
export const MAX_FLOOR = 80;
/** Accepted answers a new floor holds for. */
export const HOLD_INITIAL = 5;
/** The longest hold after repeated escalations. */
export const HOLD_MAX = 40;
/** A floor lapses this many days after its last escalation. */
export const FLOOR_TTL_DAYS = 30;
/** The back-off memory lapses this many days after the last escalation. */
export const BACKOFF_TTL_DAYS = 90;
/** Workspaces kept (the least recently updated are dropped beyond this). */
export const MAX_WORKSPACES = 200;

const DAY_MS = 86_400_000;
const TASKS: readonly TaskClass[] = ['completion', 'explain', 'document', 'test', 'fix', 'refactor', 'multiFile', 'design', 'agentic'];

/** What was learned for one task class in one workspace. */
export interface LearnedEntry {
  /** Required capability at least this (0–MAX_FLOOR); 0 = no floor (released or lapsed). */
  floor: number;
  /** The model whose answer set the floor (the floor lies just above its score). */
  above: string;
  /** Escalations seen for this class here (all time, until reset). */
  escalations: number;
  /** Accepted answers since the last escalation. */
  accepted: number;
  /** Accepted answers the floor holds for. */
  holdFor: number;
  /** ISO time of the last escalation. */
  lastEscalation: string;
}

export interface WorkspaceLearning {
  name: string;
  /** ISO time of the last change. */
  updated: string;
  tasks: Partial<Record<TaskClass, LearnedEntry>>;
}

export interface LearningState {
  v: typeof LEARNING_STATE_VERSION;
  workspaces: Record<string, WorkspaceLearning>;
}

export interface ModelScore { model: string; score: number }

export type LearningSignal =
  | {
    kind: 'escalation';
    workspace: WorkspaceRef;
    task: TaskClass;
    /** The model Auto chose. */
    from: ModelScore;
    /** The bigger model the user wanted (picked by hand, or the one the retry goes to). */
    to: ModelScore;
    via: 'manualPick' | 'retryCommand';
    at: Date;
  }
  | { kind: 'acceptance'; workspace: WorkspaceRef; task: TaskClass; model: ModelScore; at: Date };

/** A lower bound on the required capability, with the words the decision's reason uses. */
export interface CapabilityFloor { score: number; reason: string }

/** What the router asks: a floor for a task class (undefined: nothing learned). */
export interface LearnedAdjustments {
  floorFor(task: TaskClass): CapabilityFloor | undefined;
}

/** One learned floor as the panel and the log show it. */
export interface LearnedFloorView {
  task: TaskClass;
  /** "tests need ≥ 9.6" */
  summary: string;
  floor: number;
  above: string;
  escalations: number;
  accepted: number;
  holdFor: number;
  /** Accepted answers left before the floor is released. */
  remaining: number;
  lastEscalation: string;
  /** ISO time at which it lapses if nothing happens. */
  lapses: string;
}

export function emptyLearningState(): LearningState {
  return { v: LEARNING_STATE_VERSION, workspaces: {} };
}

/** "tests", "bug fixes", …: how a task class reads in "learned here: tests need ≥ 9.6". */
export const TASK_PLURAL: Readonly<Record<TaskClass, string>> = {
  completion: 'completions', explain: 'explanations', document: 'docs/comments', test: 'tests', fix: 'bug fixes',
  refactor: 'refactors', multiFile: 'multi-file changes', design: 'design questions', agentic: 'agent tasks',
};

/** The state after a signal, and a line for the routing log when something changed. Never mutates `state`. */
export function update(state: LearningState, signal: LearningSignal): { state: LearningState; change?: string } {
  const ws = signal.workspace;
  const at = signal.at;
  const prior = state.workspaces[ws.id];
  const entry = prior?.tasks[signal.task];
  const current = entry ? effective(entry, at) : undefined;
  let next: LearnedEntry;
  let change: string;
  if (signal.kind === 'escalation') {
    const { from, to } = signal;
    if (!(to.score > from.score) || !Number.isFinite(from.score)) return { state };
    const raised = round1(Math.min(from.score + FLOOR_STEP, to.score, MAX_FLOOR));
    const holding = current !== undefined && current.floor > 0;
    const recentlyReleased = current !== undefined && current.floor === 0 && current.escalations > 0;
    const holdFor = holding || recentlyReleased ? Math.min(HOLD_MAX, current!.holdFor * 2) : HOLD_INITIAL;
    const floor = holding && current!.floor >= raised ? current!.floor : raised;
    next = {
      floor,
      above: holding && current!.floor >= raised ? current!.above : from.model,
      escalations: (current?.escalations ?? 0) + 1,
      accepted: 0,
      holdFor,
      lastEscalation: at.toISOString(),
    };
    const how = signal.via === 'retryCommand' ? 'Retry with a Bigger Model' : `you picked ${to.model}`;
    change = `learned (${ws.name}): ${TASK_PLURAL[signal.task]} need ≥ ${fmtScore(floor)} — ${how} after ${from.model}; holds for ${holdFor} accepted answers`;
  } else {
    if (!current || current.floor === 0) return { state };
    const accepted = current.accepted + 1;
    if (accepted >= current.holdFor) {
      next = { ...current, floor: 0, accepted };
      change = `learned (${ws.name}): ${TASK_PLURAL[signal.task]} floor ${fmtScore(current.floor)} released after ${accepted} accepted answers; smaller models are tried again`;
    } else {
      next = { ...current, accepted };
      change = `learned (${ws.name}): ${TASK_PLURAL[signal.task]} answer from ${signal.model.model} accepted (${accepted} of ${current.holdFor})`;
    }
  }
  const workspaces = { ...state.workspaces, [ws.id]: { name: ws.name, updated: at.toISOString(), tasks: { ...prior?.tasks, [signal.task]: next } } };
  return { state: { v: LEARNING_STATE_VERSION, workspaces: prune(workspaces) }, change };
}

/** The floor the router applies for a workspace and task class now, or undefined. */
export function adjustment(state: LearningState, workspaceId: string, task: TaskClass, now: Date): CapabilityFloor | undefined {
  const entry = state.workspaces[workspaceId]?.tasks[task];
  const e = entry ? effective(entry, now) : undefined;
  if (!e || e.floor <= 0) return undefined;
  const times = e.escalations === 1 ? 'once' : `${e.escalations}×`;
  const left = e.holdFor - e.accepted;
  return {
    score: e.floor,
    reason: `learned here: ${TASK_PLURAL[task]} need ≥ ${fmtScore(e.floor)} (answers escalated ${times}, last from ${e.above}; relaxes after ${left} more accepted answer${left === 1 ? '' : 's'})`,
  };
}

/** The router's view of one workspace's learning. */
export function learnedAdjustments(state: LearningState, workspaceId: string, now: Date): LearnedAdjustments {
  const memo = new Map<TaskClass, CapabilityFloor | undefined>();
  return {
    floorFor: (task) => {
      if (!memo.has(task)) memo.set(task, adjustment(state, workspaceId, task, now));
      return memo.get(task);
    },
  };
}

/** `base` with an extra floor for every task (the retry of one turn): the higher floor wins, the extra one on a tie. */
export function withFloor(base: LearnedAdjustments | undefined, extra: CapabilityFloor): LearnedAdjustments {
  return {
    floorFor: (task) => {
      const b = base?.floorFor(task);
      return b && b.score > extra.score ? b : extra;
    },
  };
}

/** The floors that hold now in a workspace, for the panel and the log. */
export function describeLearning(state: LearningState, workspaceId: string, now: Date): LearnedFloorView[] {
  const tasks = state.workspaces[workspaceId]?.tasks ?? {};
  const out: LearnedFloorView[] = [];
  for (const task of TASKS) {
    const entry = tasks[task];
    const e = entry ? effective(entry, now) : undefined;
    if (!e || e.floor <= 0) continue;
    out.push({
      task,
      summary: `${TASK_PLURAL[task]} need ≥ ${fmtScore(e.floor)}`,
      floor: e.floor, above: e.above, escalations: e.escalations, accepted: e.accepted, holdFor: e.holdFor,
      remaining: Math.max(0, e.holdFor - e.accepted), lastEscalation: e.lastEscalation,
      lapses: new Date(Date.parse(e.lastEscalation) + FLOOR_TTL_DAYS * DAY_MS).toISOString(),
    });
  }
  return out;
}

/** Forgets what was learned in one workspace, or everywhere. */
export function reset(state: LearningState, workspaceId?: string): LearningState {
  if (workspaceId === undefined) return emptyLearningState();
  const workspaces = { ...state.workspaces };
  delete workspaces[workspaceId];
  return { v: LEARNING_STATE_VERSION, workspaces };
}

/**
 * A stored state, validated: unknown versions and malformed entries are dropped (what was learned is a
 * hint, never worth failing for), numbers are clamped to the bounds.
 */
export function parseLearningState(value: unknown): LearningState {
  const out = emptyLearningState();
  const v = value as { v?: unknown; workspaces?: unknown } | null;
  if (!v || typeof v !== 'object' || v.v !== LEARNING_STATE_VERSION || !v.workspaces || typeof v.workspaces !== 'object') return out;
  for (const [id, raw] of Object.entries(v.workspaces as Record<string, unknown>)) {
    const w = raw as { name?: unknown; updated?: unknown; tasks?: unknown } | null;
    if (!w || typeof w !== 'object' || !w.tasks || typeof w.tasks !== 'object') continue;
    const tasks: Partial<Record<TaskClass, LearnedEntry>> = {};
    for (const task of TASKS) {
      const e = parseEntry((w.tasks as Record<string, unknown>)[task]);
      if (e) tasks[task] = e;
    }
    out.workspaces[id] = { name: typeof w.name === 'string' ? w.name : id, updated: isoOr(w.updated, new Date(0).toISOString()), tasks };
  }
  return out;
}

function parseEntry(raw: unknown): LearnedEntry | undefined {
  const e = raw as Partial<Record<keyof LearnedEntry, unknown>> | null;
  if (!e || typeof e !== 'object') return undefined;
  const num = (x: unknown, lo: number, hi: number): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : undefined);
  const floor = num(e.floor, 0, MAX_FLOOR);
  const escalations = num(e.escalations, 0, 1e9);
  const accepted = num(e.accepted, 0, 1e9);
  const holdFor = num(e.holdFor, 1, HOLD_MAX);
  const last = typeof e.lastEscalation === 'string' && Number.isFinite(Date.parse(e.lastEscalation)) ? e.lastEscalation : undefined;
  if (floor === undefined || escalations === undefined || accepted === undefined || holdFor === undefined || !last) return undefined;
  return { floor: round1(floor), above: typeof e.above === 'string' ? e.above : '?', escalations: Math.round(escalations), accepted: Math.round(accepted), holdFor: Math.round(holdFor), lastEscalation: last };
}

/** The entry as it stands at `now`: a lapsed floor is released, an old back-off forgotten. */
function effective(e: LearnedEntry, now: Date): LearnedEntry | undefined {
  const age = now.getTime() - Date.parse(e.lastEscalation);
  if (age > BACKOFF_TTL_DAYS * DAY_MS) return undefined;
  if (age > FLOOR_TTL_DAYS * DAY_MS && e.floor > 0) return { ...e, floor: 0 };
  return e;
}

function prune(workspaces: Record<string, WorkspaceLearning>): Record<string, WorkspaceLearning> {
  const ids = Object.keys(workspaces);
  if (ids.length <= MAX_WORKSPACES) return workspaces;
  ids.sort((a, b) => Date.parse(workspaces[b].updated) - Date.parse(workspaces[a].updated));
  const kept: Record<string, WorkspaceLearning> = {};
  for (const id of ids.slice(0, MAX_WORKSPACES)) kept[id] = workspaces[id];
  return kept;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function isoOr(x: unknown, fallback: string): string {
  return typeof x === 'string' && Number.isFinite(Date.parse(x)) ? x : fallback;
}
