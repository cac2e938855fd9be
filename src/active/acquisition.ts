/**
 * Acquisition functions for active learning: which unlabelled galaxies volunteers should label next.
 * - 'bald': highest mutual information (epistemic uncertainty),
 * - 'entropy': highest predictive entropy (total uncertainty),
 * - 'random': uniform random choice (the baseline), seeded.
 * Selection takes the top k scores; ties are broken in a random order drawn from the same seeded generator, so a run
 * is reproducible and equal scores do not always favour low indices.
 */
import { Rng } from '../util/rng.js';
import { check, resolveOptions } from '../util/options.js';
import { InputError } from '../util/errors.js';
import type { BaldResult } from './bald.js';

export const ACQUISITION_FUNCTIONS = ['bald', 'random', 'entropy'] as const;
export type AcquisitionFunction = (typeof ACQUISITION_FUNCTIONS)[number];

export interface AcquireOptions {
  /**
   * How to score candidates.
   * @default 'bald'
   */
  acquisition: AcquisitionFunction;
  /**
   * Seed for the random baseline and for breaking ties.
   * @default 0
   */
  seed: number;
}

const DEFAULTS: AcquireOptions = { acquisition: 'bald', seed: 0 };
const SPEC = { acquisition: check.oneOf(ACQUISITION_FUNCTIONS), seed: check.integer() };

/** Score per candidate galaxy (higher = acquire first). */
export function acquisitionScores(acquisition: AcquisitionFunction, uncertainty: BaldResult, rng: Rng): Float64Array {
  switch (acquisition) {
    case 'bald':
      return Float64Array.from(uncertainty.mutualInformation);
    case 'entropy':
      return Float64Array.from(uncertainty.predictiveEntropy);
    case 'random':
      return Float64Array.from(uncertainty.mutualInformation, () => rng.uniform());
    default: {
      const unreachable: never = acquisition;
      throw new InputError(`unknown acquisition function ${String(unreachable)}; expected one of ${ACQUISITION_FUNCTIONS.join(', ')}`);
    }
  }
}

/** Indices of the `count` highest scores, best first; equal scores in an order drawn from `rng`. */
export function topKIndices(scores: ArrayLike<number>, count: number, rng: Rng): number[] {
  if (!Number.isInteger(count) || count < 0 || count > scores.length) {
    throw new InputError(`topKIndices: cannot pick ${count} of ${scores.length} candidates (expected an integer in [0, ${scores.length}])`);
  }
  const tieBreak = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new InputError(`topKIndices: score of candidate ${i} is NaN`);
    tieBreak[i] = rng.uniform();
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || tieBreak[a] - tieBreak[b]);
  return order.slice(0, count);
}

/** Choose `count` candidates to label from their MC-dropout uncertainty, best first. */
export function acquire(uncertainty: BaldResult, count: number, options: Partial<AcquireOptions> = {}): number[] {
  const { acquisition, seed } = resolveOptions(DEFAULTS, SPEC, options);
  const rng = new Rng(seed);
  return topKIndices(acquisitionScores(acquisition, uncertainty, rng), count, rng);
}
