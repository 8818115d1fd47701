// Once per user turn: the gateway remembers which model a turn was routed to (by the turn id that
// src/core/conversation.ts derives from the history itself), so every tool-loop continuation of the turn
// — and a retry of it — goes to the same model. Bounded: the oldest turns are forgotten first.
import type { Provider } from '../types';

export interface TurnModel { modelId: string; provider: Provider }

/** A turn not continued for this long is routed afresh (an identical new question gets a new decision). */
export const TURN_IDLE_MS = 30 * 60_000;

export class TurnMemory {
  private readonly turns = new Map<string, TurnModel & { lastMs: number }>();

  constructor(private readonly capacity = 2000, private readonly idleMs = TURN_IDLE_MS, private readonly now = () => Date.now()) {}

  get(turnId: string): TurnModel | undefined {
    const hit = this.turns.get(turnId);
    if (!hit) return undefined;
    this.turns.delete(turnId);
    if (this.now() - hit.lastMs > this.idleMs) return undefined;
    hit.lastMs = this.now();
    this.turns.set(turnId, hit); // most recently used last
    return { modelId: hit.modelId, provider: hit.provider };
  }

  set(turnId: string, model: TurnModel): void {
    this.turns.delete(turnId);
    this.turns.set(turnId, { ...model, lastMs: this.now() });
    while (this.turns.size > this.capacity) this.turns.delete(this.turns.keys().next().value as string);
  }

  get size(): number { return this.turns.size; }
}
