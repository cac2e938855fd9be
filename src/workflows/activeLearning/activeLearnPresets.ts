/**
 * The active-learning presets, in one place, saved with every run:
 * - 'paper': Walmsley et al. 2019 — 256 labelled galaxies to start, 128 acquired per round, a pool of 4 × 4,096
 *   candidates, T = 15 MC-dropout passes, N = 40 votes, 25 rounds; 64×64 grey images and their CNN
 *   (conv 32-32-pool, 32-32-pool, 16-pool, dense 128, dropout 0.5).
 * - 'quick': the same loop sized to finish in under ten minutes on a 2-core laptop: 32×32 images, a smaller CNN,
 *   64 to start, 32 per round, 5 rounds, a 512-galaxy pool, T = 10.
 */
import type { HeadKind } from '../../models/bayesianCnnHead.js';

export const ACTIVE_LEARN_PRESETS = ['quick', 'paper'] as const;
export type ActiveLearnPreset = (typeof ACTIVE_LEARN_PRESETS)[number];

export const RETRAIN_MODES = ['warm-start', 'from-scratch'] as const;
export type RetrainMode = (typeof RETRAIN_MODES)[number];

export interface ActiveLearnSettings {
  /** Galaxies labelled before the first round. */
  initialLabels: number;
  /** Galaxies acquired (labelled by the oracle) per round. */
  perRound: number;
  /** Acquisition rounds. */
  rounds: number;
  /** Largest pool of unlabelled candidates scored each round. */
  poolSize: number;
  /** Largest test split (never acquired). */
  testSize: number;
  /** MC-dropout passes T. */
  passes: number;
  /** N, the votes a galaxy is expected to receive (binomial BALD, expected votes). */
  votes: number;
  /** Image side in pixels. */
  imageSize: number;
  /** Central crop before resizing (a fraction ≤ 1 of the side, see PreprocessOptions.crop; 0.5 suits GZ2's 424 px JPEGs). */
  crop: number;
  /** CNN filters per block (a 2×2 max-pool after each block). */
  blocks: number[][];
  denseUnits: number;
  dropout: number;
  /** Head: 'binomial' (one answer, binomial BALD) or 'dirichlet' (every question, Dirichlet-multinomial BALD). */
  head: Extract<HeadKind, 'binomial' | 'dirichlet'>;
  /** Training epochs over the labelled set after each acquisition. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Keep training the previous round's weights, or restart from the initial weights each round. */
  retrain: RetrainMode;
}

export const PRESETS: Readonly<Record<ActiveLearnPreset, ActiveLearnSettings>> = {
  quick: {
    initialLabels: 64, perRound: 32, rounds: 5, poolSize: 512, testSize: 256, passes: 10, votes: 40,
    imageSize: 32, crop: 1, blocks: [[16, 16], [32, 32], [32]], denseUnits: 64, dropout: 0.5, head: 'dirichlet',
    epochs: 10, batchSize: 32, learningRate: 2e-3, retrain: 'warm-start',
  },
  paper: {
    initialLabels: 256, perRound: 128, rounds: 25, poolSize: 4 * 4096, testSize: 2048, passes: 15, votes: 40,
    imageSize: 64, crop: 1, blocks: [[32, 32], [32, 32], [16]], denseUnits: 128, dropout: 0.5, head: 'binomial',
    epochs: 20, batchSize: 128, learningRate: 1e-3, retrain: 'warm-start',
  },
};
