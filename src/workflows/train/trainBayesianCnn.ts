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
import { z } from 'zod';
import { field, fieldDefaults, resolveFields, type FieldValues } from '../../util/fields.js';
import { CATALOG_FIELDS, COMPUTE_FIELDS, NOMINAL_N_FIELD, outFolder, PROGRESS_FIELD, samePath, SCHEMA_FIELD, TTA_FIELD } from '../commonFields.js';
import { InputError, OptionError } from '../../util/errors.js';
import { RunFolder } from '../../util/runFolder.js';
import { committedFolder, mendFolder } from '../../util/atomicFolder.js';
import { resumeCommandLine } from '../../util/commandLine.js';
import { InterruptedError, interruptRequested, stoppableWhile, type EpochProgress } from '../../util/interrupt.js';
import { ProgressBar } from '../../util/progress.js';
import { describeBackend, type BackendDescription } from '../../backend/initBackend.js';
import { getSchema } from '../../data/schemas/index.js';
import { COLOUR_MODES, resolvePreprocessOptions } from '../../data/preprocess.js';
import { createTrainer } from '../../train/dataParallel.js';
import { readVariables } from '../../train/localTrainer.js';
import { DIHEDRAL_VIEWS } from '../../nn/dihedralView.js';
import { BAYESIAN_CNN_DEFAULTS, BAYESIAN_CNN_KIND, BayesianCnn, MAX_LOSS_WEIGHT, POOLING_KINDS } from '../../models/bayesianCnn.js';
import { DIRICHLET_FLOOR_MIN } from '../../losses/dirichletMultinomial.js';
import { HEAD_KINDS, resolveHead } from '../../models/bayesianCnnHead.js';
import { bayesianCnnTaskSpec, type BayesianCnnTaskOptions } from '../../models/bayesianCnnTask.js';
import { loadBayesianCnn, saveBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { loadCheckpoint } from '../../models/checkpoint.js';
import { applyTrainerWeights } from '../../train/applyTrainerWeights.js';
import type { Trainer } from '../../train/localTrainer.js';
import { loadTrainData } from './trainBayesianCnnData.js';
import { trainLoop, type EpochRecord, type ResumeState, type TrainEvent } from './trainBayesianCnnLoop.js';
import { evaluateBayesianCnn, testMetrics, type TestMetrics, type WorstGalaxy } from './trainBayesianCnnEvaluate.js';
import { ImageDataset } from '../../data/dataset.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import type { CatalogRow } from '../../data/catalog.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { TrainData } from './trainBayesianCnnData.js';
import { TRAIN_PRESETS, TRAIN_PRESET_NAMES } from './trainBayesianCnnPresets.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { writeHistory, writeLearningCurves, writeTrainReport } from './trainBayesianCnnReport.js';

export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

const optionalPath = (flag: string, help: string) => field.nullable(field.string({ default: '', flag, help }));
const LOSS_WEIGHTS = z.record(z.string().min(1), z.number().finite().min(0).max(MAX_LOSS_WEIGHT));
const BLOCKS = z.array(z.array(z.number().int().min(1).max(4096)).min(1)).min(1);

/** `galmorph train`'s options, declared once: the API's type, defaults and validation, and the CLI's flags. */
export const TRAIN_FIELDS = {
  preset: field.choice(TRAIN_PRESET_NAMES, {
    default: 'none', flag: '--preset <name>',
    help: 'named settings, overridden by any flag given (gz2: the recipe for GZ2 cutouts; listed below)',
  }),
  data: field.string({ default: '', flag: '--data <dir>', help: 'labelled catalog folder or table (vote counts, or fractions × --nominal-n)' }),
  test: optionalPath('--test <dir>', 'separate labelled test catalog (default: an id-hash 10% of --data, then 80% train, 10% validation)'),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'run folder' }),
  schema: SCHEMA_FIELD,
  head: field.choice(HEAD_KINDS, { default: 'dirichlet', flag: '--head <kind>', help: 'dirichlet (every question) | multinomial (--question) | binomial (--answer)' }),
  answer: optionalPath('--answer <key>', 'binomial head: the answer predicted, e.g. q1_features_or_disk'),
  question: optionalPath('--question <key>', 'multinomial head: the question predicted, e.g. q1'),
  epochs: field.integer({ default: 10, min: 1, max: 100_000, flag: '--epochs <n>', help: 'epochs in total (a resumed run continues up to this many)' }),
  maxSeconds: field.nullable(field.number({
    default: 0, min: 1, max: 1e7, flag: '--max-seconds <s>',
    help: 'wall-time budget from the first step: stop at the first batch past it, validate that part-epoch, keep the best-validation model',
  })),
  batchSize: field.integer({ default: 32, min: 1, max: 4096, flag: '--batch-size <n>', help: 'galaxies per batch' }),
  imageSize: field.integer({ default: 64, min: 8, max: 1024, flag: '--image-size <n>', help: 'image side in pixels' }),
  crop: field.number({ default: 1, min: 1e-6, max: 1e5, flag: '--crop <x>', help: 'central crop: fraction of the side (0.5 for GZ2 JPEGs) or whole pixels' }),
  colour: field.choice(COLOUR_MODES, { default: 'grey', flag: '--colour <mode>', help: 'grey (one channel, the mean of the bands) | rgb (three channels)' }),
  learningRate: field.number({ default: 1e-3, min: 1e-8, max: 1, flag: '--learning-rate <x>', help: 'Adam learning rate' }),
  lrSchedule: field.choice(LR_SCHEDULES, { default: 'constant', flag: '--lr-schedule <kind>', help: 'constant | cosine (decays to 0 over the --epochs limit; use with a fixed epoch count)' }),
  weightAverage: field.nullable(field.number({
    default: 0, min: 0.5, max: 0.99999, flag: '--weight-average <decay>',
    help: 'validate and keep an exponential moving average of the weights (decay per step, e.g. 0.998) instead of the last step\'s weights',
  })),
  unlabelled: optionalPath('--unlabelled <dir>', 'catalog of unlabelled images for self-training: --teacher pseudo-labels them for the training split'),
  teacher: optionalPath('--teacher <model>', 'model folder or shipped name (e.g. gz2) that pseudo-labels --unlabelled; it must not have trained on this run\'s validation or test galaxies'),
  teacherVotes: field.number({ default: 20, min: 0.1, max: 1e4, flag: '--teacher-votes <n>', help: 'pseudo-volunteers per unlabelled galaxy: the N of the teacher\'s expected votes (the volunteers\' labels use --nominal-n)' }),
  teacherPasses: field.integer({ default: 8, min: 1, max: 1000, flag: '--teacher-passes <n>', help: 'teacher MC-dropout passes per unlabelled galaxy, cycling over the 8 rotations/mirrors' }),
  nominalN: NOMINAL_N_FIELD,
  augment: field.boolean({ default: false, flag: '--augment', help: 'random flips and any-angle rotations of training images', negation: 'no augmentation (overrides a preset)' }),
  labels: field.nullable(field.integer({ default: 0, min: 1, flag: '--labels <n>', help: 'train on only n labelled galaxies (seeded choice from the training split)' })),
  blocks: field.custom<number[][]>(BLOCKS, {
    default: BAYESIAN_CNN_DEFAULTS.blocks, expected: 'conv filters per block, blocks split by "/", e.g. 32,32/64,64/64', flag: '--blocks <spec>',
    help: 'conv filters per block, blocks split by "/", e.g. 32,32/64,64/64 (a 2×2 max-pool after each block)',
    parse: (raw) => raw.split('/').map((block) => block.split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x)))),
  }),
  batchNorm: field.boolean({ default: BAYESIAN_CNN_DEFAULTS.batchNorm, flag: '--batch-norm', help: 'BatchNorm after every convolution', negation: 'no BatchNorm (overrides a preset)' }),
  pooling: field.choice(POOLING_KINDS, { default: BAYESIAN_CNN_DEFAULTS.pooling, flag: '--pooling <kind>', help: 'last feature map → vector: mean (global average) | flatten' }),
  denseUnits: field.integer({ default: BAYESIAN_CNN_DEFAULTS.denseUnits, min: 1, max: 8192, flag: '--dense-units <n>', help: 'units of the dense layer' }),
  dropout: field.number({ default: BAYESIAN_CNN_DEFAULTS.dropout, min: 0, max: 0.95, flag: '--dropout <p>', help: 'MC-dropout rate (always on)' }),
  headBias: field.number({ default: BAYESIAN_CNN_DEFAULTS.headBias, min: -20, max: 20, flag: '--head-bias <b>', help: 'initial bias of the head logits (dirichlet: α starts at m + 100·sigmoid(b), m the floor below)' }),
  concentrationFloor: field.number({
    default: BAYESIAN_CNN_DEFAULTS.concentrationFloor, min: DIRICHLET_FLOOR_MIN, max: 1, flag: '--concentration-floor <m>',
    help: 'dirichlet head: the floor m of α = m + 100·sigmoid(z); zoobot\'s 1 keeps every predicted fraction above 1/Σα, a smaller floor lets rare answers be predicted near 0',
  }),
  lossWeights: field.custom<Record<string, number>>(LOSS_WEIGHTS, {
    default: {}, expected: `question=weight pairs split by ",", e.g. q1=3,q8=0.5 (weights in [0, ${MAX_LOSS_WEIGHT}])`, flag: '--loss-weights <spec>',
    help: 'weight of each question\'s NLL in the loss, e.g. q1=3 (questions not named weigh 1)',
    parse: parseLossWeights,
  }),
  passes: field.integer({ default: 10, min: 1, max: 1000, flag: '--passes <n>', help: 'MC-dropout passes for the test metrics' }),
  tta: field.with(TTA_FIELD, { help: 'test metrics with test-time augmentation: pass t sees the (t mod 8)-th of the 8 rotations/mirrors of each image (use ≥ 8 passes)' }),
  ...CATALOG_FIELDS,
  resume: field.boolean({ default: false, flag: '--resume', help: 'continue the run in --out (weights, optimiser state, step, history), after a finished run, a kill or Ctrl-C (from the step it stopped at); a torn checkpoint is refused' }),
  ...COMPUTE_FIELDS,
  progress: PROGRESS_FIELD,
};

export type TrainBayesianCnnOptions = FieldValues<typeof TRAIN_FIELDS>;

export const TRAIN_BAYESIAN_CNN_DEFAULTS: TrainBayesianCnnOptions = fieldDefaults(TRAIN_FIELDS);

/** Options a resumed run must share with the run it continues (the others — epochs, workers, … — may change). */
const RESUME_FIXED: (keyof TrainBayesianCnnOptions)[] = [
  'data', 'test', 'schema', 'head', 'answer', 'question', 'batchSize', 'imageSize', 'crop', 'colour', 'nominalN', 'augment', 'labels', 'unlabelled', 'teacher', 'teacherVotes', 'teacherPasses', 'lrSchedule', 'weightAverage', 'blocks', 'batchNorm', 'pooling', 'denseUnits', 'dropout', 'headBias', 'concentrationFloor', 'lossWeights', 'onBad', 'labelKind', 'allowAbsolutePaths', 'seed',
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
  const options = resolveFields(TRAIN_FIELDS, given, TRAIN_PRESETS[preset]);
  const target = headTarget(options);
  if ((options.unlabelled === null) !== (options.teacher === null)) {
    throw options.teacher === null
      ? new OptionError('teacher', 'a model folder or shipped name to pseudo-label --unlabelled (e.g. --teacher gz2)', null)
      : new OptionError('unlabelled', 'a catalog of unlabelled images for --teacher to pseudo-label', null);
  }
  const preprocessing = resolvePreprocessOptions({ size: options.imageSize, crop: options.crop, colour: options.colour });
  const taskOptions: BayesianCnnTaskOptions = {
    schema: getSchema(options.schema).def, head: options.head, target, imageSize: options.imageSize, channels: options.colour === 'rgb' ? 3 : 1,
    blocks: options.blocks, batchNorm: options.batchNorm, pooling: options.pooling, denseUnits: options.denseUnits, dropout: options.dropout,
    headBias: options.headBias, concentrationFloor: options.concentrationFloor, lossWeights: options.lossWeights, seed: options.seed,
  };
  const model = new BayesianCnn(taskOptions); // validates the architecture and the head's target before any work
  try {
    using run = new RunFolder(options.out, options.progress);
    const dirs = { model: run.path('model'), last: run.path('last') };
    const resume = options.resume ? readResumeState(run, options) : freshState(run);
    run.writeJson('config.json', { command: 'train', ...options, target, preprocessing, model: model.config });
    run.log(`${describeBackend()}; data-parallel workers: ${options.workers}`);
    const data = await loadTrainData({
      data: options.data, test: options.test, schema: options.schema, nominalN: options.nominalN, labels: options.labels, preprocess: preprocessing,
      augment: options.augment ? { flip: true, rotate: 'any' } : null, batchSize: options.batchSize, onBad: options.onBad, labelKind: options.labelKind, allowAbsolutePaths: options.allowAbsolutePaths, seed: options.seed,
      pseudo: options.unlabelled === null ? null
        : { unlabelled: options.unlabelled, teacher: options.teacher as string, votes: options.teacherVotes, passes: options.teacherPasses, progress: options.progress },
    });
    if (data.pseudo !== null) run.log(`self-training: ${data.pseudo.note}`);
    run.log(`labels: ${data.labelNote}; ${data.split.train.length} train` + (data.split.train.length < data.trainAvailable ? ` (of ${data.trainAvailable})` : '') +
      `, ${data.split.val.length} validation, ${data.split.test.length} test galaxies; ${data.leftOut.length} catalog rows left out`);
    const decodeStarted = Date.now();
    for (const name of ['train', 'val'] as const) await data.datasets[name].prepare();
    run.log(`images decoded in ${((Date.now() - decodeStarted) / 1000).toFixed(1)} s (before training; a --max-seconds budget counts training only)`);
    writeCsvTable(run.path('split.csv'), [...(['train', 'val', 'test'] as const).flatMap((name) => data.split[name].map((r) => ({ id: r.id, split: name }))),
      ...(data.pseudo?.rows ?? []).map((r) => ({ id: r.id, split: 'train-pseudo' }))]);
    const trainer = await createTrainer({ spec: bayesianCnnTaskSpec(taskOptions), workers: options.workers, backend: options.backend,
      optimizer: { kind: 'adam', learningRate: options.learningRate,
        decaySteps: options.lrSchedule === 'cosine' ? options.epochs * data.datasets.train.batchesPerEpoch : null,
        averageDecay: options.weightAverage } });
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
      // SIGINT/SIGTERM inside the loop stop it at the next step boundary (util/interrupt.ts): the position inside the
      // epoch is saved with last/, and --resume continues from it.
      await stoppableWhile(async () => {
        try {
          for await (const event of trainLoop({ trainer, model, data, preprocessing, epochs: options.epochs, maxSeconds: options.maxSeconds, resume: state, dirs, seed: options.seed })) {
            bar = onEvent(event, bar, run, options.progress);
            if (event.type === 'epoch-end') {
              state = { epoch: event.record.epoch, history: [...state.history, event.record],
                bestEpoch: event.record.best ? event.record.epoch : state.bestEpoch, bestValLoss: event.record.best ? event.record.valLoss : state.bestValLoss };
              writeHistory(run, state.history);
            }
          }
        } catch (e) {
          if (!(e instanceof InterruptedError)) throw e;
          bar?.finish('interrupted');
          throw await saveInterrupted(e, { run, trainer, model, preprocessing, state, last: dirs.last, batchesPerEpoch: data.datasets.train.batchesPerEpoch });
        }
        const signal = interruptRequested();
        if (signal !== null) {
          // The signal came after the last step (during the last validation or save): training is complete and saved.
          const message = `interrupted by ${signal} after training epoch ${state.epoch} (all epochs done; the test scoring did not run); ` +
            `resume with ${resumeHint()} to score the test split`;
          run.log(message, { echo: false });
          throw new InterruptedError(signal, null, 'train', 0, message);
        }
      });
    } finally {
      await trainer.dispose();
    }
    if (state.bestEpoch === 0) throw new InputError('no epoch gave a finite validation loss, so no model was saved', { file: options.out }, 'lower --learning-rate or check the labels');
    const best = loadBayesianCnn(dirs.model);
    let test: TrainBayesianCnnResult['test'];
    let testEval: Awaited<ReturnType<typeof evaluateBayesianCnn>>;
    try {
      testEval = await evaluateBayesianCnn(best.model, data.datasets.test, { passes: options.passes, seed: options.seed, views: options.tta ? DIHEDRAL_VIEWS : 1 });
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

/** "q1=3,q8=0.5" → {q1: 3, q8: 0.5}; anything malformed becomes a value the field's schema refuses. */
function parseLossWeights(raw: string): unknown {
  const entries = raw.split(',').map((pair) => pair.split('=').map((x) => x.trim()));
  if (entries.some((e) => e.length !== 2 || e[0] === '' || e[1] === '' || Number.isNaN(Number(e[1])))) return raw;
  return Object.fromEntries(entries.map(([k, w]) => [k, Number(w)]));
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

/** How to resume this run: the exact command when it came from the CLI. */
function resumeHint(): string {
  return resumeCommandLine() ?? 'the same options and resume: true';
}

/**
 * After an interruption inside the training loop: saves the trainer's weights, Adam state and the position inside
 * the cut epoch to last/ (so --resume continues the epoch exactly), logs where it stopped and how to resume, and
 * returns the error to throw (its message is that line).
 */
async function saveInterrupted(
  e: InterruptedError,
  c: { run: RunFolder; trainer: Trainer; model: BayesianCnn; preprocessing: PreprocessOptions; state: ResumeState; last: string; batchesPerEpoch: number },
): Promise<InterruptedError> {
  const within = e.progress;
  let where: string;
  let step: number;
  if (within !== null && within.batches > 0) {
    applyTrainerWeights(c.model, await c.trainer.getWeights());
    const optimizer = await c.trainer.getOptimizerState();
    step = optimizer.step;
    saveBayesianCnn(c.last, c.model, { preprocessing: c.preprocessing, step, optimizer, extra: { ...c.state, within } });
    where = `batch ${within.batches} of ${c.batchesPerEpoch} of the epoch; checkpoint with the position in the epoch saved to ${c.last}`;
  } else {
    step = c.state.history.at(-1)?.step ?? 0;
    where = c.state.epoch > 0 ? `at the start of the epoch; the checkpoint of epoch ${c.state.epoch} is in ${c.last}` : 'before the first step; nothing to save';
  }
  const epoch = within?.epoch ?? c.state.epoch + 1;
  const message = `interrupted at epoch ${epoch} step ${step} (by ${e.signal}; ${where}); resume with ${resumeHint()}`;
  c.run.log(message, { echo: false });
  return new InterruptedError(e.signal, within, e.label, e.loopSteps, message);
}

function freshState(run: RunFolder): { from: null; state: ResumeState } {
  if (committedFolder(run.path('model'), 'model.json') !== null || committedFolder(run.path('last'), 'model.json') !== null) {
    throw new InputError('this run folder already holds a trained model', { file: run.dir }, 'pass --resume to continue it, or choose another --out');
  }
  return { from: null, state: { epoch: 0, bestEpoch: 0, bestValLoss: Number.POSITIVE_INFINITY, history: [] } };
}

/** Where a resumed run continues from (`last/`, else `model/`), after checking its settings match this run's. */
function readResumeState(run: RunFolder, o: TrainBayesianCnnOptions): { from: string; state: ResumeState } {
  // A save cut by a kill: the previous checkpoint goes back in place, unfinished temporary folders are removed.
  for (const note of [...mendFolder(run.path('last')), ...mendFolder(run.path('model'))]) run.log(note);
  const from = run.exists('last', 'model.json') ? run.path('last') : run.exists('model', 'model.json') ? run.path('model') : null;
  if (from === null) throw new InputError('nothing to resume: no last/ or model/ checkpoint here', { file: run.dir }, 'drop --resume to start a new run');
  if (run.exists('config.json')) {
    const saved = JSON.parse(readFileSync(run.path('config.json'), 'utf8')) as Record<string, unknown>;
    // A catalog path given relatively in one run and absolutely in the other is the same catalog.
    const same = (k: keyof TrainBayesianCnnOptions, a: unknown, b: unknown) => (k === 'data' || k === 'test' ? samePath(a, b) : JSON.stringify(a) === JSON.stringify(b));
    const changed = RESUME_FIXED.filter((k) => !same(k, saved[k] ?? TRAIN_BAYESIAN_CNN_DEFAULTS[k], o[k]));
    if (changed.length > 0) {
      throw new InputError(`--resume with different settings: ${changed.map((k) => `${k} was ${JSON.stringify(saved[k])}, now ${JSON.stringify(o[k])}`).join('; ')}`,
        { file: run.path('config.json') }, 'resume with the original settings (only epochs, learning rate, passes, workers and backend may change), or start a new run');
    }
  }
  const meta = loadResumeMeta(run, from);
  const extra = (meta.extra ?? {}) as Partial<ResumeState> & { epoch?: number; valLoss?: number };
  const epoch = typeof extra.epoch === 'number' ? extra.epoch : 0;
  const history = Array.isArray(extra.history) ? extra.history : [];
  const bestValLoss = typeof extra.bestValLoss === 'number' ? extra.bestValLoss : typeof extra.valLoss === 'number' ? extra.valLoss : Number.POSITIVE_INFINITY;
  const bestEpoch = typeof extra.bestEpoch === 'number' ? extra.bestEpoch : epoch;
  const within = isEpochProgress(extra.within) && extra.within.epoch === epoch + 1 ? extra.within : undefined;
  if (within !== undefined) run.log(`the checkpoint was saved by an interrupted run inside epoch ${within.epoch}: continuing it after batch ${within.batches}`);
  return { from, state: { epoch, bestEpoch, bestValLoss, history, ...(within ? { within } : {}) } };
}

/**
 * The `extra` the checkpoint to resume from was saved with, after checking the whole checkpoint (model.json and the
 * SHA-256 of its binary files): a torn or damaged one is refused, naming the file and what to do.
 */
function loadResumeMeta(run: RunFolder, dir: string): { extra?: Record<string, unknown> } {
  try {
    return loadCheckpoint(dir, BAYESIAN_CNN_KIND).meta;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const alternative = dir === run.path('last') && run.exists('model', 'model.json')
      ? `delete ${dir} to resume from the best model in ${run.path('model')} instead (the history after its epoch is lost), or start a new run with another --out`
      : 'start a new run with another --out';
    throw new InputError(`--resume refused: the checkpoint to continue from is torn or damaged (${e.message})`, { file: dir }, alternative);
  }
}

function isEpochProgress(x: unknown): x is EpochProgress {
  const p = x as Partial<EpochProgress> | null;
  return typeof p === 'object' && p !== null && [p.epoch, p.batches, p.steps, p.galaxies, p.lossSum].every((v) => typeof v === 'number') &&
    typeof p.metricSums === 'object' && p.metricSums !== null;
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
