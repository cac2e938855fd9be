/**
 * `galmorph cluster`'s options, declared once (type, default, validation, flag, help; util/fields.ts), and its
 * presets. The defaults are sized for a laptop CPU (64 px, lighter convolutions, a short schedule); `paper` is
 * AstroVaDEr's published setting (128 px, filters 64/64/16 with kernels 3/5/5, 20 latent dimensions, 12 clusters,
 * 100 warm-up epochs then 5 × (25 annealing + 25 static), Adam 3e-4 with clip value 1, batch 190); `quick` a
 * CI-sized run.
 */
import { z } from 'zod';
import { field, type FieldValues } from '../../util/fields.js';
import { CATALOG_FIELDS, COMPUTE_FIELDS, outFolder, PROGRESS_FIELD, SCHEMA_FIELD } from '../commonFields.js';
import { GALAXY_CLASSES } from '../../data/simulator/galaxyClass.js';
import { SIMULATE_GALAXY_FIELDS } from '../../data/simulator/simulateGalaxy.js';
import { VADE_DEFAULTS } from '../../models/vade.js';
import { VADE_RECONSTRUCTIONS } from '../../losses/vadeReconstruction.js';
import { VADE_FRONT_ENDS } from '../../models/vadeFrontEnd.js';

const TRIPLE = z.tuple([z.number().int().min(1).max(512), z.number().int().min(1).max(512), z.number().int().min(1).max(512)]);
const parseList = (raw: string): unknown => raw.split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x)));

export const CLUSTER_PRESET_NAMES = ['none', 'quick', 'paper'] as const;
export type ClusterPresetName = (typeof CLUSTER_PRESET_NAMES)[number];

export const CLUSTER_FIELDS = {
  preset: field.choice(CLUSTER_PRESET_NAMES, { default: 'none', flag: '--preset <name>', help: 'named settings, overridden by any flag given (listed below)' }),
  data: field.custom<string[]>(z.array(z.string().min(1)), {
    default: [], expected: 'catalog paths (none with --simulate)', flag: '--data <dir...>', parse: (raw) => [raw],
    help: 'catalog folder(s) or table(s) to cluster (labels, when present, are used only in the analysis)',
  }),
  simulate: field.nullable(field.integer({ default: 0, min: 2, max: 10_000_000, flag: '--simulate <n>', help: 'instead of --data: simulate n galaxies with known classes into OUT/simulated and score the clusters against them' })),
  classes: field.list(field.choice(GALAXY_CLASSES, { default: 'elliptical' }), {
    default: [...GALAXY_CLASSES], flag: '--classes <list>',
    help: `--simulate: the simulator's classes to draw, e.g. elliptical,edge-on,spiral (all: the simulator's default mix; a subset: equal shares)`,
  }),
  snrRange: field.with(SIMULATE_GALAXY_FIELDS.snrRange, {
    help: '--simulate: the galaxies\' signal-to-noise range low,high, drawn log-uniformly (the simulator\'s default 8 to 800; at 32 px, galaxies below S/N ≈ 40 show little of their class: README, "Unsupervised clusters")',
  }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'run folder' }),
  schema: SCHEMA_FIELD,
  k: field.integer({ default: VADE_DEFAULTS.clusters, min: 2, max: 64, flag: '--k <n>', help: 'mixture components (with --choose-k: the most the Bayesian GMM may use)' }),
  chooseK: field.boolean({ default: false, flag: '--choose-k', help: 'after the warm-up, fit a Dirichlet-process Bayesian GMM to mini-batches of embeddings and train with the count it uses most often' }),
  kThreshold: field.number({ default: 0.01, min: 0, max: 0.5, flag: '--k-threshold <w>', help: '--choose-k: a component is in use when its expected weight exceeds this' }),
  kBatches: field.integer({ default: 20, min: 1, max: 10_000, flag: '--k-batches <n>', help: '--choose-k: mini-batches of embeddings the Bayesian GMM is fitted to' }),
  kBatchSize: field.integer({ default: 1000, min: 10, max: 1_000_000, flag: '--k-batch-size <n>', help: '--choose-k: galaxies per mini-batch' }),
  seeds: field.integer({ default: 1, min: 1, max: 100, flag: '--seeds <n>', help: 'train this many models (seeds --seed, --seed+1, …) and report the spread of the scores' }),
  imageSize: field.integer({ default: VADE_DEFAULTS.imageSize, min: 8, max: 512, step: 8, flag: '--image-size <n>', help: 'image side in pixels (AstroVaDEr: 128)' }),
  crop: field.number({ default: 1, min: 1e-6, max: 1e5, flag: '--crop <x>', help: 'central crop: fraction of the side (0.5 for GZ2 JPEGs) or whole pixels' }),
  filters: field.custom<[number, number, number]>(TRIPLE, { default: VADE_DEFAULTS.filters, expected: 'three filter counts, e.g. 64,64,16', flag: '--filters <a,b,c>', help: 'filters of the three encoder blocks (decoder mirrored)', parse: parseList }),
  kernels: field.custom<[number, number, number]>(TRIPLE, { default: VADE_DEFAULTS.kernels, expected: 'three kernel sides, e.g. 3,5,5', flag: '--kernels <a,b,c>', help: 'kernel sides of the three encoder blocks', parse: parseList }),
  latentDim: field.integer({ default: VADE_DEFAULTS.latentDim, min: 1, max: 512, flag: '--latent <n>', help: 'latent dimensions' }),
  lambda: field.number({ default: VADE_DEFAULTS.responsibilityScale, min: 1, max: 80, flag: '--lambda <x>', help: 'λ of the min-max scaled responsibilities (s3VDC: 20–50)' }),
  reconstruction: field.choice(VADE_RECONSTRUCTIONS, {
    default: VADE_DEFAULTS.reconstruction, flag: '--reconstruction <kind>',
    help: 'decoder output and reconstruction term, summed over pixels: bce (logits, binary cross-entropy), mse (linear output, squared error, as AstroVaDEr), sigmoid-mse (the first version\'s; its decoder collapses to black on dark-sky images), gaussian-noise (linear output, Gaussian likelihood with each image\'s own sky noise plus --noise-floor, so a faint galaxy\'s noisy pixels weigh less; the front end keeps the noise unclipped; not in the references)',
  }),
  noiseFloor: field.number({ default: VADE_DEFAULTS.noiseFloor, min: 1e-6, max: 1, flag: '--noise-floor <s>', help: '--reconstruction gaussian-noise: the decoder\'s own error per pixel, added in quadrature to each image\'s noise σ' }),
  frontEnd: field.choice(VADE_FRONT_ENDS, {
    default: VADE_DEFAULTS.frontEnd, flag: '--front-end <kind>',
    help: 'what the encoder sees: none (the image), moments (each image centred, its major axis turned horizontal, its size and brightness scaled from its own second moments, so clusters do not split on orientation, size or brightness), segmented (moments after every pixel outside the central source is set to sky, so stars and companions in the frame reach neither the pose nor the encoder)',
  }),
  varianceFloor: field.number({ default: VADE_DEFAULTS.varianceFloor, min: 1e-8, max: 1, flag: '--variance-floor <x>', help: 'least value of a cluster variance σ²' }),
  batchSize: field.integer({ default: 64, min: 2, max: 4096, flag: '--batch-size <n>', help: 'galaxies per batch' }),
  warmupEpochs: field.integer({ default: 10, min: 0, max: 100_000, flag: '--warmup-epochs <n>', help: 'γ-training epochs (Rec + γ·KL to N(0, I)) before the GMM initialisation' }),
  annealEpochs: field.integer({ default: 2, min: 0, max: 100_000, flag: '--anneal-epochs <n>', help: 'annealing epochs of each period (cubic ramp of the latent weight)' }),
  staticEpochs: field.integer({ default: 2, min: 0, max: 100_000, flag: '--static-epochs <n>', help: 'static epochs of each period (full latent weight)' }),
  periods: field.integer({ default: 3, min: 0, max: 10_000, flag: '--periods <n>', help: 'annealing + static periods' }),
  klWeight: field.number({ default: 5e-4, min: 0, max: 1, flag: '--kl-weight <x>', help: 'γ: the KL weight of the warm-up, also added to the annealing ramp' }),
  learningRate: field.number({ default: 1e-3, min: 1e-8, max: 1, flag: '--learning-rate <x>', help: 'Adam learning rate (cosine decay to 0 over the whole schedule)' }),
  clipValue: field.number({ default: 1, min: 1e-6, max: 1e6, flag: '--clip-value <c>', help: 'clip every gradient value to [−c, c]' }),
  gmmBatches: field.integer({ default: 200, min: 1, max: 100_000, flag: '--gmm-batches <n>', help: 'batches of embedded means the initial GMM is fitted to (k-means, then a diagonal GMM)' }),
  gmmRestarts: field.integer({ default: 1, min: 1, max: 1000, flag: '--gmm-restarts <n>', help: 'the initial GMM: whole k-means + EM fits from n seeds, the highest log-likelihood kept (scikit-learn\'s n_init; labels play no part)' }),
  flip: field.boolean({ default: true, flag: '--flip', help: 'random horizontal and vertical flips of training images (AstroVaDEr\'s augmentation)', negation: 'no flips' }),
  baselineComponents: field.integer({ default: 20, min: 1, max: 1024, flag: '--baseline-components <n>', help: 'with known classes: principal components of the pixels the k-means / GMM baseline clusters' }),
  topK: field.integer({ default: 16, min: 1, max: 256, flag: '--top <n>', help: 'galaxies per cluster shown (highest responsibility) beside their reconstructions' }),
  ...CATALOG_FIELDS,
  resume: field.boolean({ default: false, flag: '--resume', help: 'continue the run in --out from its last checkpoint (after a finished run, a kill or Ctrl-C)' }),
  ...COMPUTE_FIELDS,
  workers: field.with(COMPUTE_FIELDS.workers, { default: 1 }),
  progress: PROGRESS_FIELD,
};

export type ClusterOptions = FieldValues<typeof CLUSTER_FIELDS>;

export const CLUSTER_PRESETS: Record<ClusterPresetName, Partial<ClusterOptions>> = {
  none: {},
  quick: { imageSize: 32, filters: [8, 8, 8], kernels: [3, 3, 3], latentDim: 8, batchSize: 32, warmupEpochs: 2, annealEpochs: 1, staticEpochs: 1, periods: 1, gmmBatches: 20, topK: 4 },
  paper: {
    imageSize: 128, filters: [64, 64, 16], kernels: [3, 5, 5], latentDim: 20, k: 12, batchSize: 190, warmupEpochs: 100, annealEpochs: 25,
    staticEpochs: 25, periods: 5, learningRate: 3e-4, clipValue: 1, gmmBatches: 200,
  },
};

/** Options a resumed run must share with the run it continues. */
export const CLUSTER_RESUME_FIXED: (keyof ClusterOptions)[] = [
  'data', 'simulate', 'classes', 'snrRange', 'schema', 'k', 'chooseK', 'seeds', 'imageSize', 'crop', 'filters', 'kernels', 'latentDim', 'lambda', 'varianceFloor', 'reconstruction', 'noiseFloor', 'frontEnd',
  'gmmRestarts', 'batchSize', 'warmupEpochs', 'annealEpochs', 'staticEpochs', 'periods', 'klWeight', 'flip', 'seed',
];
