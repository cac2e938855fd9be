/**
 * `galmorph experiment table1`: the ET-VAE paper's Table 1 (supervised, two-step, alternating, M1, plain CNN at
 * several numbers of labels) on a catalog or on simulated galaxies. Settings come from a preset (quick | paper),
 * individual flags override them; everything resolved is saved in the run folder.
 */
import type { Command } from 'commander';
import { PIXEL_LIKELIHOODS, type PixelLikelihood } from '../../losses/pixelLikelihood.js';
import { REGIMES, type Regime } from '../../train/regimes/regimePhases.js';
import { OptionError } from '../../util/errors.js';
import { runTable1 } from '../../workflows/table1/table1.js';
import { TABLE1_PRESETS, type Table1PresetName, type Table1Settings } from '../../workflows/table1/table1Presets.js';
import { addComputeOptions, parseInteger, parseIntegerList, parseNumber, type ComputeFlags } from '../commonOptions.js';

interface Table1Flags extends ComputeFlags {
  preset: string;
  out?: string;
  data?: string;
  unlabelled?: string;
  test?: string;
  schema: string;
  question?: string;
  labels?: number[];
  seeds?: number;
  regimes?: string;
  imageSize?: number;
  poseGrid?: number;
  crop?: number;
  epochs?: number;
  pretrainEpochs?: number;
  cellSeconds?: number;
  pretrainSeconds?: number;
  batchSize?: number;
  lr?: number;
  lrAfterPretraining?: number;
  likelihood?: string;
  classifierWeight?: number;
  validations?: number;
  simulate?: number;
  resume?: boolean;
}

function parseRegimes(value: string): Regime[] {
  const list = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const r of list) if (!REGIMES.includes(r as Regime)) throw new OptionError('--regimes', `a comma-separated list of ${REGIMES.join(', ')}`, r);
  return list as Regime[];
}

function parseLikelihood(value: string): PixelLikelihood {
  switch (value) {
    case 'bernoulli':
      return { kind: 'bernoulli' };
    case 'laplace':
      return { kind: 'laplace', scale: 0.5 };
    case 'gaussian':
      return { kind: 'gaussian', sigma: 0.1 };
    default:
      throw new OptionError('--likelihood', PIXEL_LIKELIHOODS.join(' | '), value);
  }
}

function overrides(f: Table1Flags): Partial<Table1Settings> {
  const o: Partial<Table1Settings> = {};
  if (f.labels !== undefined) o.labels = f.labels;
  if (f.seeds !== undefined) o.seeds = f.seeds;
  if (f.regimes !== undefined) o.regimes = parseRegimes(f.regimes);
  if (f.imageSize !== undefined) o.imageSize = f.imageSize;
  if (f.poseGrid !== undefined) o.poseGridSize = f.poseGrid;
  if (f.crop !== undefined) o.crop = f.crop;
  if (f.epochs !== undefined) {
    o.epochs = f.epochs;
    o.epochsByLabels = {};
  }
  if (f.pretrainEpochs !== undefined) o.pretrainEpochs = f.pretrainEpochs;
  if (f.cellSeconds !== undefined) o.cellSeconds = f.cellSeconds;
  if (f.pretrainSeconds !== undefined) o.pretrainSeconds = f.pretrainSeconds;
  if (f.batchSize !== undefined) o.batchSize = f.batchSize;
  if (f.lr !== undefined) o.learningRate = f.lr;
  if (f.lrAfterPretraining !== undefined) o.afterPretrainingLearningRate = f.lrAfterPretraining;
  if (f.likelihood !== undefined) o.likelihood = parseLikelihood(f.likelihood);
  if (f.classifierWeight !== undefined) o.classifierWeight = f.classifierWeight;
  if (f.validations !== undefined) o.validations = f.validations;
  if (f.simulate !== undefined) o.simulateN = f.simulate;
  return o;
}

export function registerExperimentCommand(program: Command): void {
  const experiment = program.command('experiment').description('reproduce the experiments of the papers galmorph implements');
  const table1 = experiment
    .command('table1')
    .description('ET-VAE Table 1: supervised vs two-step vs alternating (+ M1, plain CNN) at several label counts')
    .option('--preset <name>', `settings preset: ${TABLE1_PRESETS.join(' | ')}`, 'quick')
    .option('--out <dir>', 'run folder (default runs/table1-<preset>-<time>)')
    .option('--data <dir>', 'labelled catalog (folder with labels.csv + images/); default: simulate one into the run folder')
    .option('--unlabelled <dir>', 'extra unlabelled images (catalog folder) for the VAE')
    .option('--test <dir>', 'a further labelled catalog the same trained models are scored on')
    .option('--schema <name>', 'schema the catalogs are read with', 'q1')
    .option('--question <key>', "question predicted (default: the schema's first)")
    .option('--labels <list>', 'labelled galaxies per cell, e.g. 100,300,800,1200', (v) => parseIntegerList(v, '--labels'))
    .option('--seeds <n>', 'repeats per cell', (v) => parseInteger(v, '--seeds', 1))
    .option('--regimes <list>', `comma-separated: ${REGIMES.join(',')}`)
    .option('--image-size <px>', 'image side (multiple of 16)', (v) => parseInteger(v, '--image-size', 16))
    .option('--pose-grid <px>', 'side of the pose CNNs\' canonical grids (multiple of 4)', (v) => parseInteger(v, '--pose-grid', 8))
    .option('--crop <fraction>', 'central crop of real images before resizing', (v) => parseNumber(v, '--crop', 0.01, 4096))
    .option('--epochs <n>', 'epochs per training phase', (v) => parseInteger(v, '--epochs', 1))
    .option('--pretrain-epochs <n>', 'epochs of VAE pre-training', (v) => parseInteger(v, '--pretrain-epochs', 1))
    .option('--cell-seconds <s>', 'training-time budget per phase (0: none)', (v) => parseNumber(v, '--cell-seconds', 0))
    .option('--pretrain-seconds <s>', 'training-time budget of pre-training (0: none)', (v) => parseNumber(v, '--pretrain-seconds', 0))
    .option('--batch-size <n>', 'images per optimiser step', (v) => parseInteger(v, '--batch-size', 1))
    .option('--lr <rate>', 'Adam learning rate', (v) => parseNumber(v, '--lr', 0, 1))
    .option('--lr-after-pretraining <rate>', 'Adam learning rate after VAE pre-training', (v) => parseNumber(v, '--lr-after-pretraining', 0, 1))
    .option('--likelihood <kind>', `pixel likelihood: ${PIXEL_LIKELIHOODS.join(' | ')}`)
    .option('--classifier-weight <w>', 'weight of the vote NLL beside −ELBO in the alternating regime (paper: 1)', (v) => parseNumber(v, '--classifier-weight', 0))
    .option('--validations <n>', 'validations per training phase', (v) => parseInteger(v, '--validations', 1))
    .option('--simulate <n>', 'galaxies to simulate when --data is absent', (v) => parseInteger(v, '--simulate', 10))
    .option('--resume', 'reuse the run folder: skip completed cells and pre-training');
  addComputeOptions(table1).action(async (flags: Table1Flags) => {
    const preset = flags.preset as Table1PresetName;
    const out = flags.out ?? `runs/table1-${preset}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const result = await runTable1({
      out,
      preset,
      data: flags.data ?? null,
      unlabelled: flags.unlabelled ?? null,
      test: flags.test ?? null,
      schema: flags.schema,
      question: flags.question ?? null,
      overrides: overrides(flags),
      workers: flags.workers,
      backend: flags.backend ?? '',
      seed: flags.seed,
      resume: flags.resume === true,
      command: `galmorph ${process.argv.slice(2).join(' ')}`,
    });
    console.log(result.summary);
    console.log(`run folder: ${result.out}`);
  });
}
