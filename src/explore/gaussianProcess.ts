/**
 * Exact Gaussian-process regression with a rational-quadratic plus white-noise kernel, hyper-parameters fitted by
 * maximising the log marginal likelihood — the model of personalised anomaly finding (Walmsley et al. 2022, code
 * mwalmsley/morphology-tools `anomaly/gp.py`: scikit-learn `GaussianProcessRegressor(RationalQuadratic() +
 * WhiteKernel())`, zero prior mean, targets not normalised, no constant amplitude):
 *
 *   k(x, x') = (1 + |x − x'|² / (2 α ℓ²))^(−α) + σ²_n δ(x, x')
 *
 * with a jitter of 1e-10 on the training diagonal (scikit-learn's `alpha`). The three hyper-parameters ℓ, α, σ²_n
 * live in log space within scikit-learn's default bounds [1e-5, 1e5] and start from scikit-learn's defaults (1, 1, 1);
 * the optimiser is a projected BFGS on the analytic gradient (below), run from the default start and from `restarts`
 * seeded log-uniform starts in [1e-2, 1e2], keeping the best. Written here rather than taken from a library because
 * no kept npm package does GP regression with this kernel and marginal-likelihood fitting. The Cholesky factor,
 * triangular solves and K⁻¹ are float64 loops on flat arrays here too: ml-matrix's (element accessors, `solve` of the
 * identity for K⁻¹) took 480 ms per likelihood evaluation at n = 150, these take a few milliseconds; the tests check
 * them against ml-matrix's LU determinant and inverse.
 *
 * Cost: fitting is O(n³) per likelihood evaluation in the number n of rated galaxies (Cholesky and K⁻¹ for the
 * gradient), memory O(n²); a prediction is O(n) for the mean and O(n²) for the variance per candidate. Measured on
 * random 40-d data with 3 optimiser starts on a loaded 2-core machine: a fit took 14 s at n = 200 and 117 s at
 * n = 500 (×8 per doubling), so the exact GP is for up to several hundred ratings; candidates are predicted in
 * batches, so millions of them never need more than one candidate's n covariances at a time.
 *
 * Gradient of the log marginal likelihood L = −½ yᵀK⁻¹y − ½ log|K| − (n/2) log 2π with respect to θ_j (a log
 * hyper-parameter): ∂L/∂θ_j = ½ tr((aaᵀ − K⁻¹) ∂K/∂θ_j), a = K⁻¹y, where for the RQ part with b = 1 + d²/(2αℓ²):
 *   ∂k/∂log ℓ = k d² / (ℓ² b),   ∂k/∂log α = k (−α log b + d² / (2ℓ² b)),   and ∂K/∂log σ²_n = σ²_n I.
 */
import { InputError, OptionError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** The kernel's hyper-parameters (not logs). */
export interface RqWhiteParams {
  /** RQ length scale ℓ. */
  lengthScale: number;
  /** RQ scale-mixture parameter α (large α → a squared-exponential kernel). */
  alpha: number;
  /** White-noise variance σ²_n. */
  noise: number;
}

/** scikit-learn's default start. */
export const DEFAULT_GP_START: RqWhiteParams = { lengthScale: 1, alpha: 1, noise: 1 };
/** scikit-learn's default bounds of every hyper-parameter. */
export const GP_PARAM_BOUNDS: readonly [number, number] = [1e-5, 1e5];
/** Added to the training covariance's diagonal (scikit-learn's `alpha`). */
export const GP_JITTER = 1e-10;

export interface GpFitOptions {
  /** Seeded random starts of the optimiser besides the default start. @default 2 */
  restarts: number;
  /** Seed of the random starts. @default 0 */
  seed: number;
  /** Optimiser iterations per start. @default 100 */
  maxIterations: number;
}

const FIT_DEFAULTS: GpFitOptions = { restarts: 2, seed: 0, maxIterations: 100 };

/** RQ covariance of two points whose squared distance is `d2`. */
export function rationalQuadratic(d2: number, lengthScale: number, alpha: number): number {
  return Math.pow(1 + d2 / (2 * alpha * lengthScale * lengthScale), -alpha);
}

/** Squared Euclidean distance between row i of `a` and row j of `b` (both row-major, `d` columns). */
function squaredDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  const ia = i * d;
  const jb = j * d;
  for (let c = 0; c < d; c++) {
    const t = a[ia + c] - b[jb + c];
    s += t * t;
  }
  return s;
}

function checkData(x: ArrayLike<number>, y: ArrayLike<number>, d: number): number {
  if (!Number.isInteger(d) || d < 1) throw new OptionError('dimension', 'a positive integer', d);
  if (x.length !== y.length * d) throw new OptionError('x', `${y.length} rows × ${d} columns = ${y.length * d} values (one row per target)`, x.length);
  if (y.length < 1) throw new InputError('a Gaussian process needs at least one rated galaxy', {}, 'rate some galaxies first');
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) throw new InputError(`target ${i} is not a finite number (${y[i]})`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new InputError(`input value ${i} (row ${Math.floor(i / d)}) is not finite (${x[i]})`);
  return y.length;
}

/** The n × n squared distances of the training rows (float64, row-major). */
function pairwiseSquaredDistances(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = squaredDistance(x, i, x, j, d);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}

/** The training covariance K (n × n, row-major; lower triangle and diagonal filled, which is all `cholesky` reads). */
function covarianceMatrix(d2: Float64Array, n: number, p: RqWhiteParams): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = 1 + p.noise + GP_JITTER;
    for (let j = 0; j < i; j++) k[i * n + j] = rationalQuadratic(d2[i * n + j], p.lengthScale, p.alpha);
  }
  return k;
}

/** Lower Cholesky factor L (row-major) of the symmetric matrix whose lower triangle `a` holds; null if not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j];
    for (let k = 0; k < j; k++) s -= l[rj + k] * l[rj + k];
    if (!(s > 0) || !Number.isFinite(s)) return null;
    const ljj = Math.sqrt(s);
    l[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j];
      for (let k = 0; k < j; k++) t -= l[ri + k] * l[rj + k];
      l[ri + j] = t / ljj;
    }
  }
  return l;
}

/** Solves L Lᵀ z = b for z (L lower, row-major). */
function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = z[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * z[k];
    z[i] = s / l[i * n + i];
  }
  return z;
}

/** (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹, full n × n row-major. */
function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // M = L⁻¹ (lower), column by column: L m_c = e_c
  const m = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    m[c * n + c] = 1 / l[c * n + c];
    for (let i = c + 1; i < n; i++) {
      let s = 0;
      for (let k = c; k < i; k++) s -= l[i * n + k] * m[k * n + c];
      m[i * n + c] = s / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += m[k * n + i] * m[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}

interface Factor {
  lower: Float64Array;
  /** a = K⁻¹ y. */
  a: Float64Array;
  logDet: number;
}

function factor(k: Float64Array, y: ArrayLike<number>): Factor | null {
  const n = y.length;
  const lower = cholesky(k, n);
  if (lower === null) return null;
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(lower[i * n + i]);
  return { lower, a: choleskySolve(lower, n, y), logDet };
}

function lmlValue(f: Factor, y: ArrayLike<number>): number {
  let yta = 0;
  for (let i = 0; i < y.length; i++) yta += y[i] * f.a[i];
  return -0.5 * yta - 0.5 * f.logDet - 0.5 * y.length * Math.log(2 * Math.PI);
}

export interface LogMarginalLikelihood {
  value: number;
  /** ∂L/∂(log ℓ, log α, log σ²_n). */
  gradient: [number, number, number];
}

/**
 * The log marginal likelihood of targets `y` at inputs `x` (n × d row-major) under the kernel with `params`, and its
 * gradient in log space; `value` is −Infinity (gradient 0) where the covariance is not numerically positive definite.
 */
export function logMarginalLikelihood(x: ArrayLike<number>, y: ArrayLike<number>, d: number, params: RqWhiteParams): LogMarginalLikelihood {
  const n = checkData(x, y, d);
  return lmlFromDistances(pairwiseSquaredDistances(x, n, d), y, params);
}

function lmlFromDistances(d2: Float64Array, y: ArrayLike<number>, p: RqWhiteParams): LogMarginalLikelihood {
  const n = y.length;
  const f = factor(covarianceMatrix(d2, n, p), y);
  if (f === null) return { value: -Infinity, gradient: [0, 0, 0] };
  const kinv = choleskyInverse(f.lower, n);
  // W = aaᵀ − K⁻¹; ∂L/∂θ = ½ Σ_ij W_ij ∂K_ij/∂θ (both symmetric).
  let gl = 0;
  let ga = 0;
  let gn = 0;
  const l2 = p.lengthScale * p.lengthScale;
  for (let i = 0; i < n; i++) {
    gn += (f.a[i] * f.a[i] - kinv[i * n + i]) * p.noise;
    for (let j = i + 1; j < n; j++) {
      const w = f.a[i] * f.a[j] - kinv[i * n + j];
      const dist = d2[i * n + j];
      const b = 1 + dist / (2 * p.alpha * l2);
      const k = Math.pow(b, -p.alpha);
      // off-diagonal pairs count twice in the trace
      gl += 2 * w * (k * dist) / (l2 * b);
      ga += 2 * w * k * (-p.alpha * Math.log(b) + dist / (2 * l2 * b));
    }
  }
  return { value: lmlValue(f, y), gradient: [0.5 * gl, 0.5 * ga, 0.5 * gn] };
}

const LOG_LO = Math.log(GP_PARAM_BOUNDS[0]);
const LOG_HI = Math.log(GP_PARAM_BOUNDS[1]);

function toParams(theta: readonly number[]): RqWhiteParams {
  return { lengthScale: Math.exp(theta[0]), alpha: Math.exp(theta[1]), noise: Math.exp(theta[2]) };
}

function clampTheta(theta: number[]): number[] {
  return theta.map((t) => Math.min(LOG_HI, Math.max(LOG_LO, t)));
}

/** The gradient with the components that push against an active bound set to 0 (for ascent). */
function projectedGradient(theta: readonly number[], g: readonly number[]): number[] {
  return g.map((v, i) => ((theta[i] <= LOG_LO && v < 0) || (theta[i] >= LOG_HI && v > 0) ? 0 : v));
}

interface OptimumRun {
  theta: number[];
  value: number;
  iterations: number;
}

/**
 * Maximises L over log hyper-parameters from `start` with BFGS on the projected gradient, steps clamped to the bounds
 * and an Armijo backtracking line search; the inverse-Hessian estimate restarts from the identity when a step fails
 * the curvature condition.
 */
function maximise(d2: Float64Array, y: ArrayLike<number>, start: number[], maxIterations: number): OptimumRun {
  const m = start.length;
  let theta = clampTheta(start);
  let cur = lmlFromDistances(d2, y, toParams(theta));
  let h = identity(m);
  let iterations = 0;
  for (; iterations < maxIterations && Number.isFinite(cur.value); iterations++) {
    const g = projectedGradient(theta, cur.gradient);
    if (Math.max(...g.map(Math.abs)) < 1e-6) break;
    // ascent direction p = H g
    let p = h.map((row) => row.reduce((s, v, j) => s + v * g[j], 0));
    if (p.reduce((s, v, i) => s + v * g[i], 0) <= 0) {
      h = identity(m);
      p = g.slice();
    }
    const longest = Math.max(...p.map(Math.abs));
    if (longest > 3) p = p.map((v) => (v * 3) / longest); // at most e³ change of a hyper-parameter per step
    let step = 1;
    let next: { theta: number[]; lml: LogMarginalLikelihood } | null = null;
    for (let tries = 0; tries < 40; tries++, step /= 2) {
      const t = clampTheta(theta.map((v, i) => v + step * p[i]));
      const moved = t.reduce((s, v, i) => s + (v - theta[i]) * g[i], 0);
      const lml = lmlFromDistances(d2, y, toParams(t));
      if (Number.isFinite(lml.value) && lml.value >= cur.value + 1e-4 * moved) {
        next = { theta: t, lml };
        break;
      }
    }
    if (next === null) break;
    const s = next.theta.map((v, i) => v - theta[i]);
    const gNext = projectedGradient(next.theta, next.lml.gradient);
    // BFGS on −L: the change of its gradient is −(g_next − g)
    const q = gNext.map((v, i) => -(v - g[i]));
    const sq = s.reduce((acc, v, i) => acc + v * q[i], 0);
    const improvement = next.lml.value - cur.value;
    theta = next.theta;
    cur = next.lml;
    if (sq > 1e-12) h = bfgsUpdate(h, s, q, sq);
    else h = identity(m);
    if (improvement < 1e-10 * Math.max(1, Math.abs(cur.value))) break;
  }
  return { theta, value: cur.value, iterations };
}

function identity(m: number): number[][] {
  return Array.from({ length: m }, (_, i) => Array.from({ length: m }, (__, j) => (i === j ? 1 : 0)));
}

/** H ← (I − ρ s qᵀ) H (I − ρ q sᵀ) + ρ s sᵀ, ρ = 1 / sᵀq. */
function bfgsUpdate(h: number[][], s: number[], q: number[], sq: number): number[][] {
  const m = s.length;
  const rho = 1 / sq;
  const hq = h.map((row) => row.reduce((acc, v, j) => acc + v * q[j], 0));
  const qhq = q.reduce((acc, v, i) => acc + v * hq[i], 0);
  const out = identity(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      out[i][j] = h[i][j] - rho * (s[i] * hq[j] + hq[i] * s[j]) + (rho * rho * qhq + rho) * s[i] * s[j];
    }
  }
  return out;
}

/** The posterior at a batch of candidates. */
export interface GpPrediction {
  /** Posterior mean of the rating. */
  mean: Float64Array;
  /** Posterior variance of the latent function (noise excluded). */
  latentVariance: Float64Array;
  /**
   * Standard deviation of a new rating: √(latent variance + σ²_n), what scikit-learn's `predict(return_std=True)`
   * returns for this kernel (its WhiteKernel adds the noise to the diagonal), so what the reference's EI used.
   */
  sd: Float64Array;
}

/** A fitted GP: training inputs, the factorised covariance and K⁻¹y. */
export class GaussianProcess {
  readonly params: RqWhiteParams;
  readonly dimension: number;
  readonly count: number;
  /** Log marginal likelihood at `params`. */
  readonly logMarginalLikelihood: number;
  /** How the hyper-parameters were chosen: optimiser starts and the best start's iterations. */
  readonly fitInfo: { starts: number; iterations: number } | null;
  private readonly x: Float64Array;
  private readonly a: Float64Array;
  /** Lower Cholesky factor, row-major n × n. */
  private readonly lower: Float64Array;

  private constructor(x: Float64Array, d: number, y: ArrayLike<number>, params: RqWhiteParams, fitInfo: { starts: number; iterations: number } | null, d2: Float64Array) {
    const n = y.length;
    const f = factor(covarianceMatrix(d2, n, params), y);
    if (f === null) {
      throw new InputError(`the GP covariance is not positive definite at ℓ = ${params.lengthScale}, α = ${params.alpha}, noise = ${params.noise}`, {}, 'use a larger noise level');
    }
    this.x = x;
    this.dimension = d;
    this.count = n;
    this.params = params;
    this.fitInfo = fitInfo;
    this.a = f.a;
    this.logMarginalLikelihood = lmlValue(f, y);
    this.lower = f.lower;
  }

  /** A GP with given hyper-parameters (no fitting). */
  static withParams(x: ArrayLike<number>, y: ArrayLike<number>, d: number, params: RqWhiteParams): GaussianProcess {
    const n = checkData(x, y, d);
    const xs = Float64Array.from(x);
    return new GaussianProcess(xs, d, y, params, null, pairwiseSquaredDistances(xs, n, d));
  }

  /** A GP whose hyper-parameters maximise the log marginal likelihood (see the module comment). */
  static fit(x: ArrayLike<number>, y: ArrayLike<number>, d: number, options: Partial<GpFitOptions> = {}): GaussianProcess {
    const o = { ...FIT_DEFAULTS, ...options };
    if (!Number.isInteger(o.restarts) || o.restarts < 0) throw new OptionError('restarts', 'an integer ≥ 0', o.restarts);
    if (!Number.isInteger(o.maxIterations) || o.maxIterations < 1) throw new OptionError('maxIterations', 'an integer ≥ 1', o.maxIterations);
    const n = checkData(x, y, d);
    const xs = Float64Array.from(x);
    const d2 = pairwiseSquaredDistances(xs, n, d);
    const rng = new Rng(o.seed);
    const starts: number[][] = [[DEFAULT_GP_START.lengthScale, DEFAULT_GP_START.alpha, DEFAULT_GP_START.noise].map(Math.log)];
    for (let r = 0; r < o.restarts; r++) starts.push([0, 0, 0].map(() => rng.range(Math.log(1e-2), Math.log(1e2))));
    let best: OptimumRun | null = null;
    for (const start of starts) {
      const run = maximise(d2, y, start, o.maxIterations);
      if (best === null || run.value > best.value) best = run;
    }
    if (best === null || !Number.isFinite(best.value)) {
      throw new InputError('the GP hyper-parameters could not be fitted: the covariance was never positive definite', {}, 'check the inputs for duplicates with different values and non-finite numbers');
    }
    return new GaussianProcess(xs, d, y, toParams(best.theta), { starts: starts.length, iterations: best.iterations }, d2);
  }

  /** Posterior mean of candidates (row-major, `dimension` columns): O(n) each. */
  predictMean(candidates: ArrayLike<number>): Float64Array {
    const { dimension: d, count: n, params: p } = this;
    const m = this.rows(candidates);
    const out = new Float64Array(m);
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += rationalQuadratic(squaredDistance(candidates, c, this.x, i, d), p.lengthScale, p.alpha) * this.a[i];
      out[c] = s;
    }
    return out;
  }

  /** Posterior mean, latent variance and predictive sd of candidates: O(n²) each (a triangular solve). */
  predict(candidates: ArrayLike<number>): GpPrediction {
    const { dimension: d, count: n, params: p, lower } = this;
    const m = this.rows(candidates);
    const mean = new Float64Array(m);
    const latentVariance = new Float64Array(m);
    const sd = new Float64Array(m);
    const v = new Float64Array(n);
    for (let c = 0; c < m; c++) {
      let mu = 0;
      for (let i = 0; i < n; i++) {
        v[i] = rationalQuadratic(squaredDistance(candidates, c, this.x, i, d), p.lengthScale, p.alpha);
        mu += v[i] * this.a[i];
      }
      // forward substitution L w = k*, in place; latent variance = k(x, x) − |w|²
      let ww = 0;
      for (let i = 0; i < n; i++) {
        let s = v[i];
        const row = i * n;
        for (let j = 0; j < i; j++) s -= lower[row + j] * v[j];
        v[i] = s / lower[row + i];
        ww += v[i] * v[i];
      }
      const latent = Math.max(0, 1 - ww);
      mean[c] = mu;
      latentVariance[c] = latent;
      sd[c] = Math.sqrt(latent + p.noise);
    }
    return { mean, latentVariance, sd };
  }

  private rows(candidates: ArrayLike<number>): number {
    const d = this.dimension;
    if (candidates.length % d !== 0) throw new OptionError('candidates', `a length that is a multiple of the GP's dimension ${d}`, candidates.length);
    return candidates.length / d;
  }
}
