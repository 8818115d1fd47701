// Per-conversation budget settings -> ConversationPolicy, with a message for every value that is dropped.
//
// Input: the settings under `rightsize.budget.conversation`, flat (`{ "tokens": 200000, "action": "ask" }`).
// Rules (the same as the period budgets' in budgetConfig.ts):
// - `tokens`, `wh`, `usd`: a finite number >= 0; 0, null or absent = no limit. Anything else is dropped with
//   an error naming the full setting.
// - `action`: `ask` (default: a notification with Continue / Raise… / Stop, the request waits for the answer)
//   or `block` (the conversation's cloud requests are refused with a clear message; local ones go on).
// - Unknown keys are reported and ignored.
import type { BudgetUnit } from '../types';
import { BUDGET_UNITS } from './budgetConfig';

export type ConversationAction = 'ask' | 'block';
export const CONVERSATION_ACTIONS: readonly ConversationAction[] = ['ask', 'block'];
export const CONVERSATION_SETTING_PREFIX = 'rightsize.budget.conversation';

export interface ConversationPolicy {
  /** Limits for one conversation; a unit without a limit is absent. */
  limits: Partial<Record<BudgetUnit, number>>;
  action: ConversationAction;
}

export function defaultConversationPolicy(): ConversationPolicy {
  return { limits: {}, action: 'ask' };
}

export function parseConversationPolicy(raw: Readonly<Record<string, unknown>>, prefix = CONVERSATION_SETTING_PREFIX): { policy: ConversationPolicy; errors: string[] } {
  const policy = defaultConversationPolicy();
  const errors: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const name = `${prefix}.${key}`;
    if (typeof value === 'function' || value === undefined || value === null) continue;
    if (key === 'action') {
      if (typeof value === 'string' && (CONVERSATION_ACTIONS as readonly string[]).includes(value)) policy.action = value as ConversationAction;
      else errors.push(`${name} must be one of ${CONVERSATION_ACTIONS.map((a) => `"${a}"`).join(', ')} (got ${JSON.stringify(value)}); using "ask"`);
      continue;
    }
    if (!(BUDGET_UNITS as readonly string[]).includes(key)) {
      errors.push(`${name} is not a conversation budget setting (expected ${BUDGET_UNITS.join(', ')} or action); ignored`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      errors.push(`${name} must be a non-negative number (got ${JSON.stringify(value)}); no limit set`);
      continue;
    }
    if (value > 0) policy.limits[key as BudgetUnit] = value;
  }
  return { policy, errors };
}
