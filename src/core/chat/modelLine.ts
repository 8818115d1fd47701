// The answer's first line: which model answered and why, once per turn (not on tool-loop continuations,
// which keep the turn's model). The routing log keeps the full reason; the line takes its first clause.
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

/**
 * The line (Markdown, ending in a blank line), or undefined when none is due: only for models the router
 * chose (Auto or auto mode), and only on the request that opens a turn.
 */
export function modelLine(request: ChatRequest, model: ModelSpec, mode: DecisionMode, reason: string): string | undefined {
  if (mode !== 'auto' || turnInfo(request).continuation) return undefined;
  const clause = firstClause(reason, model);
  return `*${model.id} · ${whereLabel(model)}${clause ? ` — ${escapeMarkdown(clause)}` : ''}*\n\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_`[\]<>])/g, '\\$1');
}
