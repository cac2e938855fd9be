/**
 * `galmorph train`: train and save a standalone Bayesian CNN on a labelled catalog. An id-hash train/val/test split
 * (or train/val plus a separate test catalog), optionally only N labelled training galaxies (seeded), training
 * through the trainers (this thread, or data-parallel workers), the best-validation model kept in `RUN/model`
 * (loadable by `galmorph predict --model RUN/model`) and the latest state in `RUN/last` (for `--resume`), then the
 * best model scored on the test split. Writes config.json, split.csv (every galaxy's split, so others can score the
 * same held-out galaxies), history.csv/json, learning-curve plots, results.json, test_questions.csv,
 * test_metrics.csv, summary.md and run.log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, resolveOptions, type Spec } from '../../util/options.js';
import { InputError, OptionError } from '../../util/errors.js';
import { RunFolder } from '../../util/runFolder.js';
import { ProgressBar } from '../../util/progress.js';
import { describeBackend, type BackendDescription } from '../../backend/initBackend.js';
import { getSchema } from '../../data/schemas/index.js';
import { resolvePreprocessOptions } from '../../data/preprocess.js';
import { BAD_IMAGE_POLICIES, type BadImagePolicy } from '../../data/dataset.js';
import { createTrainer } from '../../train/dataParallel.js';
import { readVariables } from '../../train/localTrainer.js';
import { BAYESIAN_CNN_DEFAULTS, BayesianCnn, POOLING_KINDS, type PoolingKind } from '../../models/bayesianCnn.js';
import { HEAD_KINDS, resolveHead, type HeadKind } from '../../models/bayesianCnnHead.js';
import { bayesianCnnTaskSpec, type BayesianCnnTaskOptions } from '../../models/bayesianCnnTask.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { loadTrainData } from './trainBayesianCnnData.js';
import { trainLoop, type EpochRecord, type ResumeState, type TrainEvent } from './trainBayesianCnnLoop.js';
import { evaluateBayesianCnn, testMetrics, type TestMetrics, type WorstGalaxy } from './trainBayesianCnnEvaluate.js';
import { ImageDataset } from '../../data/dataset.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import type { CatalogRow } from '../../data/catalog.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { TrainData } from './trainBayesianCnnData.js';
import { TRAIN_PRESETS, TRAIN_PRESET_NAMES, type TrainPresetName } from './trainBayesianCnnPresets.js';
import { NOMINAL_VOLUNTEERS } from '../../data/schema.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { writeHistory, writeLearningCurves, writeTrainReport } from './trainBayesianCnnReport.js';

export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

export interface TrainBayesianCnnOptions {
  /** Named settings filled in before the given ones ('none' or a key of TRAIN_PRESETS, e.g. 'gz2'). @default 'none' */
  preset: TrainPresetName;
  /** Labelled catalog folder (labels.csv + images/) or table: vote counts, or fractions × `nominalN`. */
  data: string;
  /** Run folder. */
  out: string;
  /** Separate labelled test catalog; null = an id-hash 10% of `data` (then 80% train, 10% validation). @default null */
  test: string | null;
  /** Schema name or JSON path. @default 'gz2' */
  schema: string;
  /** Output head. @default 'dirichlet' */
  head: HeadKind;
  /** The answer the binomial head predicts (e.g. 'q1_features_or_disk'); only with head 'binomial'. @default null */
  answer: string | null;
  /** The question the multinomial head predicts (e.g. 'q1'); only with head 'multinomial'. @default null */
  question: string | null;
  /** Epochs in total (a resumed run continues up to this many). @default 10 */
  epochs: number;
  /**
   * Wall-time budget of the training in seconds (null = none), counted from the first step (image decoding before
   * it is not counted): training stops at the first batch boundary past it, that last part-epoch is validated like
   * any epoch, and the best-validation model is kept. @default null
   */
  maxSeconds: number | null;
  /** @default 32 */
  batchSize: number;
  /** Image side in pixels after preprocessing. @default 64 */
  imageSize: number;
  /** Central crop before resizing: a fraction ≤ 1 of the side (0.5 suits GZ2's 424 px JPEGs) or whole pixels. @default 1 */
  crop: number;
  /** Adam learning rate. @default 0.001 */
  learningRate: number;
  /** 'constant', or 'cosine': decays to 0 over the `epochs` limit's steps (a step-count schedule, reproducible). @default 'constant' */
  lrSchedule: LrSchedule;
  /** Volunteers per galaxy assumed for a fractions catalog (expected counts) and for expected votes. @default 40 */
  nominalN: number;
  /** Random flips and any-angle rotations of training images. @default false */
  augment: boolean;
  /** Train on only this many labelled galaxies of the training split (a seeded id rank); null = all. @default null */
  labels: number | null;
  /** Convolution filters per block (a 2×2 max-pool after each block). @default [[32, 32], [64, 64], [64]] */
  blocks: number[][];
  /** BatchNorm after every convolution. @default false */
  batchNorm: boolean;
  /** Last feature map → vector: 'mean' (global average) or 'flatten'. @default 'mean' */
  pooling: PoolingKind;
  /** @default 128 */
  denseUnits: number;
  /** MC-dropout rate (always on). @default 0.5 */
  dropout: number;
  /** Initial bias of the head's logits (dirichlet: α starts at 1 + 100·sigmoid(b)). @default 0 */
  headBias: number;
  /** MC-dropout passes T for the test metrics. @default 10 */
  passes: number;
  /** Bad catalog rows and unreadable images stop the run ('error') or are left out and listed in the report ('skip'). @default 'error' */
  onBad: BadImagePolicy;
  /** Continue from `out/last` (or `out/model`): weights, Adam state, step, epoch and history. @default false */
  resume: boolean;
  /** Worker threads (1 = this thread; ≥ 2 data-parallel). @default 1 */
  workers: number;
  /** Backend of the data-parallel workers. @default 'wasm' */
  backend: string;
  /** Seed of the weights, split choice of `labels`, shuffles, augmentation and dropout. @default 0 */
  seed: number;
  /** Progress bars on stderr. @default true */
  progress: boolean;
}

export const TRAIN_BAYESIAN_CNN_DEFAULTS: Omit<TrainBayesianCnnOptions, 'data' | 'out'> = {
  preset: 'none', test: null, schema: 'gz2', head: 'dirichlet', answer: null, question: null, epochs: 10, maxSeconds: null, batchSize: 32, imageSize: 64, crop: 1,
  learningRate: 1e-3, lrSchedule: 'constant', nominalN: NOMINAL_VOLUNTEERS, augment: false, labels: null, blocks: BAYESIAN_CNN_DEFAULTS.blocks, batchNorm: BAYESIAN_CNN_DEFAULTS.batchNorm,
  pooling: BAYESIAN_CNN_DEFAULTS.pooling, denseUnits: BAYESIAN_CNN_DEFAULTS.denseUnits, dropout: BAYESIAN_CNN_DEFAULTS.dropout, headBias: BAYESIAN_CNN_DEFAULTS.headBias,
  passes: 10, onBad: 'error', resume: false, workers: 1, backend: 'wasm', seed: 0, progress: true,
};

const nullableString = (v: string | null, name: string) => {
  if (v !== null) check.string()(v, name);
};

const SPEC: Spec<TrainBayesianCnnOptions> = {
  preset: check.oneOf(TRAIN_PRESET_NAMES),
  data: check.string(),
  out: check.string(),
  test: nullableString,
  schema: check.string(),
  head: check.oneOf(HEAD_KINDS),
  answer: nullableString,
  question: nullableString,
  epochs: check.integer(1, 100_000),
  maxSeconds: (v, name) => {
    if (v !== null) check.number(1, 1e7)(v, name);
  },
  batchSize: check.integer(1, 4096),
  imageSize: check.integer(8, 1024),
  crop: check.number(0, Infinity),
  learningRate: check.number(1e-8, 1),
  lrSchedule: check.oneOf(LR_SCHEDULES),
  nominalN: check.integer(1, 100_000),
  augment: check.boolean(),
  labels: (v, name) => {
    if (v !== null) check.integer(1)(v, name);
  },
  blocks: check.any(),
  batchNorm: check.boolean(),
  pooling: check.oneOf(POOLING_KINDS),
  denseUnits: check.integer(1, 8192),
  dropout: check.number(0, 0.95),
  headBias: check.number(-20, 20),
  passes: check.integer(1, 1000),
  onBad: check.oneOf(BAD_IMAGE_POLICIES),
  resume: check.boolean(),
  workers: check.integer(1, 64),
  backend: check.string(),
  seed: check.integer(0, 2 ** 32 - 1),
  progress: check.boolean(),
};

/** Options a resumed run must share with the run it continues (the others — epochs, workers, … — may change). */
const RESUME_FIXED: (keyof TrainBayesianCnnOptions)[] = [
  'data', 'test', 'schema', 'head', 'answer', 'question', 'batchSize', 'imageSize', 'crop', 'nominalN', 'augment', 'labels', 'lrSchedule', 'blocks', 'batchNorm', 'pooling', 'denseUnits', 'dropout', 'headBias', 'onBad', 'seed',
];

export interface TrainBayesianCnnResult {
  out: string;
  /** Folder of the best-validation model. */
  model: string;
  history: EpochRecord[];
  bestEpoch: number;
  step: number;
  test: TestMetrics & { loss: number; galaxies: number };
  seconds: number;
}

export async function trainBayesianCnn(given: Partial<TrainBayesianCnnOptions> & Pick<TrainBayesianCnnOptions, 'data' | 'out'>): Promise<TrainBayesianCnnResult> {
  const started = Date.now();
  const preset = given.preset ?? 'none';
  if (!(TRAIN_PRESET_NAMES as readonly string[]).includes(preset)) throw new OptionError('preset', `one of ${TRAIN_PRESET_NAMES.join(' | ')}`, preset);
  const options = resolveOptions({ ...TRAIN_BAYESIAN_CNN_DEFAULTS, ...TRAIN_PRESETS[preset], data: given.data, out: given.out }, SPEC, given);
  const target = headTarget(options);
  const preprocessing = resolvePreprocessOptions({ size: options.imageSize, crop: options.crop, colour: 'grey' });
  const taskOptions: BayesianCnnTaskOptions = {
    schema: getSchema(options.schema).def, head: options.head, target, imageSize: options.imageSize, channels: 1,
    blocks: options.blocks, batchNorm: options.batchNorm, pooling: options.pooling, denseUnits: options.denseUnits, dropout: options.dropout,
    headBias: options.headBias, seed: options.seed,
  };
  const model = new BayesianCnn(taskOptions); // validates the architecture and the head's target before any work
  try {
    const run = new RunFolder(options.out, options.progress);
    const dirs = { model: run.path('model'), last: run.path('last') };
    const resume = options.resume ? readResumeState(run, options) : freshState(run);
    run.writeJson('config.json', { command: 'train', ...options, target, preprocessing, model: model.config });
    run.log(`${describeBackend()}; data-parallel workers: ${options.workers}`);
    const data = await loadTrainData({
      data: options.data, test: options.test, schema: options.schema, nominalN: options.nominalN, labels: options.labels, preprocess: preprocessing,
      augment: options.augment ? { flip: true, rotate: 'any' } : null, batchSize: options.batchSize, onBad: options.onBad, seed: options.seed,
    });
    run.log(`labels: ${data.labelNote}; ${data.split.train.length} train` + (data.split.train.length < data.trainAvailable ? ` (of ${data.trainAvailable})` : '') +
      `, ${data.split.val.length} validation, ${data.split.test.length} test galaxies; ${data.leftOut.length} catalog rows left out`);
    const decodeStarted = Date.now();
    for (const name of ['train', 'val'] as const) await data.datasets[name].prepare();
    run.log(`images decoded in ${((Date.now() - decodeStarted) / 1000).toFixed(1)} s (before training; a --max-seconds budget counts training only)`);
    writeCsvTable(run.path('split.csv'), (['train', 'val', 'test'] as const).flatMap((name) => data.split[name].map((r) => ({ id: r.id, split: name }))));
    const trainer = await createTrainer({ spec: bayesianCnnTaskSpec(taskOptions), workers: options.workers, backend: options.backend,
      optimizer: { kind: 'adam', learningRate: options.learningRate,
        decaySteps: options.lrSchedule === 'cosine' ? options.epochs * data.datasets.train.batchesPerEpoch : null } });
    if ('backend' in trainer) run.log(`the ${options.workers} data-parallel workers run ${describeBackend(trainer.backend as BackendDescription)}`);
    let state: ResumeState = resume.state;
    try {
      if (resume.from !== null) {
        const loaded = loadBayesianCnn(resume.from);
        try {
          if (loaded.optimizer === null) throw new InputError('the checkpoint has no optimiser state to resume from', { file: resume.from }, 'start a new run (another --out)');
          await trainer.setWeights({ trainable: readVariables(loaded.model.params.trainable), state: readVariables(loaded.model.params.state) });
          await trainer.setOptimizerState(loaded.optimizer);
          run.log(`resuming from ${resume.from}: epoch ${state.epoch}, step ${loaded.optimizer.step}`);
        } finally {
          loaded.model.dispose();
        }
      }
      if (state.epoch >= options.epochs) run.log(`already trained ${state.epoch} epochs (--epochs ${options.epochs}); scoring the best model only`);
      let bar: ProgressBar | null = null;
      for await (const event of trainLoop({ trainer, model, data, preprocessing, epochs: options.epochs, maxSeconds: options.maxSeconds, resume: state, dirs, seed: options.seed })) {
        bar = onEvent(event, bar, run, options.progress);
        if (event.type === 'epoch-end') {
          state = { epoch: event.record.epoch, history: [...state.history, event.record],
            bestEpoch: event.record.best ? event.record.epoch : state.bestEpoch, bestValLoss: event.record.best ? event.record.valLoss : state.bestValLoss };
          writeHistory(run, state.history);
        }
      }
    } finally {
      await trainer.dispose();
    }
    if (state.bestEpoch === 0) throw new InputError('no epoch gave a finite validation loss, so no model was saved', { file: options.out }, 'lower --learning-rate or check the labels');
    const best = loadBayesianCnn(dirs.model);
    let test: TrainBayesianCnnResult['test'];
    let testEval: Awaited<ReturnType<typeof evaluateBayesianCnn>>;
    try {
      testEval = await evaluateBayesianCnn(best.model, data.datasets.test, { passes: options.passes, seed: options.seed });
      test = { ...testMetrics(best.model, testEval, options.nominalN, data.split.train.map((r) => r.counts ?? [])), loss: testEval.loss, galaxies: testEval.ids.length };
    } finally {
      best.model.dispose();
    }
    const figures = [...await writeLearningCurves(run, state.history), ...await writeWorstGrid(run, test.worst, data, preprocessing)];
    const badImages = [...data.datasets.train.badImages, ...data.datasets.val.badImages, ...data.datasets.test.badImages];
    const step = state.history.at(-1)?.step ?? 0;
    const seconds = (Date.now() - started) / 1000;
    writeTrainReport(run, {
      data, head: options.head, target, history: state.history, bestEpoch: state.bestEpoch, step,
      test: { galaxies: test.galaxies, loss: test.loss, questionLoss: testEval.questionLoss, metrics: test, passes: options.passes },
      badImages, figures, resumedFrom: resume.from === null ? null : resume.state.epoch, seconds,
    });
    const root = test.perQuestion[0];
    run.log(`test (best model, epoch ${state.bestEpoch}): ${root.question} sum-abs ${root.sumAbs.toFixed(4)}, RMSE ${root.rmse.toFixed(4)} ` +
      `(predict-the-mean ${test.baseline.perQuestion[0].sumAbs.toFixed(4)}, ${test.baseline.perQuestion[0].rmse.toFixed(4)}); ` +
      `all answers RMSE ${test.rmse.toFixed(4)}, MAE ${test.mae.toFixed(4)} over ${test.galaxies} galaxies` +
      (badImages.length > 0 ? `; ${badImages.length} unusable images left out` : ''));
    run.log(`done in ${seconds.toFixed(0)} s; model in ${dirs.model}, report in ${options.out}/summary.md`);
    return { out: options.out, model: dirs.model, history: state.history, bestEpoch: state.bestEpoch, step, test, seconds };
  } finally {
    model.dispose();
  }
}

/**
 * worst_test.png: the worst-predicted test galaxies on the head's first question, captioned "id v<volunteers'
 * percentages> p<predicted percentages>" in answer order.
 */
async function writeWorstGrid(run: RunFolder, worst: readonly WorstGalaxy[], data: TrainData, preprocessing: PreprocessOptions): Promise<string[]> {
  if (worst.length === 0) return [];
  const byId = new Map(data.split.test.map((r) => [r.id, r]));
  const rows = worst.map((w) => byId.get(w.id)).filter((r): r is CatalogRow => r !== undefined);
  const dataset = new ImageDataset(rows, { preprocess: preprocessing, labels: {}, batchSize: rows.length, shuffle: false, augment: null, onBad: 'skip', prefetch: 0 });
  const images: GridImage[] = [];
  const shown: WorstGalaxy[] = [];
  for await (const batch of dataset.batches(0)) {
    const [h, w, c] = batch.shapes.images;
    batch.ids.forEach((id, k) => {
      images.push({ data: batch.arrays.images.slice(k * h * w * c, (k + 1) * h * w * c), height: h, width: w, channels: c as 1 | 3 });
      shown.push(worst.find((g) => g.id === id) as WorstGalaxy);
    });
  }
  const fmt = (v: number[]) => v.map((x) => Math.round(100 * x)).join('/');
  await writeImageGrid(run.path('worst_test.png'), images, {
    cols: 8, scale: Math.max(1, Math.round(192 / preprocessing.size)),
    captions: shown.map((g) => `${g.id} v${fmt(g.observed)} p${fmt(g.predicted)}`),
  });
  return ['worst_test.png'];
}

/** The head's target from --answer/--question, refusing the one that does not belong to the head. */
function headTarget(o: TrainBayesianCnnOptions): string | null {
  switch (o.head) {
    case 'binomial':
      if (o.question !== null) throw new OptionError('question', 'no question for the binomial head (it predicts one answer: use answer)', o.question);
      if (o.answer === null) throw new OptionError('answer', 'an answer key for the binomial head (e.g. q1_features_or_disk)', null);
      resolveHead({ kind: 'binomial', target: o.answer }, getSchema(o.schema));
      return o.answer;
    case 'multinomial':
      if (o.answer !== null) throw new OptionError('answer', 'no answer for the multinomial head (it predicts one question: use question)', o.answer);
      if (o.question === null) throw new OptionError('question', 'a question key for the multinomial head (e.g. q1)', null);
      resolveHead({ kind: 'multinomial', target: o.question }, getSchema(o.schema));
      return o.question;
    case 'dirichlet':
      if (o.answer !== null || o.question !== null) {
        throw new OptionError(o.answer !== null ? 'answer' : 'question', 'nothing for the dirichlet head (it predicts every question)', o.answer ?? o.question);
      }
      return null;
    default: {
      const never: never = o.head;
      throw new OptionError('head', `one of ${HEAD_KINDS.join(' | ')}`, never);
    }
  }
}

function freshState(run: RunFolder): { from: null; state: ResumeState } {
  if (run.exists('model', 'model.json') || run.exists('last', 'model.json')) {
    throw new InputError('this run folder already holds a trained model', { file: run.dir }, 'pass --resume to continue it, or choose another --out');
  }
  return { from: null, state: { epoch: 0, bestEpoch: 0, bestValLoss: Number.POSITIVE_INFINITY, history: [] } };
}

/** Where a resumed run continues from (`last/`, else `model/`), after checking its settings match this run's. */
function readResumeState(run: RunFolder, o: TrainBayesianCnnOptions): { from: string; state: ResumeState } {
  const from = run.exists('last', 'model.json') ? run.path('last') : run.exists('model', 'model.json') ? run.path('model') : null;
  if (from === null) throw new InputError('nothing to resume: no last/ or model/ checkpoint here', { file: run.dir }, 'drop --resume to start a new run');
  if (run.exists('config.json')) {
    const saved = JSON.parse(readFileSync(run.path('config.json'), 'utf8')) as Record<string, unknown>;
    const changed = RESUME_FIXED.filter((k) => JSON.stringify(saved[k] ?? null) !== JSON.stringify(o[k]));
    if (changed.length > 0) {
      throw new InputError(`--resume with different settings: ${changed.map((k) => `${k} was ${JSON.stringify(saved[k])}, now ${JSON.stringify(o[k])}`).join('; ')}`,
        { file: run.path('config.json') }, 'resume with the original settings (only epochs, learning rate, passes, workers and backend may change), or start a new run');
    }
  }
  const meta = loadBayesianCnnMeta(from);
  const extra = (meta.extra ?? {}) as Partial<ResumeState> & { epoch?: number; valLoss?: number };
  const epoch = typeof extra.epoch === 'number' ? extra.epoch : 0;
  const history = Array.isArray(extra.history) ? extra.history : [];
  const bestValLoss = typeof extra.bestValLoss === 'number' ? extra.bestValLoss : typeof extra.valLoss === 'number' ? extra.valLoss : Number.POSITIVE_INFINITY;
  const bestEpoch = typeof extra.bestEpoch === 'number' ? extra.bestEpoch : epoch;
  return { from, state: { epoch, bestEpoch, bestValLoss, history } };
}

/** The `extra` a checkpoint was saved with (read without building the model). */
function loadBayesianCnnMeta(dir: string): { extra?: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { extra?: Record<string, unknown> };
}

function onEvent(event: TrainEvent, bar: ProgressBar | null, run: RunFolder, progress: boolean): ProgressBar | null {
  switch (event.type) {
    case 'epoch-start':
      return progress ? new ProgressBar({ label: `epoch ${event.epoch}/${event.epochs}`, total: event.batches, unit: 'batches' }) : null;
    case 'batch':
      bar?.tick(1, `loss ${event.loss.toFixed(3)}`);
      return bar;
    case 'note':
      run.log(event.message);
      return bar;
    case 'epoch-end': {
      const r = event.record;
      if (r.stoppedBy === 'time') run.log(`time budget reached after ${r.galaxies} galaxies of epoch ${r.epoch}; validating that part-epoch and stopping`);
      bar?.finish(`train ${r.trainLoss.toFixed(3)} val ${r.valLoss.toFixed(3)}`);
      run.log(`epoch ${r.epoch}: step ${r.step}, train loss ${r.trainLoss.toFixed(4)}, val loss ${r.valLoss.toFixed(4)}${r.best ? ' (best; saved model/)' : ''} (${r.seconds.toFixed(1)} s)`);
      return null;
    }
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}
