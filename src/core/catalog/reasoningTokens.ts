// Hidden reasoning in estimates made before a request. A model that reasons by default (gpt-5-mini: the API's
// default effort is medium) generates reasoning tokens that the answer does not show but that are generated,
// billed and metered as output (TokenCounts.output includes reasoning). An estimate that counted only the
// visible answer would flatter every such model: the router would prefer it too readily, and a baseline of
// "always gpt-5-mini" would look cheaper than it is. So the router, the pipeline's pinned decisions and the
// router evaluation all plan `visible + expected reasoning` output tokens, from the catalog's
// `reasoning.expectedTokensPerRequest` (models.json, with its source under `sources.reasoning`).
//
// OpenAI's models before gpt-5.1 (gpt-5, gpt-5-mini, gpt-5-nano, o3, o4-mini; Copilot's gpt-5 and gpt-5-mini):
// 700 tokens each (catalog source `reasoning-openai-medium`):
// - default effort: "All models before gpt-5.1 default to medium reasoning effort" (Microsoft Learn,
//   @azure/ai-projects `ReasoningEffort`, which repeats OpenAI's API reference);
// - amount: a published measurement of gpt-5-mini on Microsoft Foundry (qiita.com/FukuharaYohei/items/
//   8143f4d51fc30624c39f, 2026-01-18): the same prompt took 1,830 output tokens at effort minimal and 2,518 at
//   medium (6,427 at high), i.e. about 700 reasoning tokens at the default (the one per-request measurement
//   found; the other models are assumed to reason as much: gpt-5-nano took 27,907 at medium there);
// - OpenAI's reasoning guide (developers.openai.com/docs/guides/reasoning): "a few hundred to tens of
//   thousands" of reasoning tokens per request, depending on the problem.
// One prompt is thin evidence, so the figure is the low end of that range: it may understate gpt-5-mini's
// energy, never overstate it to make the router look better. After the request, the reported usage (which
// includes the real reasoning tokens) replaces the estimate.
import type { ModelSpec, TokenCounts } from '../types';
import { reasoningDefaults } from './specExtensions';

/** Hidden reasoning tokens the model is expected to generate per request at its default effort (0 if it does
 * not reason by default). */
export function expectedReasoningTokens(m: ModelSpec): number {
  return reasoningDefaults(m)?.expectedTokensPerRequest ?? 0;
}

/** Output tokens a request is expected to generate on `m`: the visible answer plus the model's expected
 * reasoning, capped at the model's output limit. */
export function plannedOutputTokens(m: ModelSpec, visibleOutput: number): number {
  const output = visibleOutput + expectedReasoningTokens(m);
  return m.maxOutputTokens > 0 && m.maxOutputTokens < output ? m.maxOutputTokens : output;
}

/** The token counts an estimate before the request uses (no cached input assumed). */
export function plannedTokens(m: ModelSpec, input: number, visibleOutput: number): TokenCounts {
  const output = plannedOutputTokens(m, visibleOutput);
  return { input, cachedInput: 0, output, reasoning: Math.min(output, expectedReasoningTokens(m)) };
}
