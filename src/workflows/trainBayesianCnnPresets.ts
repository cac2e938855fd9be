/**
 * Named settings of `galmorph train` (`--preset`), filled in before the options given explicitly:
 * - 'none': the plain defaults of TRAIN_BAYESIAN_CNN_DEFAULTS;
 * - 'gz2': the recipe measured to learn GZ2 morphology fastest on a CPU (README "Training recipe"): for 424 px
 *   GZ2 cutouts such as ../shared/data/gz2-kaggle-votes — central half crop, 64 px grey, flips and any-angle
 *   rotations, a plain CNN whose cost per image matches the PyTorch yardstick's, flattened features (the
 *   position of light in the image carries the smooth/featured signal), the Dirichlet-multinomial head over every
 *   question with concentrations started low, and an epoch limit high enough that `--max-seconds` ends the run.
 */
import type { TrainBayesianCnnOptions } from './trainBayesianCnn.js';

export const TRAIN_PRESET_NAMES = ['none', 'gz2'] as const;
export type TrainPresetName = (typeof TRAIN_PRESET_NAMES)[number];

export const TRAIN_PRESETS: Record<TrainPresetName, Partial<TrainBayesianCnnOptions>> = {
  none: {},
  gz2: {
    crop: 0.5, imageSize: 64, head: 'dirichlet', augment: true, batchSize: 32, learningRate: 1e-3, epochs: 1000,
    blocks: [[32, 32], [32, 32], [16], [16]], pooling: 'flatten', batchNorm: false, denseUnits: 64, dropout: 0.3, headBias: -3,
  },
};
