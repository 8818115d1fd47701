// The answer's first line: which model answered and why, once per turn. The routing log keeps the full
// reason; the line takes its first clause. It goes before the turn's first text, not before a tool call:
// VS Code's chat folds a finished turn's intermediate steps (text before tool calls, the calls) into
// "Completed N steps", so in Agent mode, where a turn usually opens with tool calls, the line then heads the
// answer the user reads. A request of a turn that already said it (a tool-loop continuation after text)
// does not repeat it.
import { turnInfo } from '../conversation';
import type { ChatRequest, DecisionMode, ModelSpec } from '../types';

/** The reason's first clause: up to the first `;`, `. ` or ` and `, the model's own mention shortened to "it". */
export function firstClause(reason: string, model: ModelSpec): string {
  let clause = reason.split(/;\s|\.\s/)[0];
  const and = clause.indexOf(' and ');
  if (and > 0) clause = clause.slice(0, and);
  const where = model.location;
  clause = clause.split(`${model.id} (${where}) `).join('it ');
  return clause.replace(/[.\s]+$/, '');
}

/** Where a model runs, as the line says it. */
export function whereLabel(model: ModelSpec): string {
  return model.location === 'local' ? 'local' : model.provider === 'copilot' ? 'cloud, via Copilot' : 'cloud';
}

/** The line (Markdown, ending in a blank line), for models the router chose (Auto or auto mode) only. */
export function modelLine(model: ModelSpec, mode: DecisionMode, reason: string): string | undefined {
  if (mode !== 'auto') return undefined;
  const clause = firstClause(reason, model);
  return `*${model.id} · ${whereLabel(model)}${clause ? ` — ${escapeMarkdown(clause)}` : ''}*\n\n`;
}

/**
 * Which turns have shown their line, and the line each turn's opening request would show (bounded; in
 * memory: a reload may show a turn's line once more). A continuation that writes the turn's first text shows
 * the opening's reason (why the model was chosen), not "stays on the turn's model", unless the model changed.
 */
export class ModelLineTurns {
  private readonly turns = new Map<string, { modelId: string; line: string; shown: boolean }>();

  constructor(private readonly max = 512) {}

  /** The line to put before this request's first text, or undefined (not due, or its turn said it). */
  lineFor(request: ChatRequest, model: ModelSpec, mode: DecisionMode, reason: string): { line: string; turnId: string } | undefined {
    const info = turnInfo(request);
    const continuation = info.continuation;
    // The client's conversation id first: the same words opening two chats are two turns.
    const turnId = `${request.conversationId ?? ''}|${info.turnId}`;
    const known = this.turns.get(turnId);
    if (known?.shown) return undefined;
    if (known && continuation && known.modelId === model.id) return { line: known.line, turnId };
    const line = modelLine(model, mode, reason);
    if (!line) return undefined;
    this.turns.delete(turnId);
    this.turns.set(turnId, { modelId: model.id, line, shown: false });
    if (this.turns.size > this.max) this.turns.delete(this.turns.keys().next().value as string);
    return { line, turnId };
  }

  /** Call when the line was shown. */
  markShown(turnId: string): void {
    const t = this.turns.get(turnId);
    if (t) t.shown = true;
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_`[\]<>])/g, '\\$1');
}
