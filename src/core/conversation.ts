// Conversations and turns, identified from the request itself (never from timing), and what the router
// remembers about them.
//
// A client re-sends the whole history with every request. So:
//   - a *conversation* is named by the door when the client says which it is (request.conversationId: VS
//     Code passes `modelOptions._conversationId`), else by its opening: the first user turn's words as the envelope
//     reader finds them (router/envelope.ts). Not the first user message as sent: Copilot's first user
//     message is its environment/workspace block, identical for every conversation in a workspace;
//   - a *turn* starts with a user message that carries the user's own words (not only tool results, not
//     only host blocks) and lasts through every tool-loop continuation that follows it. Its id is the
//     conversation's, the turn's number and its words;
//   - a request is a *continuation* when it ends in tool results for calls the model made in this turn.
//     A continuation goes to the model that started the turn (Pipeline, ConversationMemory).
// The ids are content hashes (no text is kept), stable across processes, so the chat door, the gateway and
// the CLI agree on them.
import { envelopeOf } from './router/features';
import type { Envelope } from './router/envelope';
import { contentKey } from './tokens/contentHash';
import type { ChatRequest, Provider } from './types';

export interface TurnInfo {
  /** Stable id of the conversation (the door's id, or a hash of the opening user turn's words). */
  conversationId: string;
  /** Stable id of the current turn (conversation, turn number, the turn's words). */
  turnId: string;
  /** The request ends in tool results for calls made in this turn. */
  continuation: boolean;
  /** User turns so far, this one included. */
  userTurns: number;
  /** Index in `messages` of the message that opened the current turn (-1 when there is none). */
  turnStart: number;
}

/** Longest prefix of the words hashed for ids (characters). Enough to tell turns apart. */
const MAX_KEY_CHARS = 20_000;

function key(text: string): string {
  return text.length > MAX_KEY_CHARS ? text.slice(0, MAX_KEY_CHARS) : text;
}

export function turnInfo(request: ChatRequest): TurnInfo {
  return turnOf(request, envelopeOf(request));
}

/** turnInfo, from an envelope already read. */
export function turnOf(request: ChatRequest, envelope: Envelope): TurnInfo {
  const hint = request.conversationId;
  const conversationId = hint
    ? `c.${contentKey(`${request.workspace.id}\u0003door\u0003${hint}`)}`
    : `c.${contentKey(`${request.workspace.id}\u0003${key(envelope.firstInstruction)}`)}`;
  const turnId = `t.${contentKey(`${conversationId}\u0003${envelope.userTurns}\u0003${key(envelope.instruction)}`)}`;
  return {
    conversationId,
    turnId,
    continuation: envelope.toolLoopContinuation,
    userTurns: envelope.userTurns,
    turnStart: envelope.turnStart,
  };
}

// ---------------------------------------------------------------------------------------------
// What the router remembers per conversation

/** The model a conversation is on, and the turn that chose it. */
export interface ConversationState {
  turnId: string;
  model: string;
  provider: Provider;
  /** The required capability the turn was routed with. */
  required: number;
  /** The turn escalated once already (a failure inside it moved it to a bigger model). */
  escalated: boolean;
}

/** Conversations remembered (least recently used forgotten first). */
export const MAX_CONVERSATIONS = 2000;

/** In-memory, per process: which model each recent conversation is on. Nothing is persisted (after a
 * restart a continuation is routed afresh from its turn's words, which gives the same answer unless the
 * candidates changed). */
export class ConversationMemory {
  private readonly states = new Map<string, ConversationState>();

  constructor(private readonly max = MAX_CONVERSATIONS) {}

  get(conversationId: string): ConversationState | undefined {
    const s = this.states.get(conversationId);
    if (s) {
      // Refresh its place in the LRU order.
      this.states.delete(conversationId);
      this.states.set(conversationId, s);
    }
    return s;
  }

  set(conversationId: string, state: ConversationState): void {
    this.states.delete(conversationId);
    this.states.set(conversationId, state);
    while (this.states.size > this.max) {
      const oldest = this.states.keys().next().value;
      if (oldest === undefined) break;
      this.states.delete(oldest);
    }
  }

  clear(): void {
    this.states.clear();
  }
}
