/**
 * Named settings of `galmorph experiment table1` (`--preset`), filled in before the options given explicitly:
 * - 'quick': the defaults of TABLE1_FIELDS — finishes end to end (simulation included) in about ten minutes on a
 *   2-core machine (32 px, labels 100 and 300, 30 s of training per phase);
 * - 'paper': the published schedule (128 px, Adam 1e-4, batch 10, 200 epochs — 100 for 1200 labels —, 1e-3 after
 *   pre-training, three seeds, GZ2's 424 px cut to the central half), listed in full so that changing a default
 *   does not change it.
 */
import type { Table1Options } from './table1.js';

export const TABLE1_PRESET_NAMES = ['quick', 'paper'] as const;
export type Table1PresetName = (typeof TABLE1_PRESET_NAMES)[number];

export const TABLE1_PRESETS: Readonly<Record<Table1PresetName, Partial<Table1Options>>> = {
  quick: {},
  paper: {
    crop: 0.5, imageSize: 128, poseGridSize: null, labels: [100, 300, 800, 1200], seeds: 3, batchSize: 10,
    learningRate: 1e-4, afterPretrainingLearningRate: 1e-3, epochs: 200, epochsByLabels: { '1200': 100 }, pretrainEpochs: 200,
    cellSeconds: 0, pretrainSeconds: 0, validations: 50, valSize: 300, simulate: 5000, latentDim: 100, likelihood: 'bernoulli',
    classifierWeight: 1,
  },
};
