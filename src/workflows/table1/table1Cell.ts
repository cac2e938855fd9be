/**
 * One cell of the Table 1 grid (regime × labelled galaxies × seed), and the VAE pre-training that two-step and
 * M1 share per seed. Each phase runs as a `TrainTask` on a trainer (this thread or data-parallel workers), keeps
 * the best validation checkpoint, is scored on the test split(s) and saved as a model folder with config, schema,
 * preprocessing and optimiser state.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CatalogRow } from '../../data/catalog.js';
import type { PixelLikelihood, PixelLikelihoodKind } from '../../losses/pixelLikelihood.js';
import type { ImageDataset } from '../../data/dataset.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import { saveMorphologyModel } from '../../models/morphologyCheckpoint.js';
import type { MorphologyModelSpec } from '../../models/morphologyModel.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { createTrainer } from '../../train/dataParallel.js';
import { writeVariables, type Trainer, type TrainerWeights } from '../../train/localTrainer.js';
import { alternatingBatches } from '../../train/regimes/alternatingBatches.js';
import { buildTaskModel, MORPHOLOGY_TASK_MODULE, resolveTaskOptions, type MorphologyTaskOptions } from '../../train/regimes/morphologyTask.js';
import { measureGradientBalance, type GradientBalance } from '../../train/regimes/lossBalance.js';
import { REGIME_PHASES, type Regime, type RegimePhase } from '../../train/regimes/regimePhases.js';
import { trainPhase, type PhaseHistoryPoint, type PhaseResult } from '../../train/regimes/trainPhase.js';
import type { StoppedBy } from '../../train/trainingLoop.js';
import type { HostBatch } from '../../data/hostBatch.js';
import type { RunFolder } from '../../util/runFolder.js';
import { augmentationOf, labelledDataset, labelledSubset, type Augmentation, type LabelledRow, type Table1Data } from './table1Data.js';
import { meanBaseline, scoreSet, validationScore, type MeanBaseline, type SetScore } from './table1Evaluate.js';
import type { Table1Options } from './table1.js';

export interface CellContext {
  settings: Table1Options;
  data: Table1Data;
  preprocess: Partial<PreprocessOptions>;
  workers: number;
  backend: string;
  run: RunFolder;
  /** The vote NLL's weight in the alternating regime (the option, or the loss balance measured at initialisation). */
  classifierWeight: number;
  /** Evaluation datasets built once (decoded once) and shared by every cell. */
  valSet: ImageDataset<LabelledRow>;
  testSet: ImageDataset<LabelledRow>;
  externalSet: ImageDataset<LabelledRow> | null;
  /** All training images for VAE pre-training and the alternating regime (per seed and augmentation). */
  unlabelledSet: (seed: number, augment: Augmentation) => ImageDataset<CatalogRow>;
}

export interface PhaseBudget {
  phase: string;
  steps: number;
  images: number;
  epochs: number;
  trainSeconds: number;
  imagesPerSecond: number;
  stoppedBy: StoppedBy;
  /** Validations that ran (the best-validation checkpoint was chosen among them). */
  validations: number;
  bestStep: number;
  /** A limit (not patience) ended the phase while its best validation was in its last quarter; null without validation. */
  stillImproving: boolean | null;
  /** The budget the phase was given: up to `epochs` passes over its own data (`epochUnit`), `seconds` of training (0: none). */
  limit: { epochs: number; epochUnit: EpochUnit; seconds: number; patience: number };
  learningRate: number;
  batchSize: number;
  workers: number;
  /**
   * CPU seconds of the whole process (every thread, so both data-parallel workers) while the phase ran, validations
   * included: its cost in a unit that other processes' load changes much less than wall time (absent in cells of
   * earlier versions).
   */
  cpuSeconds?: number;
}

/** What one epoch of a phase is: a pass over its labelled images, or (alternating, VAE pre-training) over the unlabelled ones. */
export type EpochUnit = 'labelled images' | 'unlabelled images';

export interface CellResult {
  regime: Regime;
  labels: number;
  seed: number;
  test: SetScore;
  /** Predict-the-mean on the same test galaxies: the mean vote fractions of this cell's labelled galaxies. */
  predictTheMean: MeanBaseline;
  external: SetScore | null;
  bestValidation: number | null;
  /** Compute spent per phase (a shared pre-training phase is listed with `shared: true` in the budget note). */
  budget: PhaseBudget[];
  history: PhaseHistoryPoint[];
  wallSeconds: number;
  model: string;
}

/** The decoder likelihood of each `likelihood` option (its fixed scale, for images in [0, 1]). */
const PIXEL_LIKELIHOOD_OF: Readonly<Record<PixelLikelihoodKind, PixelLikelihood>> = {
  bernoulli: { kind: 'bernoulli' },
  gaussian: { kind: 'gaussian', sigma: 0.1 },
  laplace: { kind: 'laplace', scale: 0.5 },
};

/** Epochs of a cell's training phase: the regime's own (regimeEpochs), else by number of labels, else `epochs`. */
export function epochsFor(s: Pick<Table1Options, 'regimeEpochs' | 'epochsByLabels' | 'epochs'>, regime: Regime, labels: number): number {
  return s.regimeEpochs[regime] ?? s.epochsByLabels[String(labels)] ?? s.epochs;
}

/** Training-time budget of a cell's training phase: the regime's own (regimeSeconds), else `cellSeconds` (0: none). */
export function secondsFor(s: Pick<Table1Options, 'regimeSeconds' | 'cellSeconds'>, regime: Regime): number {
  return s.regimeSeconds[regime] ?? s.cellSeconds;
}

export function cellName(regime: Regime, labels: number, seed: number): string {
  return `${regime}-${labels}-seed${seed}`;
}

function modelSpec(ctx: CellContext, phase: RegimePhase, seed: number): MorphologyModelSpec {
  const s = ctx.settings;
  const answers = ctx.data.question.answers.length;
  if (phase.model === 'plain-cnn') return { kind: 'plain-cnn', options: { imageSize: s.imageSize, answers, seed } };
  return {
    kind: 'et-vae',
    options: { imageSize: s.imageSize, poseGridSize: s.poseGridSize, answers, latentDim: s.latentDim, likelihood: PIXEL_LIKELIHOOD_OF[s.likelihood], seed },
  };
}

function taskOptions(ctx: CellContext, phase: RegimePhase, seed: number, init: string | null): MorphologyTaskOptions {
  return resolveTaskOptions({
    model: modelSpec(ctx, phase, seed),
    objective: phase.objective,
    trainable: phase.trainable,
    init,
    classifierWeight: ctx.classifierWeight,
    seed,
  });
}

function budgetOf(phase: string, r: PhaseResult, learningRate: number, ctx: CellContext, limit: PhaseBudget['limit'], cpuSeconds: number): PhaseBudget {
  return {
    phase, steps: r.steps, images: r.images, epochs: r.epochs, trainSeconds: r.trainSeconds, imagesPerSecond: r.imagesPerSecond,
    stoppedBy: r.stoppedBy, validations: r.validations, bestStep: r.bestStep, stillImproving: r.stillImproving, limit,
    learningRate, batchSize: ctx.settings.batchSize, workers: ctx.workers, cpuSeconds,
  };
}

/** CPU seconds of this process (all threads) since `since` (a process.cpuUsage() reading). */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Writes the trainer's best weights into a host copy of the task's model and saves it with its metadata. */
async function saveModel(
  ctx: CellContext, dir: string, options: MorphologyTaskOptions, trainer: Trainer, weights: TrainerWeights, extra: Record<string, unknown>,
): Promise<void> {
  const host = buildTaskModel(options);
  try {
    writeVariables(host.trainable, weights.trainable, 'trainable weight');
    writeVariables(host.state, weights.state, 'state');
    const state = await trainer.getOptimizerState();
    saveMorphologyModel(dir, host.model, {
      schema: ctx.data.schema.def,
      question: ctx.data.question.key,
      preprocessing: ctx.preprocess,
      step: state.step,
      extra,
    }, { names: host.trainableNames, state });
  } finally {
    host.model.dispose();
  }
}

async function startTrainer(ctx: CellContext, options: MorphologyTaskOptions, learningRate: number): Promise<Trainer> {
  return createTrainer({
    spec: { module: MORPHOLOGY_TASK_MODULE, options },
    workers: ctx.workers,
    optimizer: { kind: 'adam', learningRate },
    backend: ctx.backend,
  });
}

export interface PretrainResult {
  dir: string;
  budget: PhaseBudget;
  history: PhaseHistoryPoint[];
}

/** VAE pre-training on all training images for `seed`, saved to pretrain/seed<seed>/model (reused when present). */
export async function pretrain(ctx: CellContext, seed: number): Promise<PretrainResult> {
  const dir = ctx.run.path('pretrain', `seed${seed}`, 'model');
  const resultFile = ctx.run.path('pretrain', `seed${seed}`, 'result.json');
  if (existsSync(resultFile)) {
    ctx.run.log(`pre-training seed ${seed}: reusing ${dir}`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as PretrainResult;
  }
  const phase = REGIME_PHASES['two-step'][0];
  const options = taskOptions(ctx, phase, seed, null);
  const s = ctx.settings;
  const trainer = await startTrainer(ctx, options, s.learningRate);
  try {
    const unlabelled = ctx.unlabelledSet(seed, augmentationOf(s, 'pretrain'));
    const stepsPerEpoch = unlabelled.batchesPerEpoch;
    const cpu = process.cpuUsage();
    const r = await trainPhase({
      label: `pretrain VAE seed ${seed}`,
      trainer,
      epochBatches: (epoch) => unlabelled.batches(epoch),
      stepsPerEpoch,
      epochs: s.pretrainEpochs,
      seconds: s.pretrainSeconds,
      validations: s.validations,
      validate: null,
    });
    const cpuSeconds = cpuSecondsSince(cpu);
    await saveModel(ctx, dir, options, trainer, r.best, { phase: 'pretrain', history: r.history });
    const limit = { epochs: s.pretrainEpochs, epochUnit: 'unlabelled images' as const, seconds: s.pretrainSeconds, patience: 0 };
    const result: PretrainResult = { dir, budget: budgetOf('pretrain', r, s.learningRate, ctx, limit, cpuSeconds), history: r.history };
    ctx.run.writeJson(`pretrain/seed${seed}/result.json`, result);
    ctx.run.log(`pre-training seed ${seed}: ${r.steps} steps, ${r.epochs.toFixed(2)} epochs, ${r.trainSeconds.toFixed(0)} s, ${r.imagesPerSecond.toFixed(1)} images/s`);
    return result;
  } finally {
    await trainer.dispose();
  }
}

/**
 * The loss balance of the alternating regime at initialisation (lossBalance.ts), on the first training batch of the
 * cell (`labels`, `seed`) seen without augmentation: what `classifierWeight` is weighed against.
 */
export async function measureLossBalance(ctx: CellContext, labels: number, seed: number): Promise<GradientBalance> {
  const phase = REGIME_PHASES.alternating[0];
  const rows = labelledSubset(ctx.data.trainPool, labels, seed);
  const set = labelledDataset(rows, { preprocess: ctx.preprocess, batchSize: ctx.settings.batchSize, seed, training: false, onBad: ctx.settings.onBad });
  const first = await set.batches(0).next();
  if (first.done) throw new Error(`loss balance: the ${labels} labelled galaxies of seed ${seed} gave no batch`);
  const { model, init } = taskOptions(ctx, phase, seed, null);
  return measureGradientBalance({ model, init, seed }, first.value);
}

async function writeEtVaeGrid(ctx: CellContext, trainer: Trainer, name: string): Promise<void> {
  const first = await ctx.testSet.batches(0).next();
  if (first.done) return;
  const all = first.value;
  const n = Math.min(8, all.size);
  const [h, w, c] = all.shapes.images;
  const per = h * w * c;
  const batch: HostBatch = { size: n, arrays: { images: all.arrays.images.slice(0, n * per) }, shapes: { images: [h, w, c] } };
  const rows: [string, Float32Array][] = [['observed', batch.arrays.images]];
  for (const method of ['canonical', 'canonicalReconstruction', 'reconstruction']) {
    rows.push([method, (await trainer.predict(method, batch)).data]);
  }
  const images: GridImage[] = [];
  const captions: string[] = [];
  for (const [label, data] of rows) {
    for (let k = 0; k < n; k++) {
      images.push({ data: data.slice(k * per, (k + 1) * per), height: h, width: w, channels: c as 1 | 3 });
      captions.push(k === 0 ? label : '');
    }
  }
  await writeImageGrid(ctx.run.path('grids', `${name}.png`), images, { cols: n, captions, scale: Math.max(1, Math.round(96 / w)) });
}

/** Trains and scores one cell; `pretrained` is the shared pre-training of the seed for two-step and M1. */
export async function runCell(ctx: CellContext, regime: Regime, labels: number, seed: number, pretrained: PretrainResult | null): Promise<CellResult> {
  const started = performance.now();
  const s = ctx.settings;
  const name = cellName(regime, labels, seed);
  const phases = REGIME_PHASES[regime];
  const trainPhaseDef = phases[phases.length - 1];
  const init = phases.length > 1 ? (pretrained?.dir ?? null) : null;
  if (phases.length > 1 && init === null) throw new Error(`${name}: the ${regime} regime needs the seed's pre-trained VAE`);
  const options = taskOptions(ctx, trainPhaseDef, seed, init);
  const learningRate = trainPhaseDef.learningRate === 'main' ? s.learningRate : s.afterPretrainingLearningRate;
  const rows = labelledSubset(ctx.data.trainPool, labels, seed);
  const augment = augmentationOf(s, regime);
  const labelled = labelledDataset(rows, { preprocess: ctx.preprocess, batchSize: s.batchSize, seed, training: true, augment, onBad: s.onBad });
  const epochs = epochsFor(s, regime, labels);
  const seconds = secondsFor(s, regime);
  const unlabelled = trainPhaseDef.data === 'alternating' ? ctx.unlabelledSet(seed, augment) : null;
  const stepsPerEpoch = unlabelled === null ? labelled.batchesPerEpoch : 2 * unlabelled.batchesPerEpoch;
  const trainer = await startTrainer(ctx, options, learningRate);
  try {
    const cpu = process.cpuUsage();
    const r = await trainPhase({
      label: name,
      trainer,
      epochBatches: (epoch) => (unlabelled === null ? labelled.batches(epoch) : alternatingBatches(labelled, unlabelled, epoch)),
      stepsPerEpoch,
      epochs,
      seconds,
      validations: s.validations,
      patience: s.patience,
      validate: () => validationScore(trainer, ctx.valSet, ctx.data.question),
      onValidation: (p) => ctx.run.log(`${name}: step ${p.step} epoch ${p.epoch.toFixed(2)} train loss ${p.trainLoss.toFixed(3)} val sum-abs ${p.validation?.toFixed(4)}`),
    });
    const cpuSeconds = cpuSecondsSince(cpu);
    await trainer.setWeights(r.best);
    const test = await scoreSet(trainer, ctx.testSet, { question: ctx.data.question, rotations: s.rotations, seed });
    const external = ctx.externalSet === null ? null : await scoreSet(trainer, ctx.externalSet, { question: ctx.data.question, rotations: 0, seed });
    if (trainPhaseDef.model === 'et-vae' && trainPhaseDef.objective !== 'supervised') await writeEtVaeGrid(ctx, trainer, name);
    const modelDir = ctx.run.path('cells', name, 'model');
    await saveModel(ctx, modelDir, options, trainer, r.best, { regime, labels, seed, bestValidation: r.bestValidation, history: r.history });
    const limit = { epochs, epochUnit: unlabelled === null ? 'labelled images' as const : 'unlabelled images' as const, seconds, patience: s.patience };
    const budget = [budgetOf('train', r, learningRate, ctx, limit, cpuSeconds)];
    if (pretrained !== null && phases.length > 1) budget.unshift(pretrained.budget);
    return {
      regime, labels, seed, test, predictTheMean: meanBaseline(rows, ctx.testSet.rows, ctx.data.question), external, bestValidation: r.bestValidation, budget, history: r.history,
      wallSeconds: (performance.now() - started) / 1000, model: modelDir,
    };
  } finally {
    await trainer.dispose();
  }
}

