// Public surface of the budget module.
export { BudgetGate } from './budgetGate';
export type { Admission, AdmitInput, BudgetGateOptions, LevelChange, Reservation, UsageAmount } from './budgetGate';
export {
  parseBudgetPolicy, defaultBudgetPolicy, BUDGET_PERIODS, BUDGET_UNITS, BUDGET_ACTIONS, DEFAULT_WARN_AT, DEFAULT_ACTION,
  DEFAULT_SETTING_PREFIX,
} from './budgetConfig';
export { periodKey, startOfPeriod, nextPeriodStart, CALENDAR_PERIODS } from './periods';
export type { CalendarPeriod } from './periods';
export { ConversationBudget, conversationIdOf, conversationIdFromOptions } from './conversationBudget';
export type { AskConversationLimit, ConversationAdmission, ConversationAnswer, ConversationLimitEvent, ConversationTicket } from './conversationBudget';
export { parseConversationPolicy, defaultConversationPolicy, CONVERSATION_ACTIONS, CONVERSATION_SETTING_PREFIX } from './conversationBudgetConfig';
export type { ConversationAction, ConversationPolicy } from './conversationBudgetConfig';
export { SharedBudget } from './sharedBudget';
export type { SharedSpend, OthersSpend, SharedBudgetOptions } from './sharedBudget';
export { hardAllowance, HARD_FLOOR_OUTPUT_TOKENS } from './hardAllowance';
