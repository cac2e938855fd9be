/**
 * The first dropout seed of ensemble member m's passes in a prediction with seed S (`galmorph predict --seed S`;
 * pass t then uses this + t, BayesianCnn.passes). One home, so a prediction made in a browser (src/browser) with the
 * same seed reproduces the command's numbers.
 */
import { Rng } from '../../util/rng.js';
import { MAX_PASS_SEED } from '../../nn/mcDropout.js';

export function predictPassSeed(seed: number, member: number): number {
  return Rng.derive(seed, 'predict', member).nextUint32() % MAX_PASS_SEED;
}
