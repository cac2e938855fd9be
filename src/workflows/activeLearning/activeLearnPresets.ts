/**
 * Named settings of `galmorph active-learn` (`--preset`), filled in before the options given explicitly:
 * - 'quick': the defaults of ACTIVE_LEARN_FIELDS — the loop sized to finish in about ten minutes on a 2-core laptop:
 *   900 simulated galaxies unless --data is given, 32×32 images, a small CNN (conv 16-16-pool, 32-32-pool, 32-pool,
 *   dense 64), 64 to start, 32 per round, 5 rounds, a 512-galaxy pool, 128 validation galaxies, T = 10, the paper's
 *   binomial head on the scored answer with its BALD; each round up to 40 epochs, early-stopped after 8 without a
 *   better validation score.
 * - 'paper': Walmsley et al. 2019 — 256 labelled galaxies to start, 128 acquired per round, a pool of 4 × 4,096
 *   candidates, T = 15 MC-dropout passes, N = 40 votes, 25 rounds; 64×64 grey images and their CNN
 *   (conv 32-32-pool, 32-32-pool, 16-pool, dense 128, dropout 0.5) with a binomial head; rounds of up to 125 epochs
 *   (the reference's first round; it trained 50 more per round) with early stopping after 15; listed in full so that
 *   changing a default does not change it. It simulates nothing by default: give --data or --simulate N.
 * - 'standard': the quick loop repeated over 3 seeds (each its own simulated set or split, initial labels, pool and
 *   test galaxies), longer and on more galaxies, so that the label saving comes with a 95% confidence interval:
 *   1,500 simulated galaxies per seed unless --data is given, 64 to start, 32 per round, 8 rounds (to 320 labels),
 *   a 1,024-galaxy pool, 512 test and 128 validation galaxies; each round up to 40 epochs with early stopping after 8.
 *   On real GZ2: `--data ../shared/data/gz2-kaggle-votes --nominal-n 40 --crop 0.5`. Not yet timed end to end.
 */
import type { ActiveLearnOptions } from './activeLearn.js';

export const ACTIVE_LEARN_PRESET_NAMES = ['quick', 'paper', 'standard'] as const;
export type ActiveLearnPreset = (typeof ACTIVE_LEARN_PRESET_NAMES)[number];

export const ACTIVE_LEARN_PRESETS: Readonly<Record<ActiveLearnPreset, Partial<ActiveLearnOptions>>> = {
  quick: {},
  paper: {
    simulate: 0,
    initialLabels: 256, perRound: 128, rounds: 25, poolSize: 4 * 4096, testSize: 2048, passes: 15, votes: 40,
    imageSize: 64, crop: 1, blocks: [[32, 32], [32, 32], [16]], denseUnits: 128, dropout: 0.5, head: 'binomial', baldScope: 'scored', headBias: null,
    epochs: 125, patience: 15, valSize: 512, batchSize: 128, learningRate: 1e-3, retrain: 'warm-start',
  },
  standard: {
    seeds: 3, simulate: 1500, initialLabels: 64, perRound: 32, rounds: 8, poolSize: 1024, testSize: 512, valSize: 128,
    epochs: 40, patience: 8, head: 'binomial', baldScope: 'scored', headBias: null, retrain: 'warm-start',
  },
};
