/**
 * Maximum-likelihood Gaussian mixture with diagonal covariances, fitted by EM (as scikit-learn's GaussianMixture with
 * covariance_type='diag'), with a variance floor. Used to initialise VaDE's prior from embedded means (ALGORITHMS.md
 * §6: "k-means then a diagonal GMM fit → initial π, μ, σ²").
 *
 *   const fit = fitDiagonalGmm(points, 12, { seed: 0, varianceFloor: 1e-4 });
 *   fit.params.weights / .means / .variances      // Float64Array: k, k × d, k × d (row-major)
 *   for (const step of diagonalGmmIterations(points, 12)) log(step.iteration, step.meanLogLikelihood);
 *
 * E-step: log ρ_nk = log π_k + log N(x_n | μ_k, diag σ²_k); r_nk = exp(log ρ_nk − logsumexp_k log ρ_nk) (shifted, so
 * far points never give 0/0). M-step: N_k = Σ_n r_nk + 10·ε (ε the float64 machine epsilon, as scikit-learn, so an
 * empty component gives no 0/0), π_k = N_k / Σ N, μ_k = Σ_n r_nk x_n / N_k, σ²_k = max(Σ_n r_nk (x_n − μ_k)² / N_k, floor).
 * Initialisation: k-means labels (one start, seeded) as one-hot responsibilities then an M-step, or labels given.
 * Stops when the mean log-likelihood per point changes by less than `tolerance`; the returned responsibilities and
 * log-likelihood are those of the returned parameters. With `restarts` > 1 (scikit-learn's n_init), EM runs from the
 * k-means starts of seeds seed, seed + 1, … and the fit with the highest log-likelihood is kept.
 */
import { InputError, OptionError } from '../util/errors.js';
import { type Check, check, resolveOptions } from '../util/options.js';
import { kMeans } from './kMeans.js';
import { type Points, type PointsInput, logSumExpRows, toPoints } from './points.js';

/** Parameters of a diagonal Gaussian mixture (k components in d dimensions). */
export interface DiagonalGmmParams {
  k: number;
  dimension: number;
  /** Mixture weights π (sum 1). */
  weights: Float64Array;
  /** Means, k × d row-major. */
  means: Float64Array;
  /** Variances σ², k × d row-major. */
  variances: Float64Array;
}

/** How to start EM: k-means labels (seeded), or labels given (one integer in [0, k) per point). */
export type MixtureInit = 'kmeans' | { readonly labels: ArrayLike<number> };

export interface DiagonalGmmOptions {
  /**
   * Seed of the k-means initialisation.
   * @default 0
   */
  seed: number;
  /**
   * EM iterations at most.
   * @default 100
   */
  maxIterations: number;
  /**
   * Stop when the mean log-likelihood per point changes by less than this.
   * @default 1e-3
   */
  tolerance: number;
  /**
   * Smallest variance of any component and coordinate.
   * @default 1e-6
   */
  varianceFloor: number;
  /**
   * Initial responsibilities: 'kmeans' or `{ labels }`.
   * @default 'kmeans'
   */
  init: MixtureInit;
  /**
   * Whole EM fits from k-means starts seeded seed, seed + 1, …; the highest log-likelihood is kept (1 with labels given).
   * @default 1
   */
  restarts: number;
}

export const DIAGONAL_GMM_DEFAULTS: DiagonalGmmOptions = {
  seed: 0,
  maxIterations: 100,
  tolerance: 1e-3,
  varianceFloor: 1e-6,
  init: 'kmeans',
  restarts: 1,
};

export const checkMixtureInit: Check<MixtureInit> = (v, name) => {
  if (v === 'kmeans') return;
  if (typeof v !== 'object' || v === null || typeof (v as { labels?: unknown }).labels !== 'object') {
    throw new OptionError(name, "'kmeans' or { labels: one integer per point }", v);
  }
};

const DIAGONAL_GMM_SPEC = {
  seed: check.integer(0, 2 ** 32 - 1),
  maxIterations: check.integer(1, 100_000),
  tolerance: check.number(0, Infinity),
  varianceFloor: check.number(Number.MIN_VALUE, Infinity),
  init: checkMixtureInit,
  restarts: check.integer(1, 1000),
};

export interface DiagonalGmmStep {
  /** 1-based EM iteration. */
  iteration: number;
  /** Mean log-likelihood per point of the parameters before this iteration's M-step. */
  meanLogLikelihood: number;
  /** Parameters after this iteration's M-step. */
  params: DiagonalGmmParams;
}

export interface DiagonalGmmFit {
  params: DiagonalGmmParams;
  /** r_nk of the returned parameters, n × k row-major. */
  responsibilities: Float64Array;
  /** Mean log-likelihood per point of the returned parameters. */
  meanLogLikelihood: number;
  iterations: number;
  converged: boolean;
  /** The mean log-likelihood per point of every restart's fit, in seed order (one entry without restarts). */
  restartLogLikelihoods: number[];
}

/** Responsibilities (n × k) and the mean log-likelihood per point under `params`. */
export function diagonalGmmEStep(points: Points, params: DiagonalGmmParams): { responsibilities: Float64Array; meanLogLikelihood: number } {
  const { count: n, dimension: d, values } = points;
  const { k, weights, means, variances } = params;
  if (params.dimension !== d) throw new InputError(`diagonalGmm: points have dimension ${d}, the mixture ${params.dimension}`);
  const log = new Float64Array(n * k);
  const constant = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = d * Math.log(2 * Math.PI);
    for (let j = 0; j < d; j++) s += Math.log(variances[c * d + j]);
    constant[c] = Math.log(weights[c]) - 0.5 * s;
  }
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let q = 0;
      for (let j = 0; j < d; j++) {
        const t = values[i * d + j] - means[c * d + j];
        q += (t * t) / variances[c * d + j];
      }
      log[i * k + c] = constant[c] - 0.5 * q;
    }
  }
  const norm = logSumExpRows(log, k, new Float64Array(n));
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += norm[i];
    for (let c = 0; c < k; c++) log[i * k + c] = Math.exp(log[i * k + c] - norm[i]);
  }
  return { responsibilities: log, meanLogLikelihood: total / n };
}

/** Weighted counts N_k (+ 10ε), means x̄_k and spreads S_k = Σ_n r_nk (x_n − x̄_k)² / N_k, the shared M-step sums. */
export function weightedMoments(points: Points, responsibilities: ArrayLike<number>, k: number): { counts: Float64Array; means: Float64Array; spreads: Float64Array } {
  const { count: n, dimension: d, values } = points;
  if (responsibilities.length !== n * k) {
    throw new InputError(`responsibilities: ${responsibilities.length} values, expected points × components = ${n} × ${k}`);
  }
  const counts = new Float64Array(k).fill(10 * Number.EPSILON);
  const means = new Float64Array(k * d);
  const spreads = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = responsibilities[i * k + c];
      counts[c] += r;
      for (let j = 0; j < d; j++) means[c * d + j] += r * values[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= counts[c];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = responsibilities[i * k + c];
      for (let j = 0; j < d; j++) {
        const t = values[i * d + j] - means[c * d + j];
        spreads[c * d + j] += r * t * t;
      }
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) spreads[c * d + j] /= counts[c];
  return { counts, means, spreads };
}

/** Maximum-likelihood parameters for given responsibilities (n × k), variances floored. */
export function diagonalGmmMStep(points: Points, responsibilities: ArrayLike<number>, k: number, varianceFloor: number): DiagonalGmmParams {
  const { counts, means, spreads } = weightedMoments(points, responsibilities, k);
  const total = counts.reduce((a, b) => a + b, 0);
  const weights = counts.map((c) => c / total);
  const variances = spreads.map((v) => Math.max(v, varianceFloor));
  return { k, dimension: points.dimension, weights, means, variances };
}

/** One-hot responsibilities (n × k) from labels, or from a seeded k-means when `init` is 'kmeans'. */
export function initialResponsibilities(points: Points, k: number, init: MixtureInit, seed: number, what: string): Float64Array {
  let labels: ArrayLike<number>;
  if (init === 'kmeans') {
    labels = kMeans(points, k, { seed, restarts: 1 }).labels;
  } else {
    labels = init.labels;
    if (labels.length !== points.count) {
      throw new InputError(`${what}: ${labels.length} initial labels for ${points.count} points`, {}, 'give one label per point');
    }
  }
  const resp = new Float64Array(points.count * k);
  for (let i = 0; i < points.count; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= k) {
      throw new InputError(`${what}: initial label of point ${i} is ${l}, expected an integer in [0, ${k - 1}]`);
    }
    resp[i * k + l] = 1;
  }
  return resp;
}

function checkK(k: number, points: Points, what: string): void {
  if (!Number.isInteger(k) || k < 1) throw new InputError(`${what}: ${k} components, expected a positive integer`);
  if (points.count < k) {
    throw new InputError(`${what}: ${k} components but only ${points.count} points`, {}, 'give at least as many points as components');
  }
}

/** EM iterations as a generator (one value per iteration), for progress reporting; `fitDiagonalGmm` drains it. */
export function* diagonalGmmIterations(input: PointsInput, k: number, options: Partial<DiagonalGmmOptions> = {}): Generator<DiagonalGmmStep, DiagonalGmmFit> {
  const opts = resolveOptions(DIAGONAL_GMM_DEFAULTS, DIAGONAL_GMM_SPEC, options);
  const points = toPoints(input, 'diagonalGmm: points');
  checkK(k, points, 'diagonalGmm');
  let params = diagonalGmmMStep(points, initialResponsibilities(points, k, opts.init, opts.seed, 'diagonalGmm'), k, opts.varianceFloor);
  let previous = -Infinity;
  let converged = false;
  let iteration = 0;
  while (iteration < opts.maxIterations) {
    iteration++;
    const { responsibilities, meanLogLikelihood } = diagonalGmmEStep(points, params);
    params = diagonalGmmMStep(points, responsibilities, k, opts.varianceFloor);
    yield { iteration, meanLogLikelihood, params };
    if (Math.abs(meanLogLikelihood - previous) < opts.tolerance) {
      converged = true;
      break;
    }
    previous = meanLogLikelihood;
  }
  const final = diagonalGmmEStep(points, params);
  return { params, responsibilities: final.responsibilities, meanLogLikelihood: final.meanLogLikelihood, iterations: iteration, converged, restartLogLikelihoods: [final.meanLogLikelihood] };
}

export function fitDiagonalGmm(input: PointsInput, k: number, options: Partial<DiagonalGmmOptions> = {}): DiagonalGmmFit {
  const opts = resolveOptions(DIAGONAL_GMM_DEFAULTS, DIAGONAL_GMM_SPEC, options);
  if (opts.restarts > 1 && opts.init !== 'kmeans') throw new OptionError('restarts', '1 when initial labels are given (every restart would be the same fit)', opts.restarts);
  const points = toPoints(input, 'diagonalGmm: points');
  let best: DiagonalGmmFit | null = null;
  const all: number[] = [];
  for (let r = 0; r < opts.restarts; r++) {
    const it = diagonalGmmIterations(points, k, { ...opts, seed: opts.seed + r });
    let step = it.next();
    while (step.done !== true) step = it.next();
    all.push(step.value.meanLogLikelihood);
    if (best === null || step.value.meanLogLikelihood > best.meanLogLikelihood) best = step.value;
  }
  return { ...(best as DiagonalGmmFit), restartLogLikelihoods: all };
}
