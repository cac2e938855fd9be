/**
 * Post-hoc calibration of the MC-dropout predictive distribution of one answer's vote count by ONE over-dispersion
 * scalar, fitted by maximum likelihood of held-out (validation) votes under the mixture over passes.
 *
 * The uncalibrated predictive of galaxy i is the equal-weight mixture over T passes (zoobot and Walmsley 2019 average
 * the passes' distributions), the home of these mixtures:
 * - a probability head (binomial ρ, or a multinomial head's answer probability): (1/T) Σ_t Binomial(k; N_i, ρ_ti);
 * - a Dirichlet head: (1/T) Σ_t BetaBinomial(k; N_i, α_ti, β_ti) with α the answer's concentration and β the rest of
 *   its question's.
 * Briefly trained models give mixtures far narrower than the votes (README, active learning on GZ2), and the
 * binomial treats Kaggle fractions × a nominal N as exact counts. The calibrated predictive widens every pass's
 * distribution about its own mean, keeping the mean (so the RMSE and every acquisition are unchanged):
 * - probability head: Binomial(N, ρ) → BetaBinomial(N, c ρ, c (1 − ρ)), one concentration c for all galaxies and
 *   passes (c → ∞ gives the binomial back; c small is wide);
 * - Dirichlet head: BetaBinomial(N, α, β) → BetaBinomial(N, s α, s β), one scale s (s = 1 is the model as trained).
 * The scalar maximises Σ_i ln[(1/T) Σ_t p_t(k_i; N_i, ·)] over the validation galaxies, searched in log space on a
 * bounded interval (util/goldenSection.ts); a fit at a bound is reported as such (e.g. c at its upper bound: the
 * validation votes are no more dispersed than the binomial mixture already says).
 */
import { InputError } from '../util/errors.js';
import { maximiseOnInterval } from '../util/goldenSection.js';
import { betaBinomialLogPmf, betaBinomialPmfVector, binomialLogPmf, binomialPmfVector } from './voteDistributions.js';

/** Per pass t and galaxy b, the uncalibrated distribution of the answer's count: [T][B] arrays. */
export type PassDistributions =
  | { kind: 'binomial'; rho: readonly (readonly number[])[] }
  | { kind: 'beta-binomial'; alpha: readonly (readonly number[])[]; beta: readonly (readonly number[])[] };

/** What the fitted scalar is: a beta-binomial concentration replacing a binomial, or a scale on Dirichlet concentrations. */
export type CalibrationParameter = 'concentration' | 'scale';

/** The search interval of each parameter (the fit is in log space inside it). */
export const CALIBRATION_BOUNDS: Readonly<Record<CalibrationParameter, readonly [number, number]>> = {
  concentration: [0.1, 1e5],
  scale: [1e-3, 1e3],
};

export interface OverdispersionFit {
  parameter: CalibrationParameter;
  /** The fitted c (probability heads) or s (Dirichlet head). */
  value: number;
  /** Σ_i ln p(k_i) under the calibrated mixture, and under the uncalibrated one. */
  logLikelihood: number;
  uncalibratedLogLikelihood: number;
  /** 'lower' / 'upper' when the maximum lies at an end of CALIBRATION_BOUNDS, else null. */
  atBound: 'lower' | 'upper' | null;
  /** Galaxies the fit used. */
  galaxies: number;
}

export function calibrationParameterOf(d: PassDistributions): CalibrationParameter {
  return d.kind === 'binomial' ? 'concentration' : 'scale';
}

/** Probabilities are kept inside (0, 1) for the beta-binomial's shape parameters (a sigmoid can round to 0 or 1 in float32). */
const RHO_FLOOR = 1e-6;
const clampRho = (rho: number) => Math.min(1 - RHO_FLOOR, Math.max(RHO_FLOOR, rho));

/** ln p_t(k) of pass t, galaxy b, with the calibration `value` (null: uncalibrated). */
function passLogPmf(d: PassDistributions, t: number, b: number, k: number, n: number, value: number | null): number {
  if (d.kind === 'binomial') {
    const rho = d.rho[t][b];
    if (value === null) return binomialLogPmf(k, n, rho);
    const r = clampRho(rho);
    return betaBinomialLogPmf(k, n, value * r, value * (1 - r));
  }
  const s = value ?? 1;
  return betaBinomialLogPmf(k, n, s * d.alpha[t][b], s * d.beta[t][b]);
}

function passPmf(d: PassDistributions, t: number, b: number, n: number, value: number | null): Float64Array {
  if (d.kind === 'binomial') {
    const rho = d.rho[t][b];
    if (value === null) return binomialPmfVector(n, rho);
    const r = clampRho(rho);
    return betaBinomialPmfVector(n, value * r, value * (1 - r));
  }
  const s = value ?? 1;
  return betaBinomialPmfVector(n, s * d.alpha[t][b], s * d.beta[t][b]);
}

function shapeOf(d: PassDistributions): { passes: number; galaxies: number } {
  const rows = d.kind === 'binomial' ? [d.rho] : [d.alpha, d.beta];
  const passes = rows[0].length;
  if (passes === 0) throw new InputError('overdispersion calibration: no MC-dropout passes (expected [T passes][B galaxies])');
  const galaxies = rows[0][0].length;
  for (const r of rows) {
    if (r.length !== passes || r.some((p) => p.length !== galaxies)) {
      throw new InputError(`overdispersion calibration: pass arrays are not all [${passes} passes][${galaxies} galaxies]`);
    }
  }
  return { passes, galaxies };
}

function checkCounts(votes: readonly number[], observed: readonly number[] | null, galaxies: number): void {
  if (votes.length !== galaxies) throw new InputError(`overdispersion calibration: ${votes.length} vote totals for ${galaxies} galaxies`);
  if (observed !== null && observed.length !== galaxies) throw new InputError(`overdispersion calibration: ${observed.length} observed counts for ${galaxies} galaxies`);
  votes.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0) throw new InputError(`overdispersion calibration: galaxy ${b} has ${n} votes, expected a non-negative integer`);
    const k = observed?.[b] ?? 0;
    if (!Number.isInteger(k) || k < 0 || k > n) throw new InputError(`overdispersion calibration: galaxy ${b} has observed count ${k}, expected an integer in [0, ${n}]`);
  });
}

/** Per galaxy the (calibrated when `value` is a number) mixture pmf over k = 0…N_b. */
export function calibratedMixturePredictive(d: PassDistributions, votes: readonly number[], value: number | null): Float64Array[] {
  const { passes, galaxies } = shapeOf(d);
  checkCounts(votes, null, galaxies);
  return votes.map((n, b) => {
    const out = new Float64Array(n + 1);
    for (let t = 0; t < passes; t++) {
      const p = passPmf(d, t, b, n, value);
      for (let k = 0; k <= n; k++) out[k] += p[k] / passes;
    }
    return out;
  });
}

/** Σ_b ln[(1/T) Σ_t p_t(k_b; N_b)] (log-sum-exp over passes). */
export function mixtureLogLikelihood(d: PassDistributions, votes: readonly number[], observed: readonly number[], value: number | null): number {
  const { passes, galaxies } = shapeOf(d);
  checkCounts(votes, observed, galaxies);
  return sumLogLikelihood(d, votes, observed, value, passes);
}

function sumLogLikelihood(d: PassDistributions, votes: readonly number[], observed: readonly number[], value: number | null, passes: number): number {
  const logs = new Float64Array(passes);
  let total = 0;
  for (let b = 0; b < votes.length; b++) {
    let top = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < passes; t++) {
      logs[t] = passLogPmf(d, t, b, observed[b], votes[b], value);
      if (logs[t] > top) top = logs[t];
    }
    if (top === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
    let s = 0;
    for (let t = 0; t < passes; t++) s += Math.exp(logs[t] - top);
    total += top + Math.log(s / passes);
  }
  return total;
}

/**
 * Fits the over-dispersion scalar to held-out counts: `observed[b]` of `votes[b]` for galaxy b.
 * Throws a clear error when there is no galaxy to fit on.
 */
export function fitOverdispersion(d: PassDistributions, votes: readonly number[], observed: readonly number[]): OverdispersionFit {
  const { passes, galaxies } = shapeOf(d);
  checkCounts(votes, observed, galaxies);
  const usable = votes.filter((n) => n > 0).length;
  if (usable === 0) {
    throw new InputError(`overdispersion calibration: none of the ${galaxies} held-out galaxies has votes for the answer's question, so nothing to fit on`, {},
      'give more validation galaxies (--val-size) or turn calibration off (--calibrate none)');
  }
  const parameter = calibrationParameterOf(d);
  const [low, high] = CALIBRATION_BOUNDS[parameter];
  const [lower, upper] = [Math.log(low), Math.log(high)];
  const tolerance = 1e-4;
  const best = maximiseOnInterval((logValue) => sumLogLikelihood(d, votes, observed, Math.exp(logValue), passes), lower, upper, { tolerance });
  const atBound = best.x - lower < 2 * tolerance ? 'lower' : upper - best.x < 2 * tolerance ? 'upper' : null;
  return {
    parameter, value: Math.exp(best.x), logLikelihood: best.value, atBound, galaxies: usable,
    uncalibratedLogLikelihood: sumLogLikelihood(d, votes, observed, null, passes),
  };
}
