// The per-conversation budget: limits in tokens, Wh and USD for one chat conversation (one agent task, with
// every tool-loop request and follow-up in it). It sits next to the period gate (BudgetGate) at the
// pipeline's admission step: the gate admits a request against the workspace's periods, then this admits it
// against its conversation.
//
// Conversation id (conversationIdOf): the id the client gave (Copilot Chat passes its chat session id in
// `modelOptions._conversationId`; the chat door copies it to `request.conversationId`), else the content id
// of conversation.ts (a hash of the workspace and the opening user message), so every door agrees.
//
// Usage: what this window settled for each conversation, plus reservations in flight (every admitted
// request reserves its estimate until it is settled or released, so parallel requests of one conversation
// cannot slip past the limit together). A request is *over* when, for a unit with a limit,
// used + reserved + its estimate > the conversation's allowance. The allowance starts at the policy's limit;
// the user's answers raise it for that conversation only.
//
// When a request is over, by action:
//   ask   -> (every request, local or cloud) `ask(event, signal)`; the request waits for the answer:
//              continue -> the allowance of that unit grows by one more policy limit (asked again there);
//              raise    -> the allowance becomes the given limit (at least what is needed for this request);
//              stop     -> this request is refused with a clear message; the next request asks again.
//            Requests of the same conversation that arrive while a question is open wait for the same answer.
//            Without an `ask` callback (no UI: CLI, gateway) `ask` stops. Cancelling the request while it
//            waits gives `cancelled`.
//   block -> a cloud request is refused with a message naming the limit, its use and how to raise it; a
//            local request is admitted (as for the period budgets: it costs no cloud spend) and counts.
import type { BudgetUnit, ChatRequest, Location } from '../types';
import { turnInfo } from '../conversation';
import { BUDGET_UNITS } from './budgetConfig';
import { unitNoun, UsageAmount } from './budgetGate';
import { formatAmount } from '../format';
import { CONVERSATION_SETTING_PREFIX, ConversationPolicy } from './conversationBudgetConfig';

export interface ConversationLimitEvent {
  conversationId: string;
  unit: BudgetUnit;
  /** The conversation's allowance for the unit now (the policy's limit unless raised). */
  limit: number;
  /** The policy's limit (what Continue adds). */
  policyLimit: number;
  /** Settled usage of the conversation. */
  used: number;
  /** Other requests of the conversation in flight. */
  reserved: number;
  /** This request's estimate. */
  needed: number;
  location: Location;
  /** Requests of the conversation settled so far in this window. */
  requests: number;
}

export type ConversationAnswer = { kind: 'continue' } | { kind: 'raise'; limit: number } | { kind: 'stop' };
export type AskConversationLimit = (event: ConversationLimitEvent, signal: AbortSignal) => Promise<ConversationAnswer>;

export interface ConversationTicket { readonly id: number; readonly conversationId: string; readonly amount: UsageAmount }

export type ConversationAdmission =
  | { verdict: 'admit'; ticket: ConversationTicket }
  | { verdict: 'stop'; message: string }
  | { verdict: 'cancelled' };

export interface ConversationAdmitInput {
  conversationId: string;
  location: Location;
  estimate: { tokens: { input: number; output: number }; energy: { wh: number }; cost: { usd: number } };
}

interface ConversationState {
  used: UsageAmount;
  reserved: UsageAmount;
  /** Allowance per unit after the user's answers; absent: the policy's limit. */
  allowance: Partial<Record<BudgetUnit, number>>;
  requests: number;
  /** The question being asked now, shared by every request of the conversation that is over. */
  asking?: Promise<ConversationAnswer>;
}

/** Conversations remembered at most (least recently used forgotten first). */
const DEFAULT_MAX_CONVERSATIONS = 500;
/** Longest client-given conversation id accepted. */
const MAX_ID_CHARS = 200;

/** The conversation a request belongs to (see the header). */
export function conversationIdOf(request: ChatRequest): string {
  const given = request.conversationId;
  if (typeof given === 'string' && given.length > 0 && given.length <= MAX_ID_CHARS) return `client:${given}`;
  return turnInfo(request).conversationId;
}

/** Copilot Chat's conversation id in a provider request's modelOptions, when present and sane. */
export function conversationIdFromOptions(modelOptions: { readonly [name: string]: unknown } | undefined): string | undefined {
  const v = modelOptions?._conversationId;
  return typeof v === 'string' && v.trim().length > 0 && v.length <= MAX_ID_CHARS ? v.trim() : undefined;
}

function zero(): UsageAmount {
  return { tokens: 0, wh: 0, usd: 0 };
}

function clean(n: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

export class ConversationBudget {
  private policy: ConversationPolicy;
  private readonly ask?: AskConversationLimit;
  private readonly max: number;
  private readonly conversations = new Map<string, ConversationState>();
  private readonly tickets = new Map<number, ConversationTicket>();
  private nextId = 1;

  constructor(policy: ConversationPolicy, opts: { ask?: AskConversationLimit; maxConversations?: number } = {}) {
    this.policy = policy;
    this.ask = opts.ask;
    this.max = opts.maxConversations ?? DEFAULT_MAX_CONVERSATIONS;
  }

  setPolicy(policy: ConversationPolicy): void {
    this.policy = policy;
  }

  /** True when the policy sets any limit (the pipeline skips the check otherwise). */
  get active(): boolean {
    return Object.keys(this.policy.limits).length > 0;
  }

  async admit(input: ConversationAdmitInput, signal: AbortSignal): Promise<ConversationAdmission> {
    const amount: UsageAmount = {
      tokens: clean(input.estimate.tokens.input) + clean(input.estimate.tokens.output),
      wh: clean(input.estimate.energy.wh),
      usd: clean(input.estimate.cost.usd),
    };
    const state = this.state(input.conversationId);
    for (let asked = 0; ; asked++) {
      const over = this.over(input.conversationId, state, amount, input.location);
      if (!over) break;
      if (this.policy.action === 'block') {
        if (input.location === 'local') break;
        return { verdict: 'stop', message: this.blockMessage(over) };
      }
      if (!this.ask || asked > BUDGET_UNITS.length * 2) return { verdict: 'stop', message: this.stopMessage(over) };
      const answer = await this.question(state, over, signal);
      if (signal.aborted) return { verdict: 'cancelled' };
      if (answer.kind === 'stop') return { verdict: 'stop', message: this.stopMessage(over) };
      const base = state.allowance[over.unit] ?? over.policyLimit;
      state.allowance[over.unit] = answer.kind === 'continue'
        ? Math.max(base + over.policyLimit, over.used + over.reserved + over.needed)
        : Math.max(answer.limit, over.used + over.reserved + over.needed);
    }
    const ticket: ConversationTicket = Object.freeze({ id: this.nextId++, conversationId: input.conversationId, amount: Object.freeze(amount) });
    this.tickets.set(ticket.id, ticket);
    add(state.reserved, amount, 1);
    return { verdict: 'admit', ticket };
  }

  /** Moves a ticket's reservation to used, with the actual usage. False when already settled or released. */
  settle(ticket: ConversationTicket, actual: UsageAmount): boolean {
    const state = this.unreserve(ticket);
    if (!state) return false;
    add(state.used, { tokens: clean(actual.tokens), wh: clean(actual.wh), usd: clean(actual.usd) }, 1);
    state.requests++;
    return true;
  }

  /** Drops a reservation that used nothing. False when unknown. */
  release(ticket: ConversationTicket): boolean {
    return this.unreserve(ticket) !== undefined;
  }

  /** Settled usage of a conversation in this window. */
  usage(conversationId: string): UsageAmount & { requests: number } {
    const s = this.conversations.get(conversationId);
    return s ? { ...s.used, requests: s.requests } : { ...zero(), requests: 0 };
  }

  // -------------------------------------------------------------------------------------------

  private state(id: string): ConversationState {
    let s = this.conversations.get(id);
    if (s) {
      this.conversations.delete(id); // re-insert: most recently used last
    } else {
      s = { used: zero(), reserved: zero(), allowance: {}, requests: 0 };
    }
    this.conversations.set(id, s);
    if (this.conversations.size > this.max) {
      for (const [k, v] of this.conversations) {
        if (this.conversations.size <= this.max) break;
        if (v.reserved.tokens === 0 && v.reserved.wh === 0 && v.reserved.usd === 0 && !v.asking) this.conversations.delete(k);
      }
    }
    return s;
  }

  /** The unit this request would take furthest past its allowance, if any. */
  private over(conversationId: string, s: ConversationState, amount: UsageAmount, location: Location): ConversationLimitEvent | undefined {
    let worst: ConversationLimitEvent | undefined;
    let worstFraction = 0;
    for (const unit of BUDGET_UNITS) {
      const policyLimit = this.policy.limits[unit];
      if (typeof policyLimit !== 'number' || !(policyLimit > 0)) continue;
      const limit = Math.max(policyLimit, s.allowance[unit] ?? 0);
      const projected = s.used[unit] + s.reserved[unit] + amount[unit];
      if (projected <= limit) continue;
      const f = projected / limit;
      if (!worst || f > worstFraction) {
        worst = { conversationId, unit, limit, policyLimit, used: s.used[unit], reserved: s.reserved[unit], needed: amount[unit], location, requests: s.requests };
        worstFraction = f;
      }
    }
    return worst;
  }

  private question(s: ConversationState, event: ConversationLimitEvent, signal: AbortSignal): Promise<ConversationAnswer> {
    if (!s.asking) {
      const asking = this.ask!(event, signal).catch((): ConversationAnswer => ({ kind: 'stop' }));
      s.asking = asking;
      void asking.finally(() => { if (s.asking === asking) s.asking = undefined; });
    }
    const shared = s.asking;
    // A request cancelled while it waits stops waiting (the question stays open for the others).
    return new Promise<ConversationAnswer>((resolve) => {
      const onAbort = () => resolve({ kind: 'stop' });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void shared.then((a) => { signal.removeEventListener('abort', onAbort); resolve(a); });
    });
  }

  private unreserve(ticket: ConversationTicket): ConversationState | undefined {
    if (!this.tickets.delete(ticket.id)) return undefined;
    const s = this.conversations.get(ticket.conversationId);
    if (!s) return undefined;
    add(s.reserved, ticket.amount, -1);
    return s;
  }

  private usedPhrase(e: ConversationLimitEvent): string {
    const inFlight = e.reserved > 0 ? ` (${formatAmount(e.unit, e.reserved)} more in flight)` : '';
    return `${formatAmount(e.unit, e.used)} used over ${e.requests} request${e.requests === 1 ? '' : 's'}${inFlight}, and this request needs about ${formatAmount(e.unit, e.needed)}`;
  }

  private stopMessage(e: ConversationLimitEvent): string {
    return `Rightsize stopped this conversation at its ${unitNoun(e.unit)} budget of ${formatAmount(e.unit, e.limit)}: ${this.usedPhrase(e)}. ` +
      `Start a new chat, or send again and choose Continue or Raise… (the limit is ${CONVERSATION_SETTING_PREFIX}.${e.unit}).`;
  }

  private blockMessage(e: ConversationLimitEvent): string {
    return `Rightsize blocked this cloud request: this conversation's ${unitNoun(e.unit)} budget of ${formatAmount(e.unit, e.limit)} would be exceeded: ${this.usedPhrase(e)}. ` +
      `Raise ${CONVERSATION_SETTING_PREFIX}.${e.unit}, pick a local model, or start a new chat.`;
  }
}

function add(target: UsageAmount, a: UsageAmount, sign: 1 | -1): void {
  target.tokens = Math.max(0, target.tokens + sign * a.tokens);
  target.wh = Math.max(0, target.wh + sign * a.wh);
  target.usd = Math.max(0, target.usd + sign * a.usd);
}
