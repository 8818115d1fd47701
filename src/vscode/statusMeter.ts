// The status-bar meter: session totals (tokens, Wh, USD) and the tightest budget's percentage.
// Updated synchronously when a request completes; no timers, so it costs nothing when idle.
import * as vscode from 'vscode';
import { formatAmount, formatGrams, formatPercent, formatTokens, formatUsd, formatWh, formatWhRange, unitSymbol } from '../core/format';
import { BudgetLine, UsageReport } from '../core/types';

/** Budget amounts in the meter's tooltip: tokens compact (`12.1k tokens`). */
const COMPACT = { tokens: 'compact' } as const;

export interface MeterState {
  session: UsageReport;
  budgets: BudgetLine[];
  ollama: string;
  /** The gateway's line (URL, or how to start it). */
  gateway?: string;
}

export class StatusMeter implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private lastText = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('rightsize.meter', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Rightsize meter';
    this.item.command = { command: 'rightsize.openUsage', title: 'Open Rightsize usage' };
    this.item.text = '$(pulse) Rightsize';
    this.item.tooltip = 'Rightsize: no requests yet in this session. Click to open usage.';
    this.item.show();
  }

  get snapshot(): { text: string; tooltip: string; visible: boolean; background?: string } {
    const tooltip = this.item.tooltip;
    return {
      text: this.item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : tooltip?.value ?? '',
      visible: true,
      background: this.item.backgroundColor instanceof vscode.ThemeColor ? this.item.backgroundColor.id : undefined,
    };
  }

  update(state: MeterState): void {
    const t = state.session.totals;
    const tightest = tightestLine(state.budgets);
    const parts = [`$(pulse) ${formatTokens(t.tokens.input + t.tokens.output)} tok`, formatWh(t.wh), formatUsd(t.usd)];
    if (tightest) parts.push(formatPercent(tightest.fraction));
    const text = parts.join(' · ');
    if (text !== this.lastText) { this.item.text = text; this.lastText = text; }
    this.item.backgroundColor = tightest?.level === 'exceeded'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : tightest?.level === 'warn' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `Rightsize session: ${t.requests} requests, ${formatTokens(t.tokens.input + t.tokens.output)} tokens, ${formatWh(t.wh)}, ${formatUsd(t.usd)}${tightest ? `, tightest budget at ${formatPercent(tightest.fraction)}` : ''}` };
    this.item.tooltip = tooltip(state);
  }

  dispose(): void {
    this.item.dispose();
  }
}

export function tightestLine(lines: BudgetLine[]): BudgetLine | undefined {
  let best: BudgetLine | undefined;
  for (const l of lines) if (!best || l.fraction > best.fraction) best = l;
  return best;
}

function tooltip(state: MeterState): vscode.MarkdownString {
  const r = state.session;
  const t = r.totals;
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['rightsize.openUsage', 'rightsize.setBudget', 'rightsize.resetSession', 'rightsize.showRoutingLog'] };
  md.supportThemeIcons = true;
  md.appendMarkdown(`**Rightsize — this session**\n\n`);
  md.appendMarkdown(`${plural(t.requests, 'request')} · ${formatTokens(t.tokens.input)} in / ${formatTokens(t.tokens.output)} out\n\n`);
  md.appendMarkdown(`${formatWh(t.wh)} (${formatWhRange(t.whLow, t.whHigh)}) · ${formatUsd(t.usd)} · ${formatGrams(t.gco2e)}\n\n`);
  const cloud = t.requests - t.localRequests;
  md.appendMarkdown(`Local: ${plural(t.localRequests, 'request')}, ${formatWh(t.localWh)} · Cloud: ${plural(cloud, 'request')}, ${formatWh(t.cloudWh)}\n\n`);
  if (t.savedWh !== 0 || t.savedUsd !== 0) {
    md.appendMarkdown(`Saved vs reference model: ${formatWh(t.savedWh)}, ${formatUsd(t.savedUsd)}\n\n`);
  }
  const top = [...r.models].sort((a, b) => b.wh - a.wh).slice(0, 3);
  if (top.length) {
    md.appendMarkdown(`| Model | Req | Wh | USD |\n|---|--:|--:|--:|\n`);
    for (const m of top) md.appendMarkdown(`| ${escapeMd(m.model)} | ${m.requests} | ${formatWh(m.wh)} | ${formatUsd(m.usd)} |\n`);
    md.appendMarkdown('\n');
  }
  if (state.budgets.length) {
    md.appendMarkdown(`**Budgets**\n\n`);
    for (const l of state.budgets) {
      const icon = l.level === 'exceeded' ? '$(error)' : l.level === 'warn' ? '$(warning)' : '$(check)';
      md.appendMarkdown(`${icon} ${l.period} ${unitSymbol(l.unit)}: ${formatAmount(l.unit, l.used + l.reserved, COMPACT)} of ${formatAmount(l.unit, l.limit, COMPACT)} (${formatPercent(l.fraction)})\n\n`);
    }
  }
  md.appendMarkdown(`Ollama: ${escapeMd(state.ollama)}\n\n`);
  if (state.gateway) md.appendMarkdown(`${escapeMd(state.gateway)}\n\n`);
  md.appendMarkdown(`[Open usage](command:rightsize.openUsage) · [Set budget](command:rightsize.setBudget) · [Routing log](command:rightsize.showRoutingLog) · [Reset session](command:rightsize.resetSession)`);
  return md;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}


function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
