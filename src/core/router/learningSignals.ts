// Finds the learning signals (learning.ts) in the conversations a door sees, from the requests alone:
//
//   - After an Auto answer (the turn's model chosen by the router), the same conversation arrives again
//     with a model picked by hand that is more capable than Auto's: an escalation from Auto's model to
//     the picked one. Both the same turn re-sent (the chat's own retry after switching models) and the
//     next turn count: the user left Auto for a bigger model in the middle of the conversation.
//   - After an Auto answer, the conversation goes on (a new turn) to Auto or to a model that is not
//     bigger: an acceptance of that answer.
//   - *Retry with a Bigger Model* (`retry`) is an escalation of the latest Auto turn, to the model the
//     retry goes to; the retried turn then routes with a floor above the rejected model (`floorFor`).
// Each Auto turn yields at most one signal. A tool-loop continuation is part of its turn and yields none;
// the same turn re-sent to Auto (the chat's own retry) replaces the answer and yields none.
//
// Conversations and turns come from conversation.ts (content hashes of the history). Memory only, and
// bounded (MAX_CONVERSATIONS): what a window saw since it started.
import type { TaskClass, WorkspaceRef } from '../types';
import type { CapabilityFloor, LearningSignal, ModelScore } from './learning';
import { FLOOR_STEP } from './learning';
import { fmtScore } from './format';

/** Conversations remembered (the least recently seen are forgotten beyond this). */
export const MAX_CONVERSATIONS = 200;
/** A retry's floor waits this long for the retried request to arrive. */
export const RETRY_WAIT_MS = 120_000;

/** One routed request, as the door saw it after the decision. */
export interface TurnObservation {
  conversationId: string;
  turnId: string;
  /** The request ends in tool results of this turn (conversation.ts). */
  continuation: boolean;
  workspace: WorkspaceRef;
  /** The router chose the model (Rightsize Auto, or auto mode). */
  auto: boolean;
  model: ModelScore;
  task: TaskClass;
  at: Date;
}

/** The latest Auto turn: what *Retry with a Bigger Model* acts on. */
export interface AutoTurn {
  conversationId: string;
  turnId: string;
  workspace: WorkspaceRef;
  task: TaskClass;
  model: ModelScore;
  at: Date;
}

interface Remembered {
  turnId: string;
  /** The turn's Auto answer, while no signal has been taken from it. */
  open?: AutoTurn;
}

interface PendingRetry {
  conversationId: string;
  /** The turn it applies to: bound by the first request of the conversation after the retry. */
  turnId?: string;
  floor: CapabilityFloor;
  expires: number;
}

export class ConversationWatch {
  private readonly conversations = new Map<string, Remembered>();
  private latestAuto: AutoTurn | undefined;
  private pending: PendingRetry | undefined;

  /** A retry's floor is waiting for (or applying to) its request. */
  get retryPending(): boolean {
    return this.pending !== undefined;
  }

  /** Signals taken from a routed request (at most one). Call once per decision. */
  observe(o: TurnObservation): LearningSignal[] {
    if (o.continuation) return [];
    const prev = this.conversations.get(o.conversationId);
    const signals: LearningSignal[] = [];
    const open = prev?.open;
    if (open) {
      if (!o.auto && o.model.score > open.model.score) {
        signals.push({ kind: 'escalation', workspace: open.workspace, task: open.task, from: open.model, to: o.model, via: 'manualPick', at: o.at });
      } else if (o.turnId !== prev.turnId) {
        signals.push({ kind: 'acceptance', workspace: open.workspace, task: open.task, model: open.model, at: o.at });
      } else if (o.auto) {
        // The same turn re-sent to Auto (the chat's own retry, or a fallback inside the turn): the new
        // answer replaces the old one below.
      } else {
        // The same turn re-sent to a model that is not bigger: no verdict on the Auto answer yet.
        return [];
      }
    }
    const turn: AutoTurn | undefined = o.auto
      ? { conversationId: o.conversationId, turnId: o.turnId, workspace: o.workspace, task: o.task, model: o.model, at: o.at }
      : undefined;
    this.remember(o.conversationId, { turnId: o.turnId, open: turn });
    if (turn) this.latestAuto = turn;
    else if (this.latestAuto?.conversationId === o.conversationId) this.latestAuto = undefined;
    return signals;
  }

  /** The latest Auto turn still open to a retry (no signal taken from it yet). */
  lastAutoTurn(): AutoTurn | undefined {
    const t = this.latestAuto;
    if (!t) return undefined;
    const r = this.conversations.get(t.conversationId);
    return r?.open === t ? t : undefined;
  }

  /**
   * *Retry with a Bigger Model* on `turn` going to `to`: the escalation signal, and a floor above the
   * rejected model for the retried request of that conversation (until RETRY_WAIT_MS pass).
   */
  retry(turn: AutoTurn, to: ModelScore, now: Date): LearningSignal {
    const r = this.conversations.get(turn.conversationId);
    if (r && r.open === turn) r.open = undefined;
    if (this.latestAuto === turn) this.latestAuto = undefined;
    const score = Math.round((turn.model.score + FLOOR_STEP) * 10) / 10;
    this.pending = {
      conversationId: turn.conversationId,
      floor: { score, reason: `retry with a bigger model than ${turn.model.model} (needs ≥ ${fmtScore(score)})` },
      expires: now.getTime() + RETRY_WAIT_MS,
    };
    return { kind: 'escalation', workspace: turn.workspace, task: turn.task, from: turn.model, to, via: 'retryCommand', at: now };
  }

  /**
   * The retry floor for a request about to be routed, if it is the retried one: the first new turn of
   * the retried conversation after the retry (the prompt sent again, or the chat's own retry of the
   * turn) and that turn's tool-loop continuations.
   */
  floorFor(conversationId: string, turnId: string, now: Date): CapabilityFloor | undefined {
    const p = this.pending;
    if (!p) return undefined;
    if (now.getTime() > p.expires && p.turnId === undefined) {
      this.pending = undefined;
      return undefined;
    }
    if (p.conversationId !== conversationId) return undefined;
    if (p.turnId === undefined) p.turnId = turnId;
    if (p.turnId !== turnId) {
      this.pending = undefined;
      return undefined;
    }
    return p.floor;
  }

  private remember(id: string, r: Remembered): void {
    this.conversations.delete(id);
    this.conversations.set(id, r);
    if (this.conversations.size > MAX_CONVERSATIONS) {
      const oldest = this.conversations.keys().next().value;
      if (oldest !== undefined) this.conversations.delete(oldest);
    }
  }
}
