// Suggest mode: when the model the user picked is bigger than the router thinks necessary, a
// non-modal hint says which model would have sufficed and the difference in Wh and USD.
// Also the “Suggest a Model…” command: a ranked quick pick of candidates with estimates and reasons.
import * as vscode from 'vscode';
import { formatUsd, formatWh } from '../core/format';
import { Decision, Estimate, ModelSpec, TaskClass } from '../core/types';
import type { Settings } from './settings';
import { showWriteMessage, writeMessage, writeSetting } from './workspaceSettings';

const COOLDOWN_MS = 5 * 60_000;

const TASK_WORDS: Record<TaskClass, string> = {
  completion: 'completions', explain: 'explanations', document: 'documentation', test: 'tests', fix: 'fixes',
  refactor: 'refactorings', multiFile: 'multi-file changes', design: 'design questions', agentic: 'agent tasks',
};

export class SuggestionHints {
  private showing = false;
  private readonly lastShown = new Map<TaskClass, number>();

  constructor(private readonly settings: Settings, private readonly now: () => number = Date.now) {}

  private mutedTasks(): readonly TaskClass[] {
    return this.settings.value.mutedTasks;
  }

  /** Called for each decision in suggest mode. Returns whether a hint was shown. */
  consider(chosen: ModelSpec, chosenEstimate: Estimate, suggestion: Decision | undefined): boolean {
    if (!suggestion || suggestion.model === chosen.id) return false;
    const savedWh = chosenEstimate.energy.wh - suggestion.estimate.energy.wh;
    const savedUsd = chosenEstimate.cost.usd - suggestion.estimate.cost.usd;
    if (savedWh <= 0 && savedUsd <= 0) return false;
    const task = suggestion.task;
    if (this.mutedTasks().includes(task) || this.showing) return false;
    const last = this.lastShown.get(task) ?? -Infinity;
    if (this.now() - last < COOLDOWN_MS) return false;
    this.lastShown.set(task, this.now());
    this.showing = true;
    const where = suggestion.location === 'local' ? 'local ' : '';
    const diff = [savedWh > 0 ? `${formatWh(savedWh)}` : '', savedUsd > 0 ? `${formatUsd(savedUsd)}` : ''].filter(Boolean).join(' and ');
    const text = `Rightsize: ${where}${suggestion.model} would have sufficed for this (${suggestion.reason}) — about ${diff} less than ${chosen.id} per request like it.`;
    void vscode.window.showInformationMessage(text, 'Use Rightsize Auto in this workspace', 'Don\'t suggest for this kind of request').then(async (choice) => {
      this.showing = false;
      const trusted = this.settings.trusted;
      if (choice === 'Use Rightsize Auto in this workspace') {
        const w = await writeSetting(this.settings, 'mode', 'auto');
        showWriteMessage(w, trusted, writeMessage(w, trusted, 'auto mode is on for this workspace — requests are routed to the smallest capable model. Pick “Rightsize Auto” in the chat\'s model picker to see every decision.', (v) => `mode ${String(v ?? 'suggest')}`));
      } else if (choice === 'Don\'t suggest for this kind of request') {
        const muted = new Set(this.mutedTasks());
        muted.add(task);
        const w = await writeSetting(this.settings, 'suggestions.mutedTasks', [...muted]);
        showWriteMessage(w, trusted, writeMessage(w, trusted, `no more suggestions for ${TASK_WORDS[task]} in this workspace.`, (v) => `muted suggestions ${Array.isArray(v) && v.length ? v.join(', ') : 'none'}`));
      }
    });
    return true;
  }
}

export interface SuggestItem extends vscode.QuickPickItem { model: string }

/** Quick-pick items for a decision: the pick first, then the other allowed candidates, cheapest first. */
export function suggestItems(decision: Decision): SuggestItem[] {
  const items: SuggestItem[] = [];
  const seen = new Set<string>();
  const push = (e: Estimate, label: string, detail: string) => {
    if (seen.has(e.model)) return;
    seen.add(e.model);
    items.push({
      model: e.model,
      label,
      description: `${formatWh(e.energy.wh)} (${formatWh(e.energy.low)}–${formatWh(e.energy.high)}) · ${formatUsd(e.cost.usd)}`,
      detail,
    });
  };
  push(decision.estimate, `$(star-full) ${decision.model}`, decision.reason);
  if (decision.runnerUp) {
    const ru = decision.alternatives.find((a) => a.model === decision.runnerUp!.model);
    if (ru) push(ru, `$(star-half) ${ru.model}`, `Runner-up: ${decision.runnerUp.reason}`);
  }
  for (const a of decision.alternatives) push(a, a.model, 'Also capable enough');
  if (decision.reference && !seen.has(decision.reference.model)) {
    push(decision.reference, `$(circle-outline) ${decision.reference.model}`, 'Reference model (what savings are measured against)');
  }
  return items;
}
