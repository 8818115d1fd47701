// Asks the user what to do when a chat conversation reaches its budget: a notification with
// Continue / Raise… / Stop while the request waits (a language-model provider cannot put buttons in the
// chat). Dismissing the notification or cancelling the chat request counts as Stop.
import * as vscode from 'vscode';
import type { AskConversationLimit, ConversationAnswer } from '../core/budget/conversationBudget';
import { unitNoun } from '../core/budget/budgetGate';
import { conversationLimitText, minimumRaisedLimit, parseRaisedLimit, unitLabel } from '../core/budget/conversationLimitText';

const CONTINUE = 'Continue';
const RAISE = 'Raise…';
const STOP = 'Stop';

export function askConversationLimit(log: vscode.LogOutputChannel): AskConversationLimit {
  return async (e, signal): Promise<ConversationAnswer> => {
    log.info(`conversation ${e.conversationId} reached its ${e.unit} budget (${e.used} used, ${e.needed} needed, limit ${e.limit}): asking`);
    const choice = await untilAborted(vscode.window.showWarningMessage(conversationLimitText(e), CONTINUE, RAISE, STOP), signal);
    if (choice === CONTINUE) return { kind: 'continue' };
    if (choice === RAISE) {
      const suggested = Math.max(e.limit * 2, minimumRaisedLimit(e));
      const input = await untilAborted(vscode.window.showInputBox({
        title: `Raise this conversation's ${unitNoun(e.unit)} budget`,
        prompt: `New limit for this conversation only, in ${unitLabel(e.unit)} (the setting rightsize.budget.conversation.${e.unit} stays as it is)`,
        value: String(round(suggested)),
        validateInput: (v) => parseRaisedLimit(v, e).error,
        ignoreFocusOut: true,
      }), signal);
      const limit = input === undefined ? undefined : parseRaisedLimit(input, e).limit;
      if (limit !== undefined) return { kind: 'raise', limit };
    }
    return { kind: 'stop' };
  };
}

function round(v: number): number {
  return v >= 100 ? Math.ceil(v) : Number(v.toPrecision(3));
}

/** The thenable's value, or undefined as soon as the request is cancelled. */
function untilAborted<T>(p: Thenable<T | undefined>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, () => resolve(undefined));
  });
}
