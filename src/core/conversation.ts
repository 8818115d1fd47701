// Conversations and turns, identified from the request itself (never from timing).
//
// A client re-sends the whole history with every request. So:
//   - a *conversation* is identified by its opening: the first user message (host envelopes re-render
//     boilerplate around it, so envelope parts that change between requests must be excluded by the
//     envelope reader; here the first user message's text is taken as sent);
//   - a *turn* starts with a user message that carries the user's own words (not only tool results) and
//     lasts through every tool-loop continuation that follows it;
//   - a request is a *continuation* when it ends in tool results: the model called tools in this turn
//     and now gets their results. A continuation must go to the model that started the turn.
// The ids are content hashes (no text is kept), stable across processes, so the chat door, the gateway and
// the CLI agree on them.
import { contentKey } from './tokens/contentHash';
import type { ChatMessage, ChatRequest, MessagePart } from './types';

export interface TurnInfo {
  /** Stable id of the conversation (hash of its opening user message). */
  conversationId: string;
  /** Stable id of the current turn (hash of the history up to and including the turn's user message). */
  turnId: string;
  /** The request ends in tool results for calls made in this turn. */
  continuation: boolean;
  /** User turns so far, this one included (user messages that are not only tool results). */
  userTurns: number;
  /** Index in `messages` of the message that opened the current turn (-1 when there is none). */
  turnStart: number;
}

/** Longest prefix of a message's text hashed for ids (characters). Enough to tell conversations apart. */
const MAX_KEY_CHARS = 20_000;

/** True when every part of the message is a tool result (a tool-loop continuation, not the user's words). */
export function isToolResultMessage(m: ChatMessage): boolean {
  if (m.role === 'tool') return true;
  if (typeof m.content === 'string') return false;
  return m.content.length > 0 && m.content.every((p) => p.type === 'toolResult');
}

function partKey(p: MessagePart): string {
  switch (p.type) {
    case 'text': return p.text.length > MAX_KEY_CHARS ? p.text.slice(0, MAX_KEY_CHARS) : p.text;
    case 'toolCall': return `call:${p.name}:${p.callId}`;
    case 'toolResult': return `result:${p.callId}`;
    case 'image': return `image:${p.mimeType}:${p.bytes}`;
  }
}

function messageKey(m: ChatMessage): string {
  const body = typeof m.content === 'string'
    ? (m.content.length > MAX_KEY_CHARS ? m.content.slice(0, MAX_KEY_CHARS) : m.content)
    : m.content.map(partKey).join('\u0001');
  return `${m.role}\u0002${body}`;
}

export function turnInfo(request: ChatRequest): TurnInfo {
  const messages = request.messages;
  let first = -1;
  let turnStart = -1;
  let userTurns = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role !== 'user' || isToolResultMessage(m)) continue;
    if (first < 0) first = i;
    turnStart = i;
    userTurns++;
  }
  const last = messages.length > 0 ? messages[messages.length - 1] : undefined;
  const continuation = last !== undefined && turnStart >= 0 && isToolResultMessage(last) && messages.length - 1 > turnStart;
  const opening = first >= 0 ? messageKey(messages[first]) : '';
  const conversationId = `c.${contentKey(`${request.workspace.id}\u0003${opening}`)}`;
  let prefix = '';
  for (let i = first < 0 ? 0 : first; i <= turnStart; i++) {
    if (messages[i].role === 'system') continue;
    prefix += messageKey(messages[i]) + '\u0004';
  }
  const turnId = `t.${contentKey(`${conversationId}\u0003${prefix}`)}`;
  return { conversationId, turnId, continuation, userTurns, turnStart };
}
