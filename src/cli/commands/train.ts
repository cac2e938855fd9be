/** `galmorph train`: train and save a standalone Bayesian CNN on a labelled catalog; see workflows/trainBayesianCnn.ts. */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addComputeOptions, parseInteger, parseIntegerList, parseNumber, type ComputeFlags } from '../commonOptions.js';
import { TRAIN_BAYESIAN_CNN_DEFAULTS, trainBayesianCnn } from '../../workflows/trainBayesianCnn.js';
import type { HeadKind } from '../../models/bayesianCnnHead.js';
import type { BadImagePolicy } from '../../data/dataset.js';

interface Flags extends ComputeFlags {
  data: string;
  test?: string;
  out: string;
  schema: string;
  head: HeadKind;
  answer?: string;
  question?: string;
  epochs: number;
  batchSize: number;
  imageSize: number;
  crop: number;
  learningRate: number;
  nominalN: number;
  augment: boolean;
  labels?: number;
  blocks?: number[][];
  denseUnits: number;
  dropout: number;
  passes: number;
  onBad: BadImagePolicy;
  resume: boolean;
}

/** "32,32/64,64/64" → [[32, 32], [64, 64], [64]]. */
function parseBlocks(value: string): number[][] {
  return value.split('/').map((block) => parseIntegerList(block, '--blocks', 1));
}

export function registerTrainCommand(program: Command): void {
  const d = TRAIN_BAYESIAN_CNN_DEFAULTS;
  const cmd = program
    .command('train')
    .description('train a Bayesian CNN (MC dropout) on a labelled catalog; keeps the best-validation model in OUT/model for `galmorph predict`')
    .requiredOption('--data <dir>', 'labelled catalog folder or table (vote counts, or fractions × --nominal-n)')
    .option('--test <dir>', 'separate labelled test catalog (default: an id-hash 10% of --data)')
    .requiredOption('--out <dir>', 'run folder')
    .option('--schema <name>', 'gz2 | decals-dr5 | q1 | schema JSON', d.schema)
    .option('--head <kind>', 'dirichlet (every question) | multinomial (--question) | binomial (--answer)', d.head)
    .option('--answer <key>', 'binomial head: the answer predicted, e.g. q1_features_or_disk')
    .option('--question <key>', 'multinomial head: the question predicted, e.g. q1')
    .option('--epochs <n>', 'epochs in total (a resumed run continues up to this many)', (v) => parseInteger(v, '--epochs', 1), d.epochs)
    .option('--batch-size <n>', 'galaxies per batch', (v) => parseInteger(v, '--batch-size', 1), d.batchSize)
    .option('--image-size <n>', 'image side in pixels', (v) => parseInteger(v, '--image-size', 8), d.imageSize)
    .option('--crop <x>', 'central crop: fraction of the side (0.5 for GZ2 JPEGs) or whole pixels', (v) => parseNumber(v, '--crop', 1e-6), d.crop)
    .option('--learning-rate <x>', 'Adam learning rate', (v) => parseNumber(v, '--learning-rate', 1e-8, 1), d.learningRate)
    .option('--nominal-n <n>', 'volunteers per galaxy assumed for fraction labels', (v) => parseInteger(v, '--nominal-n', 1), d.nominalN)
    .option('--augment', 'random flips and any-angle rotations of training images', d.augment)
    .option('--labels <n>', 'train on only n labelled galaxies (seeded choice from the training split)', (v) => parseInteger(v, '--labels', 1))
    .option('--blocks <spec>', 'conv filters per block, blocks split by "/", e.g. 32,32/64,64/64', parseBlocks)
    .option('--dense-units <n>', 'units of the dense layer', (v) => parseInteger(v, '--dense-units', 1), d.denseUnits)
    .option('--dropout <p>', 'MC-dropout rate', (v) => parseNumber(v, '--dropout', 0, 0.95), d.dropout)
    .option('--passes <n>', 'MC-dropout passes for the test metrics', (v) => parseInteger(v, '--passes', 1), d.passes)
    .option('--on-bad <policy>', 'bad rows/images: error | skip (left out and listed in the report)', d.onBad)
    .option('--resume', 'continue the run in --out (weights, optimiser state, step, history)', false);
  addComputeOptions(cmd).action(async (flags: Flags) => {
    await initBackend({ backend: flags.backend ?? '', source: '--backend', threads: flags.workers });
    const result = await trainBayesianCnn({
      data: flags.data, test: flags.test ?? null, out: flags.out, schema: flags.schema, head: flags.head, answer: flags.answer ?? null,
      question: flags.question ?? null, epochs: flags.epochs, batchSize: flags.batchSize, imageSize: flags.imageSize, crop: flags.crop,
      learningRate: flags.learningRate, nominalN: flags.nominalN, augment: flags.augment, labels: flags.labels ?? null, blocks: flags.blocks,
      denseUnits: flags.denseUnits, dropout: flags.dropout, passes: flags.passes, onBad: flags.onBad, resume: flags.resume,
      workers: flags.workers, backend: flags.backend ?? 'wasm', seed: flags.seed,
    });
    console.log(`trained ${result.history.length} epochs (best ${result.bestEpoch}); test vote-fraction RMSE ${result.test.rmse.toFixed(4)}, MAE ${result.test.mae.toFixed(4)}`);
    console.log(`model: ${result.model} (galmorph predict --model ${result.model} --catalog DIR --out DIR); report: ${result.out}/summary.md`);
  });
}
