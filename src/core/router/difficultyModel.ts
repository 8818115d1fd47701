// Required capability from evidence: a small ordinal model, fitted on public per-problem results of models
// of several sizes (`npm run router:fit`, eval/router/fit.ts), maps the problem's features
// (difficultyFeatures.ts) to the smallest tier of model that solved problems like it.
//
// Tiers (the scale of shared/router-data/README.md) and the capability each needs on the catalog's scale
// (ModelSpec.capability.score; docs/energy-model.md#capability-scale):
//
// | tier | evidence: smallest open model that solved it | router tier                      | spec | repo |
// |-----:|----------------------------------------------|----------------------------------|-----:|-----:|
// |    0 | <= 3B                                        | tiny local (qwen2.5-coder:1.5b)  |  3.2 |  3.2 |
// |    1 | 7-15B                                        | mid local (7B-14B)               |  9.5 |  9.5 |
// |    2 | 16-34B                                       | large local (~32B) / small cloud | 16.4 |   50 |
// |    3 | none of the open models <= 34B               | frontier (score >= 75)           |   75 |   75 |
//
// Two models, each fitted on the data set that covers its kind of request:
//   spec: write code from a self-contained specification (task kind `generate`): HumanEval, LeetCode and
//         CodeContests problems with the pass rates of eight open code models, 1.5B-33B.
//   repo: resolve an issue in an existing repository (task kind `fix` or `multiFile`, when the request is
//         issue-sized or names a repository): SWE-bench Verified issues with per-issue results of 37 runs.
//         Its tier 2 was reached by a 24B model built for agentic coding (Devstral Small 2), not by a 32B
//         chat coder (Qwen2.5-Coder-32B resolved 45 of 500 issues in the same agent), so tier 2 needs 50,
//         the level of current 20-30B agentic models (devstral:24b 53.6, qwen3-coder:30b 51.6).
//
// Model: proportional-odds logistic regression. For standardised features x, z = w·x and
// P(tier >= minTier + k) = sigmoid(z - cut[k-1]). The required tier is the highest tier whose probability
// reaches `threshold` (chosen by the fit so that cross-validated under-routing stays within its target).
// The parameters live in difficulty-params.json with their provenance; nothing here is hand-tuned.
import type { FeatureName, FeatureVector, ProblemInput } from './difficultyFeatures';
import { problemFeatures } from './difficultyFeatures';
import type { RequestFeatures } from './features';
import shipped from './difficulty-params.json';

export type CalibratedModelName = 'spec' | 'repo';

export interface OrdinalModelParams {
  /** What the model is for, in words. */
  description: string;
  /** Task kinds it applies to. */
  kinds: string[];
  /** The data set it was fitted on (file under shared/router-data/). */
  data: string;
  /** Lowest tier in its data (tiers minTier..minTier+cutpoints.length). */
  minTier: number;
  features: FeatureName[];
  /** Standardisation: x = (raw - mean) / scale. */
  mean: number[];
  scale: number[];
  weights: number[];
  /** Increasing cutpoints, one per tier above minTier. */
  cutpoints: number[];
  /** Probability a tier must reach to be required. */
  threshold: number;
  /** Required capability score per tier 0..3. */
  tierCapability: number[];
  /** Fit diagnostics (rows, regularisation, cross-validated and in-sample under/over-routing). */
  fit?: Record<string, unknown>;
}

export interface DifficultyParams {
  version: string;
  description?: string;
  provenance: Record<string, unknown>;
  models: Record<CalibratedModelName, OrdinalModelParams>;
}

export interface CalibratedDifficulty {
  model: CalibratedModelName;
  tier: number;
  /** P(tier >= t) for t = minTier+1 .. 3. */
  probabilities: number[];
  required: number;
  /** The two features that pushed the required tier up the most, e.g. `bound+1.4`. */
  drivers: string[];
}

let active: DifficultyParams = checkParams(shipped as unknown as DifficultyParams);

/** The parameters in use (the shipped file unless replaced by setDifficultyParams). */
export function difficultyParams(): DifficultyParams {
  return active;
}

/** Replaces the parameters (the fit script and the evaluation try candidates this way); undefined restores
 * the shipped file. */
export function setDifficultyParams(params: DifficultyParams | undefined): void {
  active = params ? checkParams(params) : checkParams(shipped as unknown as DifficultyParams);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Linear score z of the standardised features. */
export function ordinalScore(m: OrdinalModelParams, v: FeatureVector): number {
  let z = 0;
  for (let i = 0; i < m.features.length; i++) z += m.weights[i] * ((v[m.features[i]] - m.mean[i]) / m.scale[i]);
  return z;
}

export function predictDifficulty(name: CalibratedModelName, v: FeatureVector, params: DifficultyParams = active): CalibratedDifficulty {
  const m = params.models[name];
  const z = ordinalScore(m, v);
  const probabilities = m.cutpoints.map((c) => sigmoid(z - c));
  let k = 0;
  for (let i = 0; i < probabilities.length; i++) if (probabilities[i] >= m.threshold) k = i + 1;
  const tier = m.minTier + k;
  return { model: name, tier, probabilities, required: m.tierCapability[tier], drivers: drivers(m, v) };
}

function drivers(m: OrdinalModelParams, v: FeatureVector): string[] {
  const parts: Array<{ name: string; c: number }> = [];
  for (let i = 0; i < m.features.length; i++) {
    const c = m.weights[i] * ((v[m.features[i]] - m.mean[i]) / m.scale[i]);
    if (c > 0.25) parts.push({ name: m.features[i], c });
  }
  parts.sort((a, b) => b.c - a.c);
  return parts.slice(0, 2).map((p) => `${p.name}+${p.c.toFixed(1)}`);
}

/** Throws on a malformed parameter file (a broken refit must not route silently). */
export function checkParams(p: DifficultyParams): DifficultyParams {
  if (!p || typeof p.version !== 'string' || !p.models) throw new Error('difficulty-params: missing version or models');
  for (const name of ['spec', 'repo'] as const) {
    const m = p.models[name];
    const where = `difficulty-params: model ${name}`;
    if (!m) throw new Error(`${where} missing`);
    const n = m.features.length;
    if (m.mean.length !== n || m.scale.length !== n || m.weights.length !== n) throw new Error(`${where}: feature arrays differ in length`);
    if (m.scale.some((s) => !(s > 0))) throw new Error(`${where}: non-positive scale`);
    if (m.cutpoints.some((c, i) => !Number.isFinite(c) || (i > 0 && c < m.cutpoints[i - 1]))) throw new Error(`${where}: cutpoints not increasing`);
    if (m.minTier + m.cutpoints.length > 3 || m.tierCapability.length !== 4) throw new Error(`${where}: tiers outside 0-3`);
    if (!(m.threshold > 0 && m.threshold < 1)) throw new Error(`${where}: threshold outside (0, 1)`);
    if (m.weights.some((w) => !Number.isFinite(w)) || m.mean.some((x) => !Number.isFinite(x))) throw new Error(`${where}: non-finite weight`);
  }
  return p;
}

/** A fix or multi-file change is read as a repository issue when its ask names a repository or codebase or
 * the instruction is at least this long (an issue report, not a one-line request). */
export const ISSUE_MIN_CHARS = 600;
const REPO_SCOPE_RE = /\b(?:repo(?:sitory)?|codebase|code base|monorepo|(?:this|the|our|my) (?:project|package|library|service|app(?:lication)?))\b/i;

/** Which calibrated model covers a request of this kind, if any. */
export function calibratedModelFor(kind: string, ask: string, instructionChars: number): CalibratedModelName | undefined {
  if (kind === 'generate') return 'spec';
  if ((kind === 'fix' || kind === 'multiFile') && (instructionChars >= ISSUE_MIN_CHARS || REPO_SCOPE_RE.test(ask))) return 'repo';
  return undefined;
}

/** The problem as the difficulty model reads it: the envelope's instruction, context and context shape. */
export function problemInputOf(f: RequestFeatures): ProblemInput {
  const e = f.envelope;
  return { instruction: e.instruction, context: e.context, shape: e.shape };
}

/** The calibrated requirement of a request of this kind, or undefined when no fitted model covers it. */
export function calibratedDifficulty(kind: string, f: RequestFeatures, ask: string): CalibratedDifficulty | undefined {
  const input = problemInputOf(f);
  const name = calibratedModelFor(kind, ask, input.instruction.length);
  if (!name) return undefined;
  return predictDifficulty(name, problemFeatures(input));
}
