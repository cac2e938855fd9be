/**
 * The settings of the Table 1 experiment and its two presets, in one place (saved with every run):
 * `quick` finishes end to end (simulation included) in about ten minutes on a 2-core machine; `paper` is the
 * published schedule (128 px, Adam 1e-4, batch 10, 200 epochs — 100 for 1200 labels —, 1e-3 after pre-training).
 */
import { NOMINAL_VOLUNTEERS } from '../../data/schema.js';
import type { PixelLikelihood } from '../../losses/pixelLikelihood.js';
import { REGIMES, type Regime } from '../../train/regimes/regimePhases.js';

export const TABLE1_PRESETS = ['quick', 'paper'] as const;
export type Table1PresetName = (typeof TABLE1_PRESETS)[number];

export interface Table1Settings {
  /** Image side in pixels. */
  imageSize: number;
  /** Side of the pose CNNs' canonical grids; null = the image size. */
  poseGridSize: number | null;
  /** Central crop before resizing (fraction of the shorter side; the paper crops GZ2's 424 px to 212 px). */
  crop: number;
  /** Labelled galaxies per cell of the table. */
  labels: number[];
  /** Seeds (repeats) per cell. */
  seeds: number;
  regimes: Regime[];
  batchSize: number;
  /** Adam learning rate of the supervised, alternating, plain-CNN and pre-training phases. */
  learningRate: number;
  /** Adam learning rate after VAE pre-training (two-step, M1). */
  afterPretrainingLearningRate: number;
  /** Epochs of a training phase (over the labelled set; over the unlabelled set for alternating). */
  epochs: number;
  /** Epochs by number of labels where they differ from `epochs` (the paper: 100 for 1200 labels). */
  epochsByLabels: Record<string, number>;
  /** Epochs of VAE pre-training over all training images. */
  pretrainEpochs: number;
  /** Wall-time budget of each training phase in seconds (0: none). */
  cellSeconds: number;
  /** Wall-time budget of VAE pre-training in seconds (0: none). */
  pretrainSeconds: number;
  /** Validations per training phase (best validation checkpoint kept). */
  validations: number;
  /** At most this many validation galaxies (the rest of the validation split is unused). */
  valSize: number;
  /** Fractions of the labelled catalog in train / val / test (by id hash). */
  split: { train: number; val: number; test: number };
  /** Galaxies simulated when no --data is given. */
  simulateN: number;
  /** Volunteers per galaxy assumed when a catalog has only fractions. */
  nominalN: number;
  latentDim: number;
  likelihood: PixelLikelihood;
  /** Weight of the vote NLL beside −ELBO in the alternating regime (the paper: 1). */
  classifierWeight: number;
  /** Random rotations per test galaxy in the rotation-consistency figure. */
  rotations: number;
}

const SHARED = {
  crop: 1,
  regimes: [...REGIMES],
  split: { train: 0.6, val: 0.1, test: 0.3 },
  nominalN: NOMINAL_VOLUNTEERS,
  likelihood: { kind: 'bernoulli' } as PixelLikelihood,
  classifierWeight: 1,
};

export const TABLE1_PRESET_SETTINGS: Record<Table1PresetName, Table1Settings> = {
  quick: {
    ...SHARED,
    imageSize: 32,
    poseGridSize: null,
    labels: [100, 300],
    seeds: 1,
    batchSize: 16,
    learningRate: 1e-3,
    afterPretrainingLearningRate: 1e-3,
    epochs: 12,
    epochsByLabels: {},
    pretrainEpochs: 6,
    cellSeconds: 30,
    pretrainSeconds: 40,
    validations: 6,
    valSize: 100,
    simulateN: 700,
    latentDim: 32,
    rotations: 1,
  },
  paper: {
    ...SHARED,
    crop: 0.5,
    imageSize: 128,
    poseGridSize: null,
    labels: [100, 300, 800, 1200],
    seeds: 3,
    batchSize: 10,
    learningRate: 1e-4,
    afterPretrainingLearningRate: 1e-3,
    epochs: 200,
    epochsByLabels: { '1200': 100 },
    pretrainEpochs: 200,
    cellSeconds: 0,
    pretrainSeconds: 0,
    validations: 50,
    valSize: 300,
    simulateN: 5000,
    latentDim: 100,
    rotations: 1,
  },
};

export function epochsFor(settings: Table1Settings, labels: number): number {
  return settings.epochsByLabels[String(labels)] ?? settings.epochs;
}
