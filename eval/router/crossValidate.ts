// Out-of-fold routing for `npm run eval:router`: the shipped difficulty parameters were fitted on the same rows
// the evaluation scores, so its main table is in-sample. Here every row is routed by a model fitted without
// it: the fit's own 5 folds (stratified by tier, assigned by a hash of the id; eval/router/fit.ts), and for
// each fold the whole fit (standardisation, L2 penalty and threshold by inner cross-validation) on the other
// four. The figures this gives are what a new request of the same kind can expect.
import { difficultyParams, DifficultyParams, setDifficultyParams } from '../../src/core/router/difficultyModel';
import type { ModelSpec } from '../../src/core/types';
import type { LoadedSet } from './data';
import { routeRows, RowResult } from './evaluate';
import { featureRows, fitModel, foldOf, MODELS } from './fit';

export const OUTER_FOLDS = 5;

export interface OutOfFold {
  rows: RowResult[];
  /** Threshold each fold's fit chose. */
  thresholds: number[];
}

export function outOfFoldRows(set: LoadedSet, cands: readonly ModelSpec[]): OutOfFold {
  const spec = MODELS.find((m) => m.set === set.set);
  if (!spec) throw new Error(`no fitted model for ${set.set}`);
  const features = featureRows(set);
  const fold = foldOf(features);
  const base: DifficultyParams = difficultyParams();
  const byIndex = new Array<RowResult>(set.rows.length);
  const thresholds: number[] = [];
  for (let k = 0; k < OUTER_FOLDS; k++) {
    const params = fitModel(spec, features.filter((_, i) => fold[i] !== k));
    thresholds.push(params.threshold);
    const copy: DifficultyParams = JSON.parse(JSON.stringify(base));
    copy.models[spec.name] = params;
    const held = set.rows.map((_, i) => i).filter((i) => fold[i] === k);
    setDifficultyParams(copy);
    try {
      const routed = routeRows(held.map((i) => set.rows[i]), cands);
      held.forEach((i, j) => { byIndex[i] = routed[j]; });
    } finally {
      setDifficultyParams(base);
    }
  }
  return { rows: byIndex, thresholds };
}
