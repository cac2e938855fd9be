/**
 * `galmorph active-learn`: the Bayesian-CNN active-learning experiment (Walmsley et al. 2019) on simulated or real
 * labelled galaxies. Runs the loop (activeLearnLoop.ts) for the chosen acquisition function and the random
 * baseline, then writes the run folder: config.json (preset + overrides), curve.csv/results.json (error against
 * noisy votes and, on simulated data, against the true probabilities, per round and labels), error_vs_labels plots,
 * the label saving at equal error, per-round image grids of acquired galaxies, properties of acquired vs pool
 * galaxies (simulated truth), the discrete-coverage calibration of each final model, summary.md and run.log; each
 * regime's final model is saved in models/<acquisition>/ (loadable by `galmorph predict --model`).
 */
import { NOMINAL_VOLUNTEERS } from '../../data/schema.js';
import { join } from 'node:path';
import { check, resolveOptions, type Spec } from '../../util/options.js';
import { OptionError } from '../../util/errors.js';
import { RunFolder } from '../../util/runFolder.js';
import { ProgressBar } from '../../util/progress.js';
import { describeBackend } from '../../backend/initBackend.js';
import { ACQUISITION_FUNCTIONS, type AcquisitionFunction } from '../../active/acquisition.js';
import { simulate } from '../simulate/simulate.js';
import { loadActiveLearnData } from './activeLearnData.js';
import { activeLearnLoop, type ActiveLearnEvent } from './activeLearnLoop.js';
import { ACTIVE_LEARN_PRESETS, PRESETS, RETRAIN_MODES, type ActiveLearnPreset, type ActiveLearnSettings } from './activeLearnPresets.js';
import { writeActiveLearnReport, type RoundRecord } from './activeLearnReport.js';
import { BayesianCnn } from '../../models/bayesianCnn.js';
import { saveBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { applyTrainerWeights } from '../../train/applyTrainerWeights.js';
import { resolvePreprocessOptions } from '../../data/preprocess.js';

export interface ActiveLearnOptions {
  /** Preset the settings start from. @default 'quick' */
  preset: ActiveLearnPreset;
  /** Overrides of the preset's settings. @default {} */
  overrides: Partial<ActiveLearnSettings>;
  /** Labelled catalog folder; null with `simulate`. @default null */
  data: string | null;
  /** Simulate this many galaxies first (into OUT/simulated); 0 to use `data`. @default 0 */
  simulate: number;
  /** Separate test catalog; null = an id-hash 20% of `data`. @default null */
  test: string | null;
  /** Schema name or JSON path. @default 'gz2' */
  schema: string;
  /** The answer whose vote fraction is scored and calibrated (and the binomial head's answer). @default 'q1_features_or_disk' */
  answer: string;
  /** Acquisition function compared against the random baseline. @default 'bald' */
  acquisition: AcquisitionFunction;
  /** Volunteers per galaxy assumed for a fractions catalog. @default 40 */
  nominalN: number;
  /** Run folder. */
  out: string;
  /** @default 1 */
  workers: number;
  /** Backend of the data-parallel workers. @default 'wasm' */
  backend: string;
  /** @default 0 */
  seed: number;
  /** @default true */
  progress: boolean;
}

const DEFAULTS: Omit<ActiveLearnOptions, 'out'> = {
  preset: 'quick', overrides: {}, data: null, simulate: 0, test: null, schema: 'gz2', answer: 'q1_features_or_disk',
  acquisition: 'bald', nominalN: NOMINAL_VOLUNTEERS, workers: 1, backend: 'wasm', seed: 0, progress: true,
};

const nullableString = (v: string | null, name: string) => {
  if (v !== null) check.string()(v, name);
};

const SPEC: Spec<ActiveLearnOptions> = {
  preset: check.oneOf(ACTIVE_LEARN_PRESETS),
  overrides: (v, name) => {
    if (typeof v !== 'object' || v === null) throw new OptionError(name, 'an object of preset settings', v);
    for (const k of Object.keys(v)) if (!(k in PRESETS.quick)) throw new OptionError(`${name}.${k}`, `one of ${Object.keys(PRESETS.quick).join(', ')}`, k);
    if (v.retrain !== undefined) check.oneOf(RETRAIN_MODES)(v.retrain, `${name}.retrain`);
    if (v.head !== undefined) check.oneOf(['binomial', 'dirichlet'] as const)(v.head, `${name}.head`);
  },
  data: nullableString,
  simulate: check.integer(0),
  test: nullableString,
  schema: check.string(),
  answer: check.string(),
  acquisition: (v, name) => {
    check.oneOf(ACQUISITION_FUNCTIONS)(v, name);
    if (v === 'random') throw new OptionError(name, 'bald or entropy (random is always run as the baseline)', v);
  },
  nominalN: check.integer(1),
  out: check.string(),
  workers: check.integer(1, 64),
  backend: check.string(),
  seed: check.integer(0),
  progress: check.boolean(),
};

export interface ActiveLearnResult {
  out: string;
  records: RoundRecord[];
  seconds: number;
}

export async function activeLearn(given: Partial<ActiveLearnOptions> & { out: string }): Promise<ActiveLearnResult> {
  const started = Date.now();
  const options = resolveOptions({ ...DEFAULTS, out: given.out }, SPEC, given);
  if ((options.data === null) === (options.simulate === 0)) {
    throw new OptionError('data', 'either a labelled catalog folder (--data) or a number of galaxies to simulate (--simulate), not both', options.data);
  }
  const settings: ActiveLearnSettings = { ...PRESETS[options.preset], ...options.overrides };
  const run = new RunFolder(options.out);
  run.log(`${describeBackend()}; data-parallel workers: ${options.workers}`);
  run.writeJson('config.json', { command: 'active-learn', ...options, settings });
  let dataDir = options.data;
  if (options.simulate > 0) {
    dataDir = join(options.out, 'simulated');
    run.log(`simulating ${options.simulate} galaxies (${settings.imageSize}×${settings.imageSize}) into ${dataDir}`);
    await simulate({ n: options.simulate, out: dataDir, size: settings.imageSize, seed: options.seed, progress: options.progress, gridTiles: 16 });
  }
  const data = await loadActiveLearnData({
    data: dataDir!, test: options.test, schema: options.schema, nominalN: options.nominalN, seed: options.seed, progress: options.progress,
    preprocess: { size: settings.imageSize, crop: settings.crop, colour: 'grey' }, initialLabels: settings.initialLabels, poolSize: settings.poolSize, testSize: settings.testSize,
  });
  data.schema.answerIndex(options.answer);
  run.log(`labels: ${data.labelNote}; ${data.initial.length} labelled to start, pool ${data.pool.length}, test ${data.test.length}` +
    (data.truthColumns.length > 0 ? ', true probabilities from truth.csv' : ', no truth.csv (scored against votes only)'));
  const acquisitions: AcquisitionFunction[] = [options.acquisition, 'random'];
  const records: RoundRecord[] = [];
  let bar: ProgressBar | null = null;
  const loop = activeLearnLoop(data, { settings, acquisitions, answer: options.answer, workers: options.workers, backend: options.backend, seed: options.seed });
  for await (const event of loop) {
    bar = onEvent(event, bar, run, records, settings, options.progress);
  }
  const seconds = (Date.now() - started) / 1000;
  await writeActiveLearnReport(run, { data, settings, records, answer: options.answer, acquisitions, seconds, preset: options.preset });
  run.log(`done in ${seconds.toFixed(0)} s; results in ${options.out}`);
  return { out: options.out, records, seconds };
}

function onEvent(
  event: ActiveLearnEvent, bar: ProgressBar | null, run: RunFolder, records: RoundRecord[], settings: ActiveLearnSettings, progress: boolean,
): ProgressBar | null {
  switch (event.type) {
    case 'regime-start':
      run.log(`acquisition ${event.acquisition}: ${event.rounds} rounds`);
      return progress ? new ProgressBar({ label: event.acquisition, total: (event.rounds + 1) * settings.epochs, unit: 'epochs' }) : null;
    case 'train':
      bar?.tick(1, `round ${event.round} loss ${event.loss.toFixed(2)}`);
      return bar;
    case 'note':
      run.log(event.message);
      return bar;
    case 'round':
      records.push({ acquisition: event.acquisition, round: event.round, labels: event.labels, errorVotes: event.scores.errorVotes,
        errorTruth: event.scores.errorTruth, seconds: event.seconds, acquired: event.acquired, testPasses: event.scores.passes });
      run.log(`${event.acquisition} round ${event.round}: ${event.labels} labels, RMSE vs votes ${event.scores.errorVotes.toFixed(4)}` +
        (Number.isNaN(event.scores.errorTruth) ? '' : `, vs truth ${event.scores.errorTruth.toFixed(4)}`) + ` (${event.seconds.toFixed(0)} s)`);
      return bar;
    case 'regime-end': {
      bar?.finish();
      const dir = run.path('models', event.acquisition);
      saveFinalModel(dir, event.final, settings);
      run.log(`${event.acquisition}: final model (${event.final.labels} labels) saved to ${dir}`);
      return null;
    }
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

/** Saves a regime's final model where `galmorph predict --model` can load it, with the run's preprocessing. */
function saveFinalModel(dir: string, final: Extract<ActiveLearnEvent, { type: 'regime-end' }>['final'], settings: ActiveLearnSettings): void {
  const model = new BayesianCnn(final.config);
  try {
    applyTrainerWeights(model, final.weights);
    saveBayesianCnn(dir, model, {
      preprocessing: resolvePreprocessOptions({ size: settings.imageSize, crop: settings.crop, colour: 'grey' }),
      step: final.optimizer.step, optimizer: final.optimizer, extra: { source: 'galmorph active-learn', labels: final.labels },
    });
  } finally {
    model.dispose();
  }
}
