// The coding-capability scale (0-100) and the mappings onto it. See docs/energy-model.md#capability-scale.
//
// Scale: Aider polyglot pass rate (pass_rate_2, %) or its equivalent. Other benchmarks are mapped:
//  - SWE-bench Verified: 1:1. Paired models (gpt-4.1 54.6/52.4, gpt-4o 33.2/23.1, claude-sonnet-4 72.7/56.4,
//    claude-opus-4 72.5/72.0, gpt-5 74.9/88.0, o3 69.1/79.6) give polyglot/SWE ratios of 0.6-1.2, median ~1.0.
//  - LiveCodeBench: x0.522, anchored on Qwen2.5-Coder-32B-Instruct (polyglot 16.4, LCB 31.4); used for the
//    smaller models of the same family and other small open coders (less certain outside the family).
//  - HumanEval: through the Qwen2.5-Coder instruct ladder (HumanEval -> LiveCodeBench), then x0.522.

export const LCB_TO_SCALE = 16.4 / 31.4;

/** Qwen2.5-Coder-Instruct (HumanEval, LiveCodeBench) pairs, Qwen2.5-Coder Technical Report v3. */
const HUMANEVAL_TO_LCB: ReadonlyArray<readonly [number, number]> = [
  [50, 0], [61.6, 2.0], [70.7, 6.1], [84.1, 10.8], [88.4, 18.2], [92.7, 31.4],
];

/** Scores below this are floored: a model that runs at all can still complete a line of code. */
export const SCORE_FLOOR = 0.5;

export function scoreFromSweBenchVerified(percent: number): number {
  return clampScore(percent);
}

export function scoreFromLiveCodeBench(percent: number): number {
  return clampScore(percent * LCB_TO_SCALE);
}

export function scoreFromHumanEval(percent: number): number {
  const pts = HUMANEVAL_TO_LCB;
  let lcb: number;
  if (percent <= pts[0][0]) lcb = 0;
  else if (percent >= pts[pts.length - 1][0]) lcb = pts[pts.length - 1][1];
  else {
    let i = 1;
    while (pts[i][0] < percent) i++;
    const [x0, y0] = pts[i - 1];
    const [x1, y1] = pts[i];
    lcb = y0 + ((percent - x0) / (x1 - x0)) * (y1 - y0);
  }
  return scoreFromLiveCodeBench(lcb);
}

function clampScore(x: number): number {
  return Math.round(Math.min(100, Math.max(SCORE_FLOOR, x)) * 10) / 10;
}

/**
 * Capability of a model the catalog does not know, from its size and family. Fitted on the Qwen2.5-Coder
 * ladder (0.49B -> 1.0 ... 32.5B -> 16.4): score = 3.6 + 2.54 * log2(effective billions of parameters).
 * MoE models use the geometric mean of total and active parameters. Families not trained for code get
 * x0.6 (Llama 3.1 8B: fit 11.2, mapped from HumanEval 3.5). Capped at 35: an unknown model is never assumed
 * to be frontier-class, so the router errs towards a bigger model for hard tasks.
 */
export const DERIVED_CAP = 35;

const CODE_FAMILY = /(cod(e|er|estral|ellama|egemma)|starcoder|devstral|deepseek-coder|granite-code|qwen.*coder|wizardcoder)/i;

export function derivedCapability(input: { totalB: number; activeB: number; name: string; family?: string; embeddingOnly?: boolean }): number {
  if (input.embeddingOnly) return 0;
  const effective = Math.sqrt(Math.max(input.totalB, 1e-3) * Math.max(input.activeB, 1e-3));
  let score = 3.6 + 2.54 * Math.log2(effective);
  const text = `${input.name} ${input.family ?? ''}`;
  if (!CODE_FAMILY.test(text)) score *= 0.6;
  return Math.round(Math.min(DERIVED_CAP, Math.max(SCORE_FLOOR, score)) * 10) / 10;
}
