// The evaluation behind `npm run eval:router`: the router's real decide() over the calibration data, with
// the real catalog entries and Rightsize's own energy estimates, scored against the data's labels.
//
// Candidates: the qwen2.5-coder 1.5b/7b/32b ladder on the default (generic) device profile, and the three
// cloud models whose per-issue SWE-bench results the data carries (gpt-5-mini, claude-sonnet-4-5,
// claude-opus-4-5). Objective `energy`, no local preference: the figures measure the router's judgement of
// difficulty, and energy is what is compared.
//
// Each candidate's router tier comes from its capability score (the README's "router tier it lines up with"):
//   0 tiny local   score <= 5.6   (qwen2.5-coder 0.5b-3b)
//   1 mid local    score <= 12.7  (7B-16B coders)
//   2 large local / small cloud   score < 75 (qwen2.5-coder:32b, gpt-5-mini, claude-haiku-4-5)
//   3 frontier     score >= 75    (claude-sonnet-4-5, claude-opus-4-5, gpt-5)
// Under-routing: the chosen model's tier is below the row's tier; over-routing: above it.
// Oracle: per row, the lowest-energy candidate of at least the row's tier.
import { Catalog } from '../../src/core/catalog/catalog';
import { plannedTokens } from '../../src/core/catalog/reasoningTokens';
import { defaultEstimateSettings, estimate } from '../../src/core/estimate';
import { decide, RouteDecision } from '../../src/core/router/router';
import { DifficultyParams, difficultyParams, setDifficultyParams } from '../../src/core/router/difficultyModel';
import { TokenCounter } from '../../src/core/tokens';
import type { Estimate, ModelSpec, TokenCounts } from '../../src/core/types';
import type { EvalRow, LoadedSet, SetName } from './data';

export const CANDIDATE_IDS = ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b', 'qwen2.5-coder:32b', 'gpt-5-mini', 'claude-sonnet-4-5', 'claude-opus-4-5'] as const;
/** Baselines of the issue: the largest local model, and one mid-size cloud model for every request. */
export const BASELINES = { largestLocal: 'qwen2.5-coder:32b', midCloud: 'gpt-5-mini' } as const;
/** Further fixed choices shown for reference. */
export const REFERENCE_CHOICES = ['claude-sonnet-4-5', 'claude-opus-4-5'] as const;
export const FRONTIER_SCORE = 75;

/** The four candidates run in the same agent (mini-SWE-agent) in the SWE-bench data, by their keys there. */
export const SWEBENCH_KEYS: Readonly<Record<string, string>> = {
  'qwen2.5-coder:32b': 'qwen2.5-coder-32b',
  'gpt-5-mini': 'gpt-5-mini',
  'claude-sonnet-4-5': 'claude-sonnet-4-5',
  'claude-opus-4-5': 'claude-opus-4-5',
};

export function routerTier(m: ModelSpec): number {
  const s = m.capability.score;
  if (s <= 5.6) return 0;
  if (s <= 12.7) return 1;
  if (s < FRONTIER_SCORE) return 2;
  return 3;
}

export function candidates(catalog: Catalog = Catalog.builtIn()): ModelSpec[] {
  return CANDIDATE_IDS.map((id) => {
    const m = catalog.get(id);
    if (!m) throw new Error(`catalog has no ${id}`);
    return m;
  });
}

export interface RowResult {
  set: SetName;
  id: string;
  subset: string;
  tier: number;
  kind: string;
  /** Which fitted model decided (spec / repo), or '-' for the hand-set base of other kinds. */
  model: string;
  chosen: string;
  chosenTier: number;
  wh: number;
  oracle: string;
  oracleWh: number;
  /** Wh of each fixed choice (baselines and references) for the same tokens. */
  fixedWh: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  resolvedBy?: string[];
}

export interface Routed { rows: RowResult[] }

const counter = new TokenCounter();
const tokenCache = new Map<string, number>();

export function routeRows(rows: readonly EvalRow[], cands: readonly ModelSpec[] = candidates()): RowResult[] {
  const settings = defaultEstimateSettings();
  const est = (m: ModelSpec, t: TokenCounts): Estimate => estimate(m, t, settings);
  const fixedIds = [BASELINES.largestLocal, BASELINES.midCloud, ...REFERENCE_CHOICES];
  const byId = new Map(cands.map((m) => [m.id, m]));
  const out: RowResult[] = [];
  for (const r of rows) {
    const key = `${r.set}\u0000${r.id}`;
    let input = tokenCache.get(key);
    if (input === undefined) {
      input = counter.countMessages(r.request.messages, r.request.tools);
      tokenCache.set(key, input);
    }
    const d: RouteDecision = decide(r.request, input, {
      candidates: [...cands], objective: 'energy', localOnly: false, budget: { preferLocal: false, blockCloud: false }, estimate: est, localPreference: 1,
    });
    const chosen = byId.get(d.model)!;
    const output = d.expectedOutputTokens;
    // The same planned tokens as the router's own estimates: the visible answer plus each model's expected
    // hidden reasoning (gpt-5-mini reasons by default; src/core/catalog/reasoningTokens.ts).
    const tokens = (m: ModelSpec): TokenCounts => plannedTokens(m, input, output);
    let oracle: ModelSpec | undefined;
    let oracleWh = Infinity;
    for (const m of cands) {
      if (routerTier(m) < Math.min(3, r.tier)) continue;
      const wh = est(m, tokens(m)).energy.wh;
      if (wh < oracleWh) { oracleWh = wh; oracle = m; }
    }
    const fixedWh: Record<string, number> = {};
    for (const id of fixedIds) fixedWh[id] = est(byId.get(id)!, tokens(byId.get(id)!)).energy.wh;
    const kind = (d.signals.find((s) => s.startsWith('kind:')) ?? 'kind:?').slice(5);
    const model = (d.signals.find((s) => s.startsWith('model:')) ?? 'model:-').slice(6);
    out.push({
      set: r.set, id: r.id, subset: r.subset, tier: r.tier, kind, model, chosen: chosen.id, chosenTier: routerTier(chosen), wh: d.estimate.energy.wh,
      oracle: oracle!.id, oracleWh, fixedWh, inputTokens: input, outputTokens: output, resolvedBy: r.resolvedBy,
    });
  }
  return out;
}

export interface Summary { n: number; under: number; over: number; exact: number; wh: number; whPerRequest: number; vsOracle: number }

export function summarise(rows: readonly RowResult[], choice: (r: RowResult) => { tier: number; wh: number }): Summary {
  let under = 0, over = 0, wh = 0, oracle = 0;
  for (const r of rows) {
    const c = choice(r);
    const need = Math.min(3, r.tier);
    if (c.tier < need) under++;
    else if (c.tier > need) over++;
    wh += c.wh;
    oracle += r.oracleWh;
  }
  const n = rows.length;
  return { n, under: under / n, over: over / n, exact: (n - under - over) / n, wh, whPerRequest: wh / n, vsOracle: wh / oracle };
}

export const routerChoice = (r: RowResult): { tier: number; wh: number } => ({ tier: r.chosenTier, wh: r.wh });
export const oracleChoice = (r: RowResult): { tier: number; wh: number } => ({ tier: Math.min(3, r.tier), wh: r.oracleWh });
export function fixedChoice(id: string, cands: readonly ModelSpec[] = candidates()): (r: RowResult) => { tier: number; wh: number } {
  const m = cands.find((c) => c.id === id)!;
  const tier = routerTier(m);
  return (r) => ({ tier, wh: r.fixedWh[id] });
}

export interface Outcome { resolved: number; wh: number }

/** SWE-bench outcome: issues resolved by the chosen model's own run (models without a run resolve none). */
export function outcome(rows: readonly RowResult[], pick: (r: RowResult) => string, whOf: (r: RowResult) => number): Outcome {
  let resolved = 0, wh = 0;
  for (const r of rows) {
    const key = SWEBENCH_KEYS[pick(r)];
    if (key && r.resolvedBy?.includes(key)) resolved++;
    wh += whOf(r);
  }
  return { resolved, wh };
}

/** Routes again with every fitted model's threshold replaced (for the under-routing/energy curve). */
export function withThresholds<T>(thresholds: Partial<Record<'spec' | 'repo', number>>, fn: () => T): T {
  const base: DifficultyParams = difficultyParams();
  const copy: DifficultyParams = JSON.parse(JSON.stringify(base));
  for (const [name, t] of Object.entries(thresholds)) copy.models[name as 'spec' | 'repo'].threshold = t!;
  setDifficultyParams(copy);
  try {
    return fn();
  } finally {
    setDifficultyParams(base);
  }
}

export type { LoadedSet };
