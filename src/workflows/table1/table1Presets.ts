/**
 * Named settings of `galmorph experiment table1` (`--preset`), filled in before the options given explicitly:
 * - 'quick': the defaults of TABLE1_FIELDS — finishes end to end (simulation included) in under ten minutes on a
 *   2-core machine: 700 labelled + 3,000 unlabelled simulated galaxies at 32 px, labels 100 and 300, up to 12
 *   epochs or 30 s of training per phase, except alternating, whose epochs are passes over the 3,000+ unlabelled
 *   images, each step pairing a labelled and an unlabelled batch: 60 s (about the labelled steps the others get);
 *   the vote NLL weighed against −ELBO by their gradient ratio measured at initialisation (classifierWeight null);
 * - 'paper': the published schedule (128 px, Adam 1e-4, batch 10, 200 epochs — 100 for 1200 labels —, 1e-3 after
 *   pre-training, three seeds) and the authors' data setting: the central 128 px of GZ2's 424 px cutouts (crop
 *   0.30) at 128 px, no augmentation for the ET models (the plain CNN keeps flips and rotations) and the authors'
 *   classifier weight 1 (measured ‖∇ELBO‖ / ‖∇NLL‖ at 128 px: 74–99, so the vote term starts ≈ 1% as strong); listed in full
 *   so that changing a default does not change it.
 */
import type { Table1Options } from './table1.js';

export const TABLE1_PRESET_NAMES = ['quick', 'paper'] as const;
export type Table1PresetName = (typeof TABLE1_PRESET_NAMES)[number];

export const TABLE1_PRESETS: Readonly<Record<Table1PresetName, Partial<Table1Options>>> = {
  quick: { regimeSeconds: { alternating: 60 } },
  paper: {
    crop: 0.3, imageSize: 128, augment: { supervised: 'none', 'two-step': 'none', alternating: 'none', m1: 'none', pretrain: 'none' },
    regimeSeconds: {}, regimeEpochs: {}, patience: 0, simulateUnlabelled: 0, poseGridSize: null, labels: [100, 300, 800, 1200], seeds: 3, batchSize: 10,
    learningRate: 1e-4, afterPretrainingLearningRate: 1e-3, epochs: 200, epochsByLabels: { '1200': 100 }, pretrainEpochs: 200,
    cellSeconds: 0, pretrainSeconds: 0, validations: 50, valSize: 300, simulate: 5000, latentDim: 100, likelihood: 'bernoulli',
    classifierWeight: 1,
  },
};
