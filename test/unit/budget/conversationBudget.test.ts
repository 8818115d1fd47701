// The per-conversation budget on its own: ids, admission, the user's answers, parallel requests, settings.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import {
  AskConversationLimit, ConversationAdmission, ConversationAdmitInput, ConversationAnswer, ConversationBudget, ConversationLimitEvent,
  ConversationTicket, conversationIdFromOptions, conversationIdOf,
} from '../../../src/core/budget/conversationBudget';
import { parseConversationPolicy } from '../../../src/core/budget/conversationBudgetConfig';
import { conversationLimitText, parseRaisedLimit } from '../../../src/core/budget/conversationLimitText';
import { parseConfig } from '../../../src/core/config';
import type { ChatRequest } from '../../../src/core/types';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/envelopes');
function providerRequests(file: string): ChatRequest[] {
  const f = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as { requests: Array<{ provider: ChatRequest }> };
  return f.requests.map((r) => r.provider);
}

function input(conversationId: string, tokens: number, location: 'local' | 'cloud' = 'cloud', usd = 0, wh = 0): ConversationAdmitInput {
  return { conversationId, location, estimate: { tokens: { input: tokens - 100, output: 100 }, energy: { wh }, cost: { usd } } };
}

const never = new AbortController().signal;

function admitted(a: ConversationAdmission): ConversationTicket {
  assert.equal(a.verdict, 'admit', a.verdict === 'stop' ? a.message : a.verdict);
  return (a as { ticket: ConversationTicket }).ticket;
}

/** An `ask` that answers from a list and records what it was asked. */
function scripted(...answers: ConversationAnswer[]): { ask: AskConversationLimit; asked: ConversationLimitEvent[] } {
  const asked: ConversationLimitEvent[] = [];
  return { asked, ask: async (e) => { asked.push(e); return answers.shift() ?? { kind: 'stop' }; } };
}

describe('budget/conversation: which conversation a request belongs to', () => {
  it('prefers the id the client gave (Copilot’s modelOptions._conversationId), and only a sane one', () => {
    assert.equal(conversationIdFromOptions({ _conversationId: '3f1c-session' }), '3f1c-session');
    assert.equal(conversationIdFromOptions({ _conversationId: '' }), undefined);
    assert.equal(conversationIdFromOptions({ _conversationId: 42 }), undefined);
    assert.equal(conversationIdFromOptions({ _conversationId: 'x'.repeat(201) }), undefined);
    assert.equal(conversationIdFromOptions(undefined), undefined);
    const [first] = providerRequests('vscode-agent-rename-toolloop.json');
    assert.equal(conversationIdOf({ ...first, conversationId: 'abc' }), 'client:abc');
    assert.notEqual(conversationIdOf(first), 'client:abc');
  });

  it('the real captures: Copilot names each Agent/Ask/Plan conversation, the same id through the tool loop and follow-up', () => {
    const loop = providerRequests('vscode-agent-rename-toolloop.json').map(conversationIdOf);
    assert.equal(loop.length, 3);
    assert.equal(new Set(loop).size, 1, loop.join(' '));
    assert.match(loop[0], /^client:[0-9a-f-]{36}$/, 'Copilot Chat 0.67 passes modelOptions._conversationId');
    const others = ['vscode-agent-design.json', 'vscode-ask-rename.json', 'vscode-plan-rename.json'].map((f) => conversationIdOf(providerRequests(f)[0]));
    assert.equal(new Set([loop[0], ...others]).size, 4, 'four chats, four conversations');
    const [inline] = providerRequests('vscode-inline-rename.json');
    assert.equal(inline.conversationId, undefined, 'inline chat passes none: the content id is used');
    assert.match(conversationIdOf(inline), /^c\./);
  });

  it('without a client id: the captured Agent tool loop and its follow-up are one conversation', () => {
    const loop = providerRequests('vscode-agent-rename-toolloop.json').map((r) => ({ ...r, conversationId: undefined }));
    assert.equal(loop.length, 3);
    const ids = loop.map(conversationIdOf);
    assert.equal(new Set(ids).size, 1, ids.join(' '));
  });
});

describe('budget/conversation: admission', () => {
  it('is inactive without limits, and admits under the limit', async () => {
    assert.equal(new ConversationBudget({ limits: {}, action: 'ask' }).active, false);
    const b = new ConversationBudget({ limits: { tokens: 10_000 }, action: 'block' });
    assert.equal(b.active, true);
    const t = admitted(await b.admit(input('c1', 4000), never));
    assert.ok(b.settle(t, { tokens: 3900, wh: 0, usd: 0 }));
    assert.equal(b.settle(t, { tokens: 3900, wh: 0, usd: 0 }), false, 'settled once');
    assert.deepEqual(b.usage('c1'), { tokens: 3900, wh: 0, usd: 0, requests: 1 });
  });

  it('block: refuses the cloud request that would go past the limit, names the limit, its use and the setting', async () => {
    const b = new ConversationBudget({ limits: { tokens: 10_000 }, action: 'block' });
    const t1 = admitted(await b.admit(input('c1', 4000), never));
    assert.ok(b.settle(t1, { tokens: 4500, wh: 0.1, usd: 0.01 }));
    const t2 = admitted(await b.admit(input('c1', 4000), never));
    b.settle(t2, { tokens: 4200, wh: 0.1, usd: 0.01 });
    const third = await b.admit(input('c1', 4000), never);
    assert.equal(third.verdict, 'stop');
    assert.match((third as { message: string }).message, /this conversation's token budget of 10,000 tokens would be exceeded: 8,700 tokens used over 2 requests, and this request needs about 4,000 tokens/);
    assert.match((third as { message: string }).message, /rightsize\.budget\.conversation\.tokens/);
    // Another conversation has its own allowance.
    admitted(await b.admit(input('c2', 4000), never));
    // Local requests go on under block, and count.
    const local = admitted(await b.admit(input('c1', 4000, 'local'), never));
    b.settle(local, { tokens: 3000, wh: 0.05, usd: 0 });
    assert.deepEqual(b.usage('c1'), { tokens: 11_700, wh: 0.25, usd: 0.02, requests: 3 });
  });

  it('reservations: two parallel requests that each fit alone cannot both pass', async () => {
    const b = new ConversationBudget({ limits: { usd: 1 }, action: 'block' });
    const a = admitted(await b.admit(input('c', 100, 'cloud', 0.6), never));
    assert.equal((await b.admit(input('c', 100, 'cloud', 0.6), never)).verdict, 'stop');
    assert.ok(b.release(a));
    assert.equal(b.release(a), false, 'a ticket is released once');
    admitted(await b.admit(input('c', 100, 'cloud', 0.6), never));
  });

  it('ask: continue allows one more policy limit, raise sets the limit, stop refuses with a clear message', async () => {
    const { ask, asked } = scripted({ kind: 'continue' }, { kind: 'raise', limit: 50_000 }, { kind: 'stop' });
    const b = new ConversationBudget({ limits: { tokens: 10_000 }, action: 'ask' }, { ask });
    b.settle(admitted(await b.admit(input('c', 9000, 'local'), never)), { tokens: 9000, wh: 0, usd: 0 });
    // 9000 + 4000 > 10 000: asked; continue -> allowance 20 000.
    b.settle(admitted(await b.admit(input('c', 4000, 'local'), never)), { tokens: 4000, wh: 0, usd: 0 });
    assert.equal(asked.length, 1);
    assert.deepEqual({ unit: asked[0].unit, limit: asked[0].limit, used: asked[0].used, needed: asked[0].needed, requests: asked[0].requests, location: asked[0].location },
      { unit: 'tokens', limit: 10_000, used: 9000, needed: 4000, requests: 1, location: 'local' });
    // 13 000 + 4000 <= 20 000: not asked.
    b.settle(admitted(await b.admit(input('c', 4000), never)), { tokens: 4000, wh: 0, usd: 0 });
    assert.equal(asked.length, 1);
    // 17 000 + 4000 > 20 000: asked; raise to 50 000.
    b.settle(admitted(await b.admit(input('c', 4000), never)), { tokens: 4000, wh: 0, usd: 0 });
    assert.equal(asked.length, 2);
    assert.equal(asked[1].limit, 20_000);
    // 21 000 + 30 000 > 50 000: asked; stop.
    const stopped = await b.admit(input('c', 30_000), never);
    assert.equal(asked.length, 3);
    assert.equal(stopped.verdict, 'stop');
    assert.match((stopped as { message: string }).message, /^Rightsize stopped this conversation at its token budget of 50,000 tokens: 21,000 tokens used over 4 requests, and this request needs about 30,000 tokens\./);
  });

  it('ask: requests of one conversation that are over at once share one question', async () => {
    let release!: (a: ConversationAnswer) => void;
    let calls = 0;
    const ask: AskConversationLimit = () => { calls++; return new Promise((r) => { release = r; }); };
    const b = new ConversationBudget({ limits: { tokens: 1000 }, action: 'ask' }, { ask });
    const p1 = b.admit(input('c', 1500), never);
    const p2 = b.admit(input('c', 1500), never);
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 1, 'one notification for both');
    release({ kind: 'stop' });
    assert.deepEqual([(await p1).verdict, (await p2).verdict], ['stop', 'stop']);
  });

  it('ask: a request cancelled while it waits is `cancelled`; no UI or a failing UI stops', async () => {
    const pending: AskConversationLimit = () => new Promise(() => undefined);
    const b = new ConversationBudget({ limits: { wh: 1 }, action: 'ask' }, { ask: pending });
    const ac = new AbortController();
    const waiting = b.admit(input('c', 10, 'cloud', 0, 2), ac.signal);
    ac.abort();
    assert.equal((await waiting).verdict, 'cancelled');
    const noUi = new ConversationBudget({ limits: { wh: 1 }, action: 'ask' });
    assert.equal((await noUi.admit(input('c', 10, 'local', 0, 2), never)).verdict, 'stop');
    const failing = new ConversationBudget({ limits: { wh: 1 }, action: 'ask' }, { ask: () => Promise.reject(new Error('no window')) });
    assert.equal((await failing.admit(input('c', 10, 'local', 0, 2), never)).verdict, 'stop');
  });

  it('forgets the least recently used conversations beyond its cap, never one in flight', async () => {
    const b = new ConversationBudget({ limits: { tokens: 100 }, action: 'block' }, { maxConversations: 2 });
    const held = admitted(await b.admit(input('a', 90), never));
    b.settle(admitted(await b.admit(input('b', 50), never)), { tokens: 50, wh: 0, usd: 0 });
    b.settle(admitted(await b.admit(input('c', 50), never)), { tokens: 50, wh: 0, usd: 0 });
    assert.equal(b.usage('b').tokens, 0, 'b was forgotten');
    assert.ok(b.settle(held, { tokens: 90, wh: 0, usd: 0 }), 'a, in flight, was kept');
    assert.equal(b.usage('a').tokens, 90);
  });
});

describe('budget/conversation: settings and texts', () => {
  it('parses limits and the action, with errors that name the setting', () => {
    assert.deepEqual(parseConversationPolicy({ tokens: 200_000, usd: 0, wh: null, action: 'block' }), { policy: { limits: { tokens: 200_000 }, action: 'block' }, errors: [] });
    const bad = parseConversationPolicy({ tokens: -1, usd: 'ten', action: 'stop', day: 3 });
    assert.deepEqual(bad.policy, { limits: {}, action: 'ask' });
    assert.equal(bad.errors.length, 4);
    assert.match(bad.errors.join('\n'), /rightsize\.budget\.conversation\.tokens must be a non-negative number/);
    assert.match(bad.errors.join('\n'), /rightsize\.budget\.conversation\.action must be one of "ask", "block"/);
    assert.match(bad.errors.join('\n'), /rightsize\.budget\.conversation\.day is not a conversation budget setting/);
  });

  it('parseConfig reads rightsize.budget.conversation.* apart from the period budgets', () => {
    const { config, errors } = parseConfig({ 'budget.conversation.usd': 0.5, 'budget.conversation.action': 'block', 'budget.day.usd': 2 });
    assert.deepEqual(errors, []);
    assert.deepEqual(config.conversationBudget, { limits: { usd: 0.5 }, action: 'block' });
    assert.deepEqual(config.budget.limits, { day: { usd: 2 } });
  });

  it('the manifest declares the settings where VS Code registers them, next to the period budgets, with the parser\'s defaults', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8'));
    const props = manifest.contributes.configuration.properties as Record<string, { default?: unknown; scope?: string; enum?: string[] }>;
    const keys = Object.keys(props);
    const mine = keys.filter((k) => k.startsWith('rightsize.budget.conversation.'));
    assert.deepEqual(mine, ['rightsize.budget.conversation.tokens', 'rightsize.budget.conversation.wh', 'rightsize.budget.conversation.usd', 'rightsize.budget.conversation.action']);
    assert.equal(keys.indexOf(mine[0]), keys.indexOf('rightsize.budget.month.usd') + 1, 'right after the period budgets');
    assert.deepEqual(props['rightsize.budget.conversation.action'].enum, ['ask', 'block']);
    for (const k of mine) assert.equal(props[k].scope, 'resource', k);
    const raw = Object.fromEntries(mine.map((k) => [k.slice('rightsize.budget.conversation.'.length), props[k].default]));
    assert.deepEqual(parseConversationPolicy(raw), { policy: { limits: {}, action: 'ask' }, errors: [] });
  });

  it('the notification says what was used, what is needed and what Continue allows; Raise… validates', () => {
    const e: ConversationLimitEvent = { conversationId: 'c', unit: 'usd', limit: 0.5, policyLimit: 0.5, used: 0.46, reserved: 0, needed: 0.08, location: 'cloud', requests: 7 };
    assert.equal(conversationLimitText(e),
      'Rightsize: this chat conversation has reached its cost budget of $0.50 ($0.46 used over 7 requests; the next cloud request needs about $0.08). Continue allows $0.50 more; Stop ends this request.');
    assert.deepEqual(parseRaisedLimit('1', e), { limit: 1 });
    assert.match(parseRaisedLimit('0.5', e).error ?? '', /at least \$0\.54/);
    assert.match(parseRaisedLimit('lots', e).error ?? '', /Enter a number \(US dollars\)/);
  });
});
