/**
 * Named settings of `galmorph train` (`--preset`), filled in before the options given explicitly:
 * - 'none': the plain defaults of TRAIN_BAYESIAN_CNN_DEFAULTS;
 * - 'gz2': the recipe measured to learn GZ2 morphology fastest on a CPU (README "Training recipe"): for 424 px
 *   GZ2 cutouts such as ../shared/data/gz2-kaggle-votes — central half crop, 48 px grey (as good as 64 px per epoch
 *   and 1.8× more epochs in a wall-time budget), flips and any-angle
 *   rotations, the default convolution blocks with flattened features instead of global average pooling (the
 *   position of light in the image carries the smooth/featured signal: the largest gain measured), the
 *   Dirichlet-multinomial head over every question with concentrations started low (α ≈ 5.7 instead of ≈ 51) and a
 *   concentration floor of 0.1 instead of 1 (a floor of 1 biased rare answers up: star/artifact predicted 0.049 vs
 *   0.023 observed, the whole Q1 sum-abs gap to the yardstick), MC dropout 0.3 instead of 0.5, the
 *   first question's NLL weighted 2 (the other questions' noisy, rarely asked answers otherwise slow the
 *   smooth/featured split: Q1 sum-abs 0.409 → 0.378 at 10 epochs; Q1 alone: 0.362), and an epoch limit high enough that `--max-seconds` ends the run. Measured per change: README "Training recipe".
 */
import type { TrainBayesianCnnOptions } from './trainBayesianCnn.js';

export const TRAIN_PRESET_NAMES = ['none', 'gz2'] as const;
export type TrainPresetName = (typeof TRAIN_PRESET_NAMES)[number];

export const TRAIN_PRESETS: Record<TrainPresetName, Partial<TrainBayesianCnnOptions>> = {
  none: {},
  gz2: {
    crop: 0.5, imageSize: 48, head: 'dirichlet', augment: true, batchSize: 32, learningRate: 1e-3, epochs: 1000,
    blocks: [[32, 32], [64, 64], [64]], pooling: 'flatten', batchNorm: false, denseUnits: 128, dropout: 0.3, headBias: -3,
    concentrationFloor: 0.1, lossWeights: { q1: 2 },
  },
};
