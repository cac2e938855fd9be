/** `galmorph train`: train and save a standalone Bayesian CNN on a labelled catalog; see workflows/trainBayesianCnn.ts. */
import { Option, type Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addComputeOptions, parseInteger, parseIntegerList, parseNumber, type ComputeFlags } from '../commonOptions.js';
import { LR_SCHEDULES, TRAIN_BAYESIAN_CNN_DEFAULTS, trainBayesianCnn, type TrainBayesianCnnOptions } from '../../workflows/train/trainBayesianCnn.js';
import { TRAIN_PRESETS, TRAIN_PRESET_NAMES } from '../../workflows/train/trainBayesianCnnPresets.js';
import { HEAD_KINDS } from '../../models/bayesianCnnHead.js';
import { POOLING_KINDS } from '../../models/bayesianCnn.js';
import { BAD_IMAGE_POLICIES } from '../../data/dataset.js';

/** "32,32/64,64/64" → [[32, 32], [64, 64], [64]]. */
function parseBlocks(value: string): number[][] {
  return value.split('/').map((block) => parseIntegerList(block, '--blocks', 1));
}

/** Flags mapped one to one onto workflow options (the rest are the compute flags and the nullable ones). */
const PLAIN = [
  'preset', 'data', 'out', 'schema', 'head', 'epochs', 'batchSize', 'imageSize', 'crop', 'learningRate', 'lrSchedule', 'nominalN', 'augment', 'blocks',
  'batchNorm', 'pooling', 'denseUnits', 'dropout', 'headBias', 'passes', 'onBad', 'resume', 'seed',
] as const satisfies readonly (keyof TrainBayesianCnnOptions)[];
const NULLABLE = ['test', 'answer', 'question', 'labels', 'maxSeconds'] as const satisfies readonly (keyof TrainBayesianCnnOptions)[];

export function registerTrainCommand(program: Command): void {
  const d = TRAIN_BAYESIAN_CNN_DEFAULTS;
  const presets = TRAIN_PRESET_NAMES.filter((p) => p !== 'none').map((p) => `${p}: ${Object.entries(TRAIN_PRESETS[p]).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`).join('; ');
  const cmd = program
    .command('train')
    .description('train a Bayesian CNN (MC dropout) on a labelled catalog; keeps the best-validation model in OUT/model for `galmorph predict`')
    .addOption(new Option('--preset <name>', `named settings, overridden by any flag given (${presets})`).choices(TRAIN_PRESET_NAMES).default(d.preset))
    .requiredOption('--data <dir>', 'labelled catalog folder or table (vote counts, or fractions × --nominal-n)')
    .option('--test <dir>', 'separate labelled test catalog (default: an id-hash 10% of --data)')
    .requiredOption('--out <dir>', 'run folder')
    .option('--schema <name>', 'gz2 | decals-dr5 | q1 | schema JSON', d.schema)
    .addOption(new Option('--head <kind>', 'dirichlet (every question) | multinomial (--question) | binomial (--answer)').choices(HEAD_KINDS).default(d.head))
    .option('--answer <key>', 'binomial head: the answer predicted, e.g. q1_features_or_disk')
    .option('--question <key>', 'multinomial head: the question predicted, e.g. q1')
    .option('--epochs <n>', 'epochs in total (a resumed run continues up to this many)', (v) => parseInteger(v, '--epochs', 1), d.epochs)
    .option('--max-seconds <s>', 'wall-time budget: stop at the first batch past it, validate that part-epoch, keep the best-validation model', (v) => parseNumber(v, '--max-seconds', 1))
    .option('--batch-size <n>', 'galaxies per batch', (v) => parseInteger(v, '--batch-size', 1), d.batchSize)
    .option('--image-size <n>', 'image side in pixels', (v) => parseInteger(v, '--image-size', 8), d.imageSize)
    .option('--crop <x>', 'central crop: fraction of the side (0.5 for GZ2 JPEGs) or whole pixels', (v) => parseNumber(v, '--crop', 1e-6), d.crop)
    .option('--learning-rate <x>', 'Adam learning rate', (v) => parseNumber(v, '--learning-rate', 1e-8, 1), d.learningRate)
    .addOption(new Option('--lr-schedule <kind>', 'constant | cosine (decays to 0 over the --epochs limit; use with a fixed epoch count)').choices(LR_SCHEDULES).default(d.lrSchedule))
    .option('--nominal-n <n>', 'volunteers per galaxy assumed for fraction labels', (v) => parseInteger(v, '--nominal-n', 1), d.nominalN)
    .option('--augment', 'random flips and any-angle rotations of training images', d.augment)
    .option('--no-augment', 'no augmentation (overrides a preset)')
    .option('--labels <n>', 'train on only n labelled galaxies (seeded choice from the training split)', (v) => parseInteger(v, '--labels', 1))
    .option('--blocks <spec>', 'conv filters per block, blocks split by "/", e.g. 32,32/64,64/64', parseBlocks, d.blocks)
    .option('--batch-norm', 'BatchNorm after every convolution', d.batchNorm)
    .option('--no-batch-norm', 'no BatchNorm (overrides a preset)')
    .addOption(new Option('--pooling <kind>', 'last feature map → vector: mean (global average) | flatten').choices(POOLING_KINDS).default(d.pooling))
    .option('--dense-units <n>', 'units of the dense layer', (v) => parseInteger(v, '--dense-units', 1), d.denseUnits)
    .option('--dropout <p>', 'MC-dropout rate', (v) => parseNumber(v, '--dropout', 0, 0.95), d.dropout)
    .option('--head-bias <b>', 'initial bias of the head logits (dirichlet: α starts at 1 + 100·sigmoid(b))', (v) => parseNumber(v, '--head-bias', -20, 20), d.headBias)
    .option('--passes <n>', 'MC-dropout passes for the test metrics', (v) => parseInteger(v, '--passes', 1), d.passes)
    .addOption(new Option('--on-bad <policy>', 'bad rows/images: error | skip (left out and listed in the report)').choices(BAD_IMAGE_POLICIES).default(d.onBad))
    .option('--resume', 'continue the run in --out (weights, optimiser state, step, history)', false);
  addComputeOptions(cmd).action(async (flags: ComputeFlags & Record<string, unknown>) => {
    const { backend } = await initBackend({ backend: flags.backend ?? '', source: '--backend', threads: flags.workers });
    // Only flags the user typed override the preset; the rest fall to the preset, then the defaults.
    const given: Record<string, unknown> = { backend, workers: flags.workers };
    for (const key of PLAIN) if (cmd.getOptionValueSource(key) !== 'default' && flags[key] !== undefined) given[key] = flags[key];
    for (const key of NULLABLE) if (flags[key] !== undefined) given[key] = flags[key];
    const result = await trainBayesianCnn(given as Partial<TrainBayesianCnnOptions> & Pick<TrainBayesianCnnOptions, 'data' | 'out'>);
    const root = result.test.perQuestion[0];
    console.log(`trained ${result.history.length} epochs (best ${result.bestEpoch}); test ${root.question} sum-abs ${root.sumAbs.toFixed(4)}, RMSE ${root.rmse.toFixed(4)}; ` +
      `all answers RMSE ${result.test.rmse.toFixed(4)}, MAE ${result.test.mae.toFixed(4)}`);
    console.log(`model: ${result.model} (galmorph predict --model ${result.model} --catalog DIR --out DIR); report: ${result.out}/summary.md`);
  });
}
