/**
 * Discrete coverage calibration (Walmsley et al. 2019), for one answer's vote counts.
 *
 * Definitions, for galaxy i with N_i votes, observed count k_i and predictive pmf P_i over 0…N_i:
 * - expected count e_i = ⌊Σ_k k P_i(k)⌋, a whole number of votes: the reference code
 *   (mwalmsley/galaxy-zoo-bayesian-cnn, zoobot/uncertainty/discrete_coverage.py) truncates the mean with int(), so
 *   that every window ±w holds the 2w + 1 counts e − w … e + w (clipped to 0…N_i). (This file used the real-valued
 *   mean until 2026-12-03, whose ±w window holds only 2w counts unless the mean is whole, a narrower window than the
 *   paper's at every w.)
 * - for a width w (in votes), the predicted probability of coverage c_i(w) = P_i(|k − e_i| ≤ w), and the observed
 *   coverage o_i(w) = 1 if |k_i − e_i| ≤ w, else 0;
 * - the curve, for w = 0…max N_i: predicted(w) = Σ_i c_i(w) (the number of galaxies the model expects to be within
 *   w votes) and observed(w) = Σ_i o_i(w) (how many are); the reference averages them over galaxies, the same
 *   ratio. A calibrated model has observed ≈ predicted at every w.
 * - the coverage error within a vote-fraction tolerance τ (default 0.2, the reference's ±0.2): each galaxy uses its
 *   own width w_i = ⌊τ N_i⌋, P_τ = Σ_i c_i(w_i), O_τ = Σ_i o_i(w_i), and error = |O_τ − P_τ| / P_τ (a fraction;
 *   the reference reports 11.8% for bars). With a common N (e.g. 40) this is the curve's relative error at w = ⌊τN⌋.
 */
import { check, resolveOptions } from '../util/options.js';
import { InputError } from '../util/errors.js';

export interface DiscreteCoverageOptions {
  /**
   * τ, the vote-fraction tolerance at which the coverage error is reported.
   * @default 0.2
   */
  fractionTolerance: number;
}

const DEFAULTS: DiscreteCoverageOptions = { fractionTolerance: 0.2 };
const SPEC = { fractionTolerance: check.number(0, 1) };

export interface DiscreteCoverage {
  /** Widths w = 0…max N_i, in votes. */
  widths: number[];
  /** Expected number of galaxies whose count is within ±w of their expected count. */
  predicted: number[];
  /** Observed number of galaxies within ±w. */
  observed: number[];
  /** P_τ and O_τ at each galaxy's own width ⌊τ N_i⌋. */
  predictedWithinTolerance: number;
  observedWithinTolerance: number;
  /** |O_τ − P_τ| / P_τ. */
  coverageError: number;
}

/**
 * @param predictive per galaxy a pmf over counts 0…N_i (length N_i + 1), e.g. from `calibratedMixturePredictive`
 * @param observedCounts per galaxy the observed count k_i
 */
export function discreteCoverage(
  predictive: readonly ArrayLike<number>[],
  observedCounts: readonly number[],
  options: Partial<DiscreteCoverageOptions> = {},
): DiscreteCoverage {
  const { fractionTolerance } = resolveOptions(DEFAULTS, SPEC, options);
  if (predictive.length === 0 || predictive.length !== observedCounts.length) {
    throw new InputError(
      `discreteCoverage: ${predictive.length} predictive distributions for ${observedCounts.length} observed counts (need the same, non-zero number)`,
    );
  }
  const maxVotes = Math.max(...predictive.map((p) => p.length - 1));
  const predicted = new Array<number>(maxVotes + 1).fill(0);
  const observed = new Array<number>(maxVotes + 1).fill(0);
  let predictedWithinTolerance = 0;
  let observedWithinTolerance = 0;
  predictive.forEach((p, i) => {
    const n = p.length - 1;
    const k = observedCounts[i];
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new InputError(`discreteCoverage: galaxy ${i} has observed count ${k}, expected an integer in [0, ${n}]`);
    }
    let mean = 0;
    for (let j = 0; j <= n; j++) mean += j * p[j];
    // The reference's int(): a whole count (the 1e-9 keeps a mean of 3 summed as 2.9999999999 at 3).
    const expected = Math.min(n, Math.floor(mean + 1e-9));
    const toleranceWidth = Math.floor(fractionTolerance * n + 1e-9);
    for (let w = 0; w <= maxVotes; w++) {
      let covered = 0;
      for (let j = Math.max(0, expected - w); j <= Math.min(n, expected + w); j++) covered += p[j];
      const hit = Math.abs(k - expected) <= w ? 1 : 0;
      predicted[w] += covered;
      observed[w] += hit;
      if (w === toleranceWidth) {
        predictedWithinTolerance += covered;
        observedWithinTolerance += hit;
      }
    }
  });
  return {
    widths: predicted.map((_, w) => w),
    predicted,
    observed,
    predictedWithinTolerance,
    observedWithinTolerance,
    coverageError: Math.abs(observedWithinTolerance - predictedWithinTolerance) / predictedWithinTolerance,
  };
}
