/**
 * Per-answer credible intervals of the vote fraction from a Dirichlet head (zoobot): for every pass the fraction of
 * answer a is Beta(α_a, A − α_a) with A the sum over its question; take the `lower`/`upper` quantiles per pass
 * (default 0.05/0.95, a 90% interval) and report the median across passes. A single-answer question's fraction is
 * 1 with certainty (its Beta has b = 0), so its interval is [1, 1].
 */
import { check, resolveOptions } from '../util/options.js';
import { InputError } from '../util/errors.js';
import { betaQuantile } from '../util/specialFunctions.js';
import { median } from '../util/stats.js';
import { type PassArray3D, passesByGalaxyByAnswer } from './passPredictions.js';

export interface VoteFractionIntervalOptions {
  /**
   * Lower quantile.
   * @default 0.05
   */
  lower: number;
  /**
   * Upper quantile.
   * @default 0.95
   */
  upper: number;
}

const DEFAULTS: VoteFractionIntervalOptions = { lower: 0.05, upper: 0.95 };
const SPEC = { lower: check.number(0, 1), upper: check.number(0, 1) };

export interface VoteFractionInterval {
  lower: number;
  upper: number;
}

/**
 * @param concentrations [T, B, A] Dirichlet concentrations
 * @param questionSlices each question's answer columns [start, end); every answer column must belong to one
 * @returns intervals[b][a]
 */
export function voteFractionIntervals(
  concentrations: PassArray3D,
  questionSlices: readonly (readonly [number, number])[],
  options: Partial<VoteFractionIntervalOptions> = {},
): VoteFractionInterval[][] {
  const { lower, upper } = resolveOptions(DEFAULTS, SPEC, options);
  if (lower >= upper) throw new InputError(`voteFractionIntervals: lower quantile ${lower} must be below upper ${upper}`);
  const cube = passesByGalaxyByAnswer(concentrations, 'voteFractionIntervals');
  const answers = cube[0][0].length;
  const questionOf = new Array<number>(answers).fill(-1);
  questionSlices.forEach(([start, end], q) => {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > answers || end <= start) {
      throw new InputError(`voteFractionIntervals: question ${q} has slice [${start}, ${end}), expected 0 ≤ start < end ≤ ${answers}`);
    }
    for (let a = start; a < end; a++) questionOf[a] = q;
  });
  const missing = questionOf.indexOf(-1);
  if (missing >= 0) throw new InputError(`voteFractionIntervals: answer column ${missing} belongs to no question slice`);
  return cube[0].map((_, b) =>
    questionOf.map((q, a) => {
      const [start, end] = questionSlices[q];
      if (end - start === 1) return { lower: 1, upper: 1 };
      const lows: number[] = [];
      const highs: number[] = [];
      for (const pass of cube) {
        const alpha = pass[b];
        let total = 0;
        for (let i = start; i < end; i++) total += alpha[i];
        lows.push(betaQuantile(lower, alpha[a], total - alpha[a]));
        highs.push(betaQuantile(upper, alpha[a], total - alpha[a]));
      }
      return { lower: median(lows), upper: median(highs) };
    }),
  );
}
