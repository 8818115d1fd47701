// Proportional-odds (ordinal logistic) regression, fitted by Adam on the exact gradient of the penalised
// negative log-likelihood. Small and deterministic: a few hundred rows, under twenty features.
//
//   z = w·x,  P(y >= k) = sigmoid(z - theta_k) for k = 1..K-1,  theta increasing
//   loss = -sum_i log P(y_i) + lambda/2 |w|^2
// theta is parametrised as theta_1 = a, theta_k = theta_{k-1} + exp(b_k), so it stays ordered.
import { sigmoid } from '../../src/core/router/difficultyModel';

export interface OrdinalFit { weights: number[]; cutpoints: number[]; loss: number }

export interface OrdinalOptions { lambda: number; iterations?: number; learningRate?: number }

/** x: standardised rows; y: classes 0..K-1. */
export function fitOrdinal(x: number[][], y: number[], classes: number, opts: OrdinalOptions): OrdinalFit {
  const d = x[0]?.length ?? 0;
  const n = x.length;
  const p = d + (classes - 1); // w, a, b_2..b_{K-1}
  const theta0 = initialCutpoints(y, classes);
  const params = new Array<number>(p).fill(0);
  params[d] = theta0[0];
  for (let k = 1; k < classes - 1; k++) params[d + k] = Math.log(Math.max(1e-3, theta0[k] - theta0[k - 1]));
  const m = new Array<number>(p).fill(0);
  const v = new Array<number>(p).fill(0);
  const iterations = opts.iterations ?? 3000;
  const lr = opts.learningRate ?? 0.05;
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  let loss = Infinity;
  for (let t = 1; t <= iterations; t++) {
    const { loss: l, grad } = lossAndGradient(params, x, y, classes, d, opts.lambda);
    loss = l;
    for (let j = 0; j < p; j++) {
      m[j] = b1 * m[j] + (1 - b1) * grad[j];
      v[j] = b2 * v[j] + (1 - b2) * grad[j] * grad[j];
      const mh = m[j] / (1 - Math.pow(b1, t));
      const vh = v[j] / (1 - Math.pow(b2, t));
      params[j] -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  }
  void n;
  return { weights: params.slice(0, d), cutpoints: cutpointsOf(params, d, classes), loss };
}

function cutpointsOf(params: number[], d: number, classes: number): number[] {
  const c = [params[d]];
  for (let k = 1; k < classes - 1; k++) c.push(c[k - 1] + Math.exp(params[d + k]));
  return c;
}

/** Cutpoints matching the class frequencies when all weights are zero. */
function initialCutpoints(y: number[], classes: number): number[] {
  const c: number[] = [];
  for (let k = 1; k < classes; k++) {
    const share = Math.min(0.99, Math.max(0.01, y.filter((v) => v >= k).length / y.length));
    c.push(-Math.log(share / (1 - share)));
  }
  for (let k = 1; k < c.length; k++) if (c[k] <= c[k - 1]) c[k] = c[k - 1] + 0.05;
  return c;
}

function lossAndGradient(params: number[], x: number[][], y: number[], classes: number, d: number, lambda: number): { loss: number; grad: number[] } {
  const grad = new Array<number>(params.length).fill(0);
  const theta = cutpointsOf(params, d, classes);
  const dTheta = new Array<number>(classes - 1).fill(0); // d loss / d theta_k
  let loss = 0;
  for (let i = 0; i < x.length; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += params[j] * x[i][j];
    const k = y[i];
    // s_k = P(y >= k): s_0 = 1, s_K = 0.
    const sk = k === 0 ? 1 : sigmoid(z - theta[k - 1]);
    const sk1 = k === classes - 1 ? 0 : sigmoid(z - theta[k]);
    const prob = Math.max(1e-12, sk - sk1);
    loss -= Math.log(prob);
    const gk = k === 0 ? 0 : sk * (1 - sk);
    const gk1 = k === classes - 1 ? 0 : sk1 * (1 - sk1);
    const dz = -(gk - gk1) / prob;
    for (let j = 0; j < d; j++) grad[j] += dz * x[i][j];
    if (k > 0) dTheta[k - 1] += gk / prob;
    if (k < classes - 1) dTheta[k] -= gk1 / prob;
  }
  for (let j = 0; j < d; j++) {
    loss += (lambda / 2) * params[j] * params[j];
    grad[j] += lambda * params[j];
  }
  // theta_k = a + sum_{i=2..k} exp(b_i)
  for (let k = 0; k < classes - 1; k++) grad[d] += dTheta[k];
  for (let i = 1; i < classes - 1; i++) {
    let s = 0;
    for (let k = i; k < classes - 1; k++) s += dTheta[k];
    grad[d + i] += s * Math.exp(params[d + i]);
  }
  return { loss, grad };
}

/** P(y >= k) for k = 1..K-1. */
export function predictOrdinal(fit: { weights: number[]; cutpoints: number[] }, x: number[]): number[] {
  let z = 0;
  for (let j = 0; j < fit.weights.length; j++) z += fit.weights[j] * x[j];
  return fit.cutpoints.map((c) => sigmoid(z - c));
}

/** Class chosen by the threshold rule: the highest k with P(y >= k) >= tau (0 when none). */
export function classAt(probs: number[], tau: number): number {
  let k = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] >= tau) k = i + 1;
  return k;
}
