// Conversations and turns from the request's own history.
import * as assert from 'node:assert/strict';
import { turnInfo } from '../../../src/core/conversation';
import type { ChatMessage, ChatRequest } from '../../../src/core/types';
import { chatRequest } from '../../util/fixtures';

function req(messages: ChatMessage[], workspace = 'ws1'): ChatRequest {
  return chatRequest(messages, { id: 'r', workspace: { id: workspace, name: 'w' }, session: 's' });
}

const system: ChatMessage = { role: 'system', content: 'You are a coding agent.' };
const ask: ChatMessage = { role: 'user', content: 'Rename t to total in app.js' };
const call: ChatMessage = { role: 'assistant', content: [{ type: 'toolCall', callId: 'c1', name: 'read_file', input: { path: 'app.js' } }] };
const result: ChatMessage = { role: 'user', content: [{ type: 'toolResult', callId: 'c1', content: 'let t = 1;' }] };
const answer: ChatMessage = { role: 'assistant', content: 'Done.' };
const follow: ChatMessage = { role: 'user', content: 'Now add a test' };

describe('conversation: turns from the history', () => {
  it('a tool result continues the turn that called the tool', () => {
    const first = turnInfo(req([system, ask]));
    const cont = turnInfo(req([system, ask, call, result]));
    assert.equal(first.continuation, false);
    assert.equal(cont.continuation, true);
    assert.equal(cont.turnId, first.turnId);
    assert.equal(cont.conversationId, first.conversationId);
    assert.equal(cont.userTurns, 1);
  });

  it('a follow-up is a new turn of the same conversation', () => {
    const first = turnInfo(req([system, ask]));
    const next = turnInfo(req([system, ask, call, result, answer, follow]));
    assert.equal(next.continuation, false);
    assert.notEqual(next.turnId, first.turnId);
    assert.equal(next.conversationId, first.conversationId);
    assert.equal(next.userTurns, 2);
    assert.equal(next.turnStart, 5);
  });

  it('the same words in another workspace or after another opening are another conversation', () => {
    const a = turnInfo(req([system, ask]));
    assert.notEqual(turnInfo(req([system, ask], 'ws2')).conversationId, a.conversationId);
    assert.notEqual(turnInfo(req([system, follow])).conversationId, a.conversationId);
  });

  it('system prompt changes do not change the ids', () => {
    const a = turnInfo(req([system, ask]));
    const b = turnInfo(req([{ role: 'system', content: 'Other date: 2026-12-03' }, ask]));
    assert.equal(b.conversationId, a.conversationId);
    assert.equal(b.turnId, a.turnId);
  });
});
