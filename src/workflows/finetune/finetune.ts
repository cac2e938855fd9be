/**
 * `galmorph finetune`: a new task from few labels on a pretrained encoder (Walmsley et al. 2022; ALGORITHMS.md §5).
 * The classes come from a catalog column; the new model keeps the pretrained model's convolution blocks and dense
 * layer and gets a new head (dense ReLU layers with MC dropout, softmax over the classes: bayesianCnnTransfer.ts).
 * Stage 1 trains the head on the frozen encoder; stage 2 unfreezes the upper encoder groups at a lower learning
 * rate; both stop early on a validation split (finetuneRun.ts). `--from-scratch` trains the same network from random
 * weights with the same budget instead.
 *
 * Without `--labels`: one model on every labelled galaxy outside the test set, saved to OUT/model (class names in
 * its schema) for `galmorph predict --model OUT/model`, scored on the test set. With `--labels 25,50,…`: for each
 * label count and each of `--seeds` seeds, a fine-tuned run and (unless `--no-baseline`) a from-scratch run on the
 * same galaxies — the curve of accuracy, balanced accuracy and log loss against labels, per seed and as mean ± sd
 * (runs.csv, curve.csv, results.json, accuracy_vs_labels.png, log_loss_vs_labels.png, summary.md, run.log).
 */
import { z } from 'zod';
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { ALLOW_ABSOLUTE_PATHS_FIELD, COMPUTE_FIELDS, ON_BAD_FIELD, outFolder, PROGRESS_FIELD } from '../commonFields.js';
import { OptionError } from '../../util/errors.js';
import { RunFolder } from '../../util/runFolder.js';
import { ProgressBar } from '../../util/progress.js';
import { describeBackend } from '../../backend/initBackend.js';
import { ImageDataset } from '../../data/dataset.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { resolveModelFolder } from '../../models/pretrained.js';
import { classSchema, encoderGroups, fineTunedConfig } from '../../models/bayesianCnnTransfer.js';
import { loadFinetuneData, parseClassMapping, runSplit, type ClassMapping } from './finetuneData.js';
import type { CatalogRow } from '../../data/catalog.js';
import { FINETUNE_METHODS, runFinetune, type FinetuneMethod, type RunResult, type RunSettings } from './finetuneRun.js';
import { writeFinetuneReport } from './finetuneReport.js';

const CLASS_MAPPING = z.array(z.object({ name: z.string().min(1), sources: z.array(z.string().min(1)).min(1) })).min(2);
const LAYERS = z.array(z.number().int().min(1).max(8192));

/** `galmorph finetune`'s options, declared once: the API's type, defaults and validation, and the CLI's flags. */
export const FINETUNE_FIELDS = {
  data: field.string({ default: '', flag: '--data <dir>', help: 'catalog folder or table with a class column (and images)' }),
  labelColumn: field.string({ default: '', flag: '--label-column <col>', help: 'the catalog column holding each galaxy\'s class (names or integer codes)' }),
  classes: field.nullable(field.custom<ClassMapping[]>(CLASS_MAPPING, {
    default: [], flag: '--classes <spec>', parse: parseClassMapping,
    expected: 'two or more classes split by ",", each a name or name=class+class merging catalog classes, e.g. elliptical,spiral=spiral_cw+spiral_acw',
    help: 'the task\'s classes, in order: a catalog class, or name=a+b merging catalog classes; galaxies of other classes are left out (default: every class of the column)',
  })),
  model: field.string({ default: 'gz2', flag: '--model <dir>', help: 'pretrained model folder or shipped model name whose encoder is fine-tuned' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'run folder' }),
  test: field.nullable(field.string({ default: '', flag: '--test <dir>', help: 'separate labelled catalog to score (default: an id-hash --test-fraction of --data, held out from every run)' })),
  testFraction: field.number({ default: 0.3, min: 0.01, max: 0.9, flag: '--test-fraction <f>', help: 'share of --data held out as the test set when there is no --test' }),
  labels: field.nullable(field.list(field.integer({ default: 0, min: 3, flag: '', help: '' }), {
    default: [], flag: '--labels <list>', help: 'label counts of the curve, e.g. 25,50,100,200 (each: that many labelled galaxies, --val-fraction of them validating); default: one model on every labelled galaxy',
  })),
  seeds: field.integer({ default: 3, min: 1, max: 100, flag: '--seeds <n>', help: 'seeds per label count (--labels): seeds --seed … --seed+n−1' }),
  fromScratch: field.boolean({ default: false, flag: '--from-scratch', help: 'train the same network from random weights (the baseline) instead of fine-tuning' }),
  baseline: field.boolean({ default: true, flag: '--baseline', help: 'with --labels, also train from scratch on the same galaxies', negation: 'with --labels, fine-tuned runs only' }),
  valFraction: field.number({ default: 0.2, min: 0.05, max: 0.5, flag: '--val-fraction <f>', help: 'share of each run\'s labelled galaxies kept for validation (early stopping), stratified by class' }),
  headHidden: field.custom<number[]>(LAYERS, {
    default: [64], flag: '--head-units <list>', expected: 'comma-separated layer widths, e.g. 64 or 64,64 (empty: none)',
    help: 'dense ReLU layers of the new head after the encoder\'s dense layer, each followed by MC dropout',
    parse: (raw) => (raw.trim() === '' ? [] : raw.split(',').map((x) => Number(x.trim()))),
  }),
  unfreeze: field.integer({ default: 2, min: 0, max: 64, flag: '--unfreeze <n>', help: 'stage 2: encoder groups trained from the top (1: the dense layer; 2: and the last convolution block; …); 0 skips stage 2' }),
  epochs1: field.integer({ default: 60, min: 1, max: 10_000, flag: '--epochs1 <n>', help: 'stage 1 (frozen encoder) epoch limit' }),
  epochs2: field.integer({ default: 30, min: 0, max: 10_000, flag: '--epochs2 <n>', help: 'stage 2 (upper blocks unfrozen) epoch limit; from scratch trains epochs1 + epochs2' }),
  patience: field.integer({ default: 10, min: 1, max: 10_000, flag: '--patience <n>', help: 'early stopping: end a stage after n epochs without a better validation loss' }),
  lr1: field.number({ default: 1e-3, min: 1e-8, max: 1, flag: '--lr1 <x>', help: 'Adam learning rate of stage 1 (and of training from scratch)' }),
  lr2: field.number({ default: 1e-4, min: 1e-9, max: 1, flag: '--lr2 <x>', help: 'Adam learning rate of stage 2 (unfrozen blocks and head)' }),
  batchSize: field.integer({ default: 16, min: 1, max: 4096, flag: '--batch-size <n>', help: 'galaxies per batch' }),
  augment: field.boolean({ default: true, flag: '--augment', help: 'random flips and any-angle rotations of training images', negation: 'no augmentation' }),
  passes: field.integer({ default: 10, min: 1, max: 1000, flag: '--passes <n>', help: 'MC-dropout passes for the test predictions' }),
  onBad: ON_BAD_FIELD,
  allowAbsolutePaths: ALLOW_ABSOLUTE_PATHS_FIELD,
  backend: COMPUTE_FIELDS.backend,
  workers: field.with(COMPUTE_FIELDS.workers, { default: 1 }),
  seed: COMPUTE_FIELDS.seed,
  progress: PROGRESS_FIELD,
};

export type FinetuneOptions = FieldValues<typeof FINETUNE_FIELDS>;

export interface FinetuneResult {
  out: string;
  classNames: string[];
  runs: RunResult[];
  /** The saved model (single-run mode), or null for a curve. */
  model: string | null;
  seconds: number;
}

export async function finetune(given: Partial<FinetuneOptions> & Pick<FinetuneOptions, 'data' | 'labelColumn' | 'out'>): Promise<FinetuneResult> {
  const started = Date.now();
  const options = resolveFields(FINETUNE_FIELDS, given);
  const pretrainedDir = resolveModelFolder(options.model);
  const pretrained = loadBayesianCnn(pretrainedDir);
  const { config: pretrainedConfig, preprocessing } = { config: pretrained.model.config, preprocessing: pretrained.preprocessing };
  pretrained.model.dispose();
  if (options.unfreeze > encoderGroups(pretrainedConfig).length) {
    throw new OptionError('unfreeze', `at most ${encoderGroups(pretrainedConfig).length} (the dense layer and ${pretrainedConfig.blocks.length} convolution blocks of ${options.model})`, options.unfreeze);
  }
  const curve = options.labels !== null;
  const methods: FinetuneMethod[] = options.fromScratch ? ['scratch'] : curve && options.baseline ? [...FINETUNE_METHODS] : ['finetuned'];
  using run = new RunFolder(options.out, options.progress);
  const data = await loadFinetuneData({ data: options.data, test: options.test, labelColumn: options.labelColumn, classes: options.classes,
    testFraction: options.testFraction, onBad: options.onBad, allowAbsolutePaths: options.allowAbsolutePaths });
  const schema = classSchema(data.classNames, options.labelColumn);
  const config = fineTunedConfig(pretrainedConfig, schema, options.headHidden, options.seed);
  run.writeJson('config.json', { command: 'finetune', ...options, pretrained: pretrainedDir, preprocessing, model: config, methods });
  run.log(`${describeBackend()}; pretrained encoder: ${pretrainedDir} (${encoderGroups(pretrainedConfig).join(', ')})`);
  const perClass = data.classNames.map((c, k) => `${c} ${data.pool.filter((r) => r.label === k).length}/${data.test.filter((r) => r.label === k).length}`);
  run.log(`classes of ${options.labelColumn} (pool/test): ${perClass.join(', ')}; test: ${data.testNote}; ${data.leftOut.length} catalog rows left out`);
  const labelCounts = options.labels ?? [data.pool.length];
  for (const n of labelCounts) {
    if (n > data.pool.length) throw new OptionError('labels', `counts of at most ${data.pool.length} (the labelled galaxies outside the test set)`, n);
  }
  const seeds = curve ? Array.from({ length: options.seeds }, (_, k) => options.seed + k) : [options.seed];
  const test = new ImageDataset<CatalogRow>(data.test, { preprocess: preprocessing, labels: { counts: (r) => r.counts }, batchSize: 64, shuffle: false, augment: null, onBad: options.onBad, seed: options.seed });
  await test.prepare();
  const settings: RunSettings = {
    config, pretrained: pretrainedDir, preprocessing, unfreeze: options.unfreeze, epochs1: options.epochs1, epochs2: options.epochs2, patience: options.patience,
    lr1: options.lr1, lr2: options.lr2, batchSize: options.batchSize, augment: options.augment, passes: options.passes, workers: options.workers,
    backend: options.backend, onBad: options.onBad,
  };
  const maxEpochs = options.epochs1 + options.epochs2;
  const total = labelCounts.length * seeds.length * methods.length;
  const bar = options.progress ? new ProgressBar({ label: 'finetune', total: total * maxEpochs, unit: 'epochs (at most)' }) : null;
  const runs: RunResult[] = [];
  for (const n of labelCounts) {
    for (const seed of seeds) {
      const split = runSplit(data.pool, data.classNames.length, n, options.valFraction, seed);
      for (const method of methods) {
        const name = curve ? `${method}-n${n}-s${seed}` : method;
        let epochs = 0;
        const result = await runFinetune({
          method, labels: n, seed, split, test, catalog: data.catalog, settings, dir: curve ? run.path('runs', name) : run.dir,
          onEvent: (event) => {
            if (event.type === 'epoch-end') {
              epochs += 1;
              bar?.tick(1, `${name} epoch ${event.record.epoch} val ${event.record.valLoss.toFixed(3)}`);
            } else if (event.type === 'note') run.log(`${name}: ${event.message}`, { echo: false });
          },
        });
        bar?.tick(Math.max(0, maxEpochs - epochs));
        runs.push(result);
        // The report so far after every run, so a long curve cut short still leaves every measured run on disk.
        await writeFinetuneReport(run, { options, data, runs, curve, seconds: (Date.now() - started) / 1000, badTest: test.badImages.map((b) => ({ id: b.id, reason: b.reason })), complete: false });
        const t = result.test;
        run.log(`${name}: ${result.train} train + ${result.val} validation galaxies; ${result.stages.map((st) => `${st.stage} ${st.epochs} epochs (best ${st.bestEpoch})`).join(', ')}; ` +
          `test accuracy ${t.accuracy.toFixed(3)}, balanced ${t.balancedAccuracy.toFixed(3)}, log loss ${t.logLoss.toFixed(3)} (${result.seconds.toFixed(1)} s)`);
      }
    }
  }
  bar?.finish('done');
  const seconds = (Date.now() - started) / 1000;
  await writeFinetuneReport(run, { options, data, runs, curve, seconds, badTest: test.badImages.map((b) => ({ id: b.id, reason: b.reason })), complete: true });
  const model = curve ? null : run.path('model');
  run.log(`done in ${seconds.toFixed(0)} s; ${model === null ? `curve in ${options.out}/curve.csv` : `model in ${model}`}, report in ${options.out}/summary.md`);
  return { out: options.out, classNames: data.classNames, runs, model, seconds };
}
