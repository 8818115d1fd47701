// What the user reads when a chat conversation reaches its budget (the notification's text and the
// validation of a raised limit), kept out of the VS Code adapter so it is tested in plain Node.
import type { BudgetUnit } from '../types';
import { unitNoun } from './budgetGate';
import { formatAmount } from '../format';
import type { ConversationLimitEvent } from './conversationBudget';

export function conversationLimitText(e: ConversationLimitEvent): string {
  const where = e.location === 'local' ? 'local' : 'cloud';
  return `Rightsize: this chat conversation has reached its ${unitNoun(e.unit)} budget of ${formatAmount(e.unit, e.limit)} ` +
    `(${formatAmount(e.unit, e.used + e.reserved)} used over ${e.requests} request${e.requests === 1 ? '' : 's'}; the next ${where} request needs about ${formatAmount(e.unit, e.needed)}). ` +
    `Continue allows ${formatAmount(e.unit, e.policyLimit)} more; Stop ends this request.`;
}

/** The smallest limit that lets this request through. */
export function minimumRaisedLimit(e: ConversationLimitEvent): number {
  return e.used + e.reserved + e.needed;
}

/** Parses the Raise… input: a number at least what the conversation needs for this request. */
export function parseRaisedLimit(text: string, e: ConversationLimitEvent): { limit?: number; error?: string } {
  const t = text.trim();
  const n = Number(t);
  const min = minimumRaisedLimit(e);
  if (t === '' || !Number.isFinite(n)) return { error: `Enter a number (${unitLabel(e.unit)})` };
  if (n < min) return { error: `Enter at least ${formatAmount(e.unit, min)}: the conversation has used ${formatAmount(e.unit, e.used + e.reserved)} and this request needs about ${formatAmount(e.unit, e.needed)}` };
  return { limit: n };
}

export function unitLabel(u: BudgetUnit): string {
  return u === 'usd' ? 'US dollars' : u === 'wh' ? 'watt-hours' : 'tokens';
}
