/**
 * Variational Bayesian Gaussian mixture with a Dirichlet-process (stick-breaking) prior on the weights and diagonal
 * covariances: scikit-learn's BayesianGaussianMixture(weight_concentration_prior_type='dirichlet_process',
 * covariance_type='diag') re-written in float64 (ALGORITHMS.md §7). It is how the number of clusters is chosen: fit
 * with more components than needed, and the weights of the unneeded ones shrink towards 0.
 *
 *   const model = fitBayesianGmm(points, { maxComponents: 20, seed: 0 });
 *   model.weights();                    // expected stick-breaking weights, sum 1
 *   model.effectiveComponents(0.01);    // components whose weight passes the threshold
 *   model.responsibilities(points);     // n × k, rows sum to 1
 *   for (const s of bayesianGmmIterations(points, opts)) …   // { restart, iteration, lowerBound } for progress
 *
 * Priors (scikit-learn's defaults): weight concentration γ₀ = 1/K, mean precision β₀ = 1, mean m₀ = mean of the
 * points, degrees of freedom ν₀ = D, covariance prior = per-coordinate sample variance of the points (ddof 1, as
 * scikit-learn's np.var(X, ddof=1); ALGORITHMS.md writes var(X)).
 * M-step from responsibilities r (N_k with +10ε and S_k with +`regularisation`, as scikit-learn's reg_covar):
 *   sticks α_k = 1 + N_k, β_k = γ₀ + Σ_{j>k} N_j;  β′_k = β₀ + N_k;  m_k = (β₀ m₀ + N_k x̄_k)/β′_k;  ν_k = ν₀ + N_k;
 *   cov_k = [cov₀ + N_k (S_k + (β₀/β′_k)(x̄_k − m₀)²)] / ν_k.
 * E-step: E[log π_k] = ψ(α_k) − ψ(α_k + β_k) + Σ_{j<k} [ψ(β_j) − ψ(α_j + β_j)];
 *   log ρ_nk = log N(x_n | m_k, cov_k) − ½ D log ν_k + ½ [D log 2 + Σ_{d<D} ψ((ν_k − d)/2) − D/β′_k] + E[log π_k];
 *   r = softmax_k log ρ (log-sum-exp).
 * Lower bound (scikit-learn's, constants dropped; valid after an M-step):
 *   L = −Σ r log r − Σ_k log W_k + Σ_k ln B(α_k, β_k) − ½ D Σ_k log β′_k,
 *   log W_k = −[ν_k ℓ_k + ½ ν_k D log 2 + Σ_{d<D} lnΓ((ν_k − d)/2)],  ℓ_k = −½ Σ_d log cov_kd − ½ D log ν_k.
 * Fitting: per start, k-means labels (one seeded k-means++ start) as one-hot responsibilities and an M-step, then
 * E/M iterations until the bound changes by less than `tolerance`; the start with the highest bound is kept.
 */
import { InputError, OptionError } from '../util/errors.js';
import { type Check, check, resolveOptions } from '../util/options.js';
import { Rng } from '../util/rng.js';
import { digamma, logBeta, logGamma } from '../util/specialFunctions.js';
import { type MixtureInit, checkMixtureInit, initialResponsibilities, weightedMoments } from './diagonalGmm.js';
import { type Points, type PointsInput, columnMoments, logSumExpRows, toPoints } from './points.js';

export interface BayesianGmmOptions {
  /**
   * K, the number of components fitted (an upper bound on the number in use).
   * @default 10
   */
  maxComponents: number;
  /**
   * γ₀ of the stick-breaking prior (smaller favours fewer components); null for 1/K.
   * @default null
   */
  weightConcentrationPrior: number | null;
  /**
   * β₀, the precision of the prior on the means.
   * @default 1
   */
  meanPrecisionPrior: number;
  /**
   * m₀, the prior mean (one value per coordinate); null for the mean of the points.
   * @default null
   */
  meanPrior: readonly number[] | null;
  /**
   * ν₀, degrees of freedom of the Wishart prior (> D − 1); null for D.
   * @default null
   */
  degreesOfFreedomPrior: number | null;
  /**
   * cov₀, the covariance prior (one variance per coordinate); null for the sample variance of the points.
   * @default null
   */
  covariancePrior: readonly number[] | null;
  /**
   * Added to every S_k (scikit-learn's reg_covar): keeps covariances positive.
   * @default 1e-6
   */
  regularisation: number;
  /**
   * Stop a start when the lower bound changes by less than this.
   * @default 1e-3
   */
  tolerance: number;
  /**
   * Iterations per start at most.
   * @default 100
   */
  maxIterations: number;
  /**
   * Independent starts; the one with the highest lower bound is kept.
   * @default 1
   */
  restarts: number;
  /**
   * Seed of the k-means initialisations.
   * @default 0
   */
  seed: number;
  /**
   * Initial responsibilities: 'kmeans' or `{ labels }` (one integer in [0, K) per point; all starts then agree).
   * @default 'kmeans'
   */
  init: MixtureInit;
}

export const BAYESIAN_GMM_DEFAULTS: BayesianGmmOptions = {
  maxComponents: 10,
  weightConcentrationPrior: null,
  meanPrecisionPrior: 1,
  meanPrior: null,
  degreesOfFreedomPrior: null,
  covariancePrior: null,
  regularisation: 1e-6,
  tolerance: 1e-3,
  maxIterations: 100,
  restarts: 1,
  seed: 0,
  init: 'kmeans',
};

/** Option check: a finite number > 0, or null for a default computed later. */
export function positiveOrNull(): Check<number | null> {
  return (v, name) => {
    if (v !== null && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new OptionError(name, 'a finite number > 0, or null for the default', v);
  };
}

function vectorOrNull(positive: boolean): Check<readonly number[] | null> {
  return (v, name) => {
    if (v === null) return;
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x) || (positive && x <= 0))) {
      throw new OptionError(name, `a non-empty list of finite numbers${positive ? ' > 0' : ''} (one per coordinate), or null for the default`, v);
    }
  };
}

const BAYESIAN_GMM_SPEC = {
  maxComponents: check.integer(1, 10_000),
  weightConcentrationPrior: positiveOrNull(),
  meanPrecisionPrior: check.number(Number.MIN_VALUE, Infinity),
  meanPrior: vectorOrNull(false),
  degreesOfFreedomPrior: positiveOrNull(),
  covariancePrior: vectorOrNull(true),
  regularisation: check.number(0, Infinity),
  tolerance: check.number(0, Infinity),
  maxIterations: check.integer(1, 100_000),
  restarts: check.integer(1, 1000),
  seed: check.integer(0, 2 ** 32 - 1),
  init: checkMixtureInit,
};

/** The priors with their defaults filled from the data. */
export interface BayesianGmmPriors {
  weightConcentration: number;
  meanPrecision: number;
  mean: Float64Array;
  degreesOfFreedom: number;
  covariance: Float64Array;
}

/** The variational posterior: stick Beta(α_k, β_k), Normal-Wishart (m_k, β′_k, ν_k, cov_k) per component. */
export interface BayesianGmmState {
  k: number;
  dimension: number;
  /** α_k of the stick-breaking Beta posteriors. */
  alpha: Float64Array;
  /** β_k of the stick-breaking Beta posteriors. */
  beta: Float64Array;
  /** β′_k, the precision of each mean's posterior. */
  meanPrecision: Float64Array;
  /** m_k, k × d row-major. */
  means: Float64Array;
  /** ν_k. */
  degreesOfFreedom: Float64Array;
  /** cov_k (normalised by ν_k, as scikit-learn's covariances_), k × d row-major. */
  covariances: Float64Array;
}

export interface BayesianGmmStep {
  /** 0-based start. */
  restart: number;
  /** 1-based iteration within the start. */
  iteration: number;
  lowerBound: number;
}

/** Fills the priors' defaults from the points and checks them against the dimension. */
export function resolveBayesianPriors(points: Points, opts: BayesianGmmOptions): BayesianGmmPriors {
  const d = points.dimension;
  const { mean, variance } = columnMoments(points, 1);
  for (const [name, v] of [['meanPrior', opts.meanPrior], ['covariancePrior', opts.covariancePrior]] as const) {
    if (v !== null && v.length !== d) throw new OptionError(name, `${d} values (one per coordinate of the points)`, v);
  }
  const dof = opts.degreesOfFreedomPrior ?? d;
  if (!(dof > d - 1)) throw new OptionError('degreesOfFreedomPrior', `a number > D − 1 = ${d - 1}`, dof);
  return {
    weightConcentration: opts.weightConcentrationPrior ?? 1 / opts.maxComponents,
    meanPrecision: opts.meanPrecisionPrior,
    mean: opts.meanPrior === null ? mean : Float64Array.from(opts.meanPrior),
    degreesOfFreedom: dof,
    covariance: opts.covariancePrior === null ? variance : Float64Array.from(opts.covariancePrior),
  };
}

/** Variational M-step: the posterior from responsibilities r (n × k). */
export function bayesianGmmMStep(points: Points, responsibilities: ArrayLike<number>, k: number, priors: BayesianGmmPriors, regularisation: number): BayesianGmmState {
  const d = points.dimension;
  const { counts, means: xbar, spreads } = weightedMoments(points, responsibilities, k);
  const alpha = new Float64Array(k);
  const beta = new Float64Array(k);
  let tail = 0;
  for (let c = k - 1; c >= 0; c--) {
    alpha[c] = 1 + counts[c];
    beta[c] = priors.weightConcentration + tail;
    tail += counts[c];
  }
  const meanPrecision = counts.map((n) => priors.meanPrecision + n);
  const degreesOfFreedom = counts.map((n) => priors.degreesOfFreedom + n);
  const means = new Float64Array(k * d);
  const covariances = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const n = counts[c];
    for (let j = 0; j < d; j++) {
      const x = xbar[c * d + j];
      means[c * d + j] = (priors.meanPrecision * priors.mean[j] + n * x) / meanPrecision[c];
      const diff = x - priors.mean[j];
      const s = spreads[c * d + j] + regularisation;
      covariances[c * d + j] = (priors.covariance[j] + n * (s + (priors.meanPrecision / meanPrecision[c]) * diff * diff)) / degreesOfFreedom[c];
    }
  }
  return { k, dimension: d, alpha, beta, meanPrecision, means, degreesOfFreedom, covariances };
}

/** E[log π_k] under the stick-breaking posterior. */
export function expectedLogWeights(state: BayesianGmmState): Float64Array {
  const out = new Float64Array(state.k);
  let carried = 0;
  for (let c = 0; c < state.k; c++) {
    const psiSum = digamma(state.alpha[c] + state.beta[c]);
    out[c] = digamma(state.alpha[c]) - psiSum + carried;
    carried += digamma(state.beta[c]) - psiSum;
  }
  return out;
}

/** Variational E-step: log responsibilities (n × k) and the mean over points of log Σ_k ρ_nk. */
export function bayesianGmmEStep(points: Points, state: BayesianGmmState): { logResponsibilities: Float64Array; meanLogNormaliser: number } {
  const { values, count: n, dimension: d } = points;
  const { k, means, covariances, degreesOfFreedom: nu, meanPrecision } = state;
  if (state.dimension !== d) throw new InputError(`bayesianGmm: points have dimension ${d}, the model ${state.dimension}`);
  const logWeights = expectedLogWeights(state);
  const constant = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let logDetCov = 0;
    for (let j = 0; j < d; j++) logDetCov += Math.log(covariances[c * d + j]);
    let psi = 0;
    for (let j = 0; j < d; j++) psi += digamma(0.5 * (nu[c] - j));
    const logLambda = d * Math.LN2 + psi;
    constant[c] = -0.5 * (d * Math.log(2 * Math.PI) + logDetCov) - 0.5 * d * Math.log(nu[c]) + 0.5 * (logLambda - d / meanPrecision[c]) + logWeights[c];
  }
  const log = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let q = 0;
      for (let j = 0; j < d; j++) {
        const t = values[i * d + j] - means[c * d + j];
        q += (t * t) / covariances[c * d + j];
      }
      log[i * k + c] = constant[c] - 0.5 * q;
    }
  }
  const norm = logSumExpRows(log, k, new Float64Array(n));
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += norm[i];
    for (let c = 0; c < k; c++) log[i * k + c] -= norm[i];
  }
  return { logResponsibilities: log, meanLogNormaliser: total / n };
}

/** scikit-learn's variational lower bound (constants dropped) after an M-step from these log responsibilities. */
export function bayesianGmmLowerBound(state: BayesianGmmState, logResponsibilities: ArrayLike<number>): number {
  const { k, dimension: d, covariances, degreesOfFreedom: nu } = state;
  let entropy = 0;
  for (let i = 0; i < logResponsibilities.length; i++) {
    const l = logResponsibilities[i];
    if (l > -Infinity) entropy -= Math.exp(l) * l;
  }
  let logWishart = 0;
  let logNormWeight = 0;
  let logMeanPrecision = 0;
  for (let c = 0; c < k; c++) {
    let logDetPrecisionChol = 0;
    for (let j = 0; j < d; j++) logDetPrecisionChol -= 0.5 * Math.log(covariances[c * d + j]);
    logDetPrecisionChol -= 0.5 * d * Math.log(nu[c]);
    let lg = 0;
    for (let j = 0; j < d; j++) lg += logGamma(0.5 * (nu[c] - j));
    logWishart += -(nu[c] * logDetPrecisionChol + 0.5 * nu[c] * d * Math.LN2 + lg);
    logNormWeight -= logBeta(state.alpha[c], state.beta[c]);
    logMeanPrecision += Math.log(state.meanPrecision[c]);
  }
  return entropy - logWishart - logNormWeight - 0.5 * d * logMeanPrecision;
}

/** Expected weights of the stick-breaking posterior, normalised to sum 1 (scikit-learn's weights_). */
export function stickBreakingWeights(state: BayesianGmmState): Float64Array {
  const w = new Float64Array(state.k);
  let remaining = 1;
  let total = 0;
  for (let c = 0; c < state.k; c++) {
    const s = state.alpha[c] + state.beta[c];
    w[c] = (state.alpha[c] / s) * remaining;
    remaining *= state.beta[c] / s;
    total += w[c];
  }
  return w.map((v) => v / total);
}

/** A fitted Bayesian GMM. */
export class BayesianGmm {
  constructor(
    readonly state: BayesianGmmState,
    readonly priors: BayesianGmmPriors,
    /** Lower bound of the kept start after its last iteration. */
    readonly lowerBound: number,
    /** Lower bound after each iteration of the kept start. */
    readonly lowerBoundHistory: readonly number[],
    readonly iterations: number,
    readonly converged: boolean,
  ) {}

  get k(): number {
    return this.state.k;
  }

  weights(): Float64Array {
    return stickBreakingWeights(this.state);
  }

  /** Components whose weight is above `threshold`, by index, and their count. */
  effectiveComponents(threshold = 0.01): { count: number; indices: number[] } {
    if (!(threshold >= 0 && threshold < 1)) throw new OptionError('threshold', 'a number in [0, 1)', threshold);
    const indices: number[] = [];
    this.weights().forEach((w, c) => {
      if (w > threshold) indices.push(c);
    });
    return { count: indices.length, indices };
  }

  /** r_nk for new (or the fitted) points, n × k row-major. */
  responsibilities(input: PointsInput): Float64Array {
    const { logResponsibilities } = bayesianGmmEStep(toPoints(input, 'bayesianGmm.responsibilities: points'), this.state);
    return logResponsibilities.map(Math.exp);
  }

  /** Most probable component of each point. */
  predict(input: PointsInput): Int32Array {
    const r = this.responsibilities(input);
    const k = this.state.k;
    const labels = new Int32Array(r.length / k);
    for (let i = 0; i < labels.length; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (r[i * k + c] > r[i * k + best]) best = c;
      labels[i] = best;
    }
    return labels;
  }
}

/** The fit as a generator of iterations (for progress); returns the fitted model. */
export function* bayesianGmmIterations(input: PointsInput, options: Partial<BayesianGmmOptions> = {}): Generator<BayesianGmmStep, BayesianGmm> {
  const opts = resolveOptions(BAYESIAN_GMM_DEFAULTS, BAYESIAN_GMM_SPEC, options);
  const points = toPoints(input, 'bayesianGmm: points');
  const k = opts.maxComponents;
  if (points.count < Math.max(2, k)) {
    throw new InputError(`bayesianGmm: ${points.count} points for ${k} components`, {}, 'give at least 2 points and at least as many points as maxComponents');
  }
  const priors = resolveBayesianPriors(points, opts);
  let best: BayesianGmm | null = null;
  for (let restart = 0; restart < opts.restarts; restart++) {
    const seed = Rng.derive(opts.seed, 'bayesianGmm', restart).nextUint32();
    let state = bayesianGmmMStep(points, initialResponsibilities(points, k, opts.init, seed, 'bayesianGmm'), k, priors, opts.regularisation);
    let lowerBound = -Infinity;
    const history: number[] = [];
    let converged = false;
    let iteration = 0;
    while (iteration < opts.maxIterations) {
      iteration++;
      const { logResponsibilities } = bayesianGmmEStep(points, state);
      state = bayesianGmmMStep(points, logResponsibilities.map(Math.exp), k, priors, opts.regularisation);
      const previous = lowerBound;
      lowerBound = bayesianGmmLowerBound(state, logResponsibilities);
      if (!Number.isFinite(lowerBound)) {
        throw new InputError(`bayesianGmm: the lower bound became ${lowerBound} at iteration ${iteration} of start ${restart}`, {}, 'check the scale of the points (standardise them) or raise regularisation');
      }
      history.push(lowerBound);
      yield { restart, iteration, lowerBound };
      if (Math.abs(lowerBound - previous) < opts.tolerance) {
        converged = true;
        break;
      }
    }
    if (best === null || lowerBound > best.lowerBound) best = new BayesianGmm(state, priors, lowerBound, history, iteration, converged);
  }
  return best as BayesianGmm;
}

export function fitBayesianGmm(input: PointsInput, options: Partial<BayesianGmmOptions> = {}): BayesianGmm {
  const it = bayesianGmmIterations(input, options);
  for (;;) {
    const step = it.next();
    if (step.done === true) return step.value;
  }
}
