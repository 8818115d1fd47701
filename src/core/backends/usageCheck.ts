// Usage a server reports is checked here, at the boundary, before anything is computed from it. A token
// count must be a non-negative safe integer no larger than MAX_REPORTED_TOKENS (far beyond any model's
// context plus output); an Ollama duration a non-negative number of nanoseconds below MAX_REPORTED_NS.
// A value that breaks the rule (`"abc"`, `1e308`, `-5`, missing where required) is replaced by Rightsize's
// own estimate of that number, the usage is marked `source: 'estimated'`, and a warning for the log says
// which field was wrong and what it held. So one bad number can never become an infinite cost, a negative
// count in a report, or a record the ledger refuses.
import type { BackendUsage, TokenCounts, TokenSource } from '../types';
import { redact, shortMessage } from './common';

/** 100 M tokens: ten times the largest context window offered today. */
export const MAX_REPORTED_TOKENS = 100_000_000;
/** A week, in nanoseconds. */
export const MAX_REPORTED_NS = 7 * 24 * 3600 * 1e9;

/** The problems found while reading one usage report. */
export class UsageCheck {
  readonly problems: string[] = [];

  constructor(private readonly secrets: Array<string | undefined> = []) {}

  /** A token count under `field` (the server's own name): undefined when absent or unusable. */
  count(field: string, value: unknown, required = false): number | undefined {
    if (value === undefined || value === null) {
      if (required) this.problems.push(`${field} is missing`);
      return undefined;
    }
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_REPORTED_TOKENS) return value;
    this.problems.push(`${field} was ${this.show(value)}`);
    return undefined;
  }

  /** A duration in nanoseconds: undefined when unusable (absent counts as 0). */
  nanoseconds(field: string, value: unknown): number | undefined {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_REPORTED_NS) return value;
    this.problems.push(`${field} was ${this.show(value)}`);
    return undefined;
  }

  private show(value: unknown): string {
    let text: string;
    try { text = JSON.stringify(value) ?? String(value); } catch { text = String(value); }
    return shortMessage(redact(text, this.secrets), 40);
  }
}

export type ReportedCounts = { [K in keyof TokenCounts]?: number };

/**
 * Tokens from what the server reported (`got`, already read through `check`), with the estimate standing
 * in for every count that was absent or unusable, and the relations of TokenCounts enforced (cached input
 * and cache writes within input, reasoning within output). Any problem marks the tokens estimated and
 * comes back as a warning naming the server (`label`).
 */
export function settleTokens(
  label: string, got: ReportedCounts, check: UsageCheck, estimated: TokenCounts,
): { tokens: TokenCounts; source: TokenSource; warnings?: string[] } {
  const input = got.input ?? estimated.input;
  const output = got.output ?? estimated.output;
  let cachedInput = got.cachedInput ?? 0;
  let cacheWrite = got.cacheWrite ?? 0;
  let reasoning = got.reasoning ?? Math.min(estimated.reasoning, output);
  if (cachedInput + cacheWrite > input) {
    check.problems.push(`cached input (${cachedInput + cacheWrite}) exceeds input (${input})`);
    cachedInput = Math.min(cachedInput, input);
    cacheWrite = Math.min(cacheWrite, input - cachedInput);
  }
  if (reasoning > output) {
    check.problems.push(`reasoning (${reasoning}) exceeds output (${output})`);
    reasoning = output;
  }
  const tokens: TokenCounts = { input, cachedInput, output, reasoning, ...(cacheWrite > 0 ? { cacheWrite } : {}) };
  if (check.problems.length === 0) return { tokens, source: 'reported' };
  return {
    tokens,
    source: 'estimated',
    warnings: [`${label} reported unusable usage (${check.problems.join('; ')}); Rightsize estimated those numbers and marked the record estimated.`],
  };
}

/** Adds the warnings of `check` (not already in `usage`) to a usage. */
export function withWarnings(usage: BackendUsage, warnings: string[] | undefined): BackendUsage {
  return warnings && warnings.length > 0 ? { ...usage, warnings: [...(usage.warnings ?? []), ...warnings] } : usage;
}
