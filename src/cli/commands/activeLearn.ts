/** `galmorph active-learn`: BALD (or entropy) vs random acquisition with a Bayesian CNN; see workflows/activeLearn.ts. */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addComputeOptions, parseInteger, parseNumber, type ComputeFlags } from '../commonOptions.js';
import { activeLearn } from '../../workflows/activeLearning/activeLearn.js';
import type { ActiveLearnSettings } from '../../workflows/activeLearning/activeLearnPresets.js';
import type { AcquisitionFunction } from '../../active/acquisition.js';
import type { ActiveLearnPreset, RetrainMode } from '../../workflows/activeLearning/activeLearnPresets.js';

interface Flags extends ComputeFlags {
  preset: ActiveLearnPreset;
  data?: string;
  simulate?: number;
  test?: string;
  out: string;
  schema: string;
  answer: string;
  acquisition: AcquisitionFunction;
  nominalN: number;
  head?: 'binomial' | 'dirichlet';
  initial?: number;
  perRound?: number;
  rounds?: number;
  pool?: number;
  testSize?: number;
  passes?: number;
  epochs?: number;
  imageSize?: number;
  crop?: number;
  retrain?: RetrainMode;
  learningRate?: number;
}

export function registerActiveLearnCommand(program: Command): void {
  const cmd = program
    .command('active-learn')
    .description('active learning with a Bayesian CNN: acquire galaxies by BALD vs at random, score error vs labels and calibration')
    .option('--preset <name>', 'quick (≤10 min on 2 cores) | paper (Walmsley et al. 2019 settings)', 'quick')
    .option('--data <dir>', 'labelled catalog folder (counts, or fractions × --nominal-n)')
    .option('--simulate <n>', 'simulate n galaxies with known truth and use them', (v) => parseInteger(v, '--simulate', 1))
    .option('--test <dir>', 'separate test catalog (default: an id-hash 20% of --data)')
    .requiredOption('--out <dir>', 'run folder')
    .option('--schema <name>', 'gz2 | decals-dr5 | q1 | schema JSON', 'gz2')
    .option('--answer <key>', 'answer scored and calibrated (binomial head: the answer predicted)', 'q1_features_or_disk')
    .option('--acquisition <name>', 'bald | entropy (random always runs as the baseline)', 'bald')
    .option('--nominal-n <n>', 'volunteers per galaxy assumed for fraction labels', (v) => parseInteger(v, '--nominal-n', 1), 40)
    .option('--head <kind>', 'override: binomial | dirichlet')
    .option('--initial <n>', 'override: labelled galaxies to start', (v) => parseInteger(v, '--initial', 1))
    .option('--per-round <n>', 'override: galaxies acquired per round', (v) => parseInteger(v, '--per-round', 1))
    .option('--rounds <n>', 'override: acquisition rounds', (v) => parseInteger(v, '--rounds', 0))
    .option('--pool <n>', 'override: pool size', (v) => parseInteger(v, '--pool', 1))
    .option('--test-size <n>', 'override: largest test split', (v) => parseInteger(v, '--test-size', 1))
    .option('--passes <n>', 'override: MC-dropout passes T', (v) => parseInteger(v, '--passes', 1))
    .option('--epochs <n>', 'override: epochs per round', (v) => parseInteger(v, '--epochs', 1))
    .option('--image-size <n>', 'override: image side in pixels', (v) => parseInteger(v, '--image-size', 8))
    .option('--crop <x>', 'override: central crop, fraction of the image side (0.5 for GZ2 JPEGs)', (v) => parseNumber(v, '--crop', 0.01, 1))
    .option('--retrain <mode>', 'override: warm-start | from-scratch')
    .option('--learning-rate <x>', 'override: Adam learning rate', (v) => parseNumber(v, '--learning-rate', 1e-6, 1));
  addComputeOptions(cmd).action(async (flags: Flags) => {
    const { backend } = await initBackend({ backend: flags.backend ?? '', source: '--backend', threads: flags.workers });
    const overrides: Partial<ActiveLearnSettings> = {};
    const set = <K extends keyof ActiveLearnSettings>(k: K, v: ActiveLearnSettings[K] | undefined) => {
      if (v !== undefined) overrides[k] = v;
    };
    set('head', flags.head);
    set('initialLabels', flags.initial);
    set('perRound', flags.perRound);
    set('rounds', flags.rounds);
    set('poolSize', flags.pool);
    set('testSize', flags.testSize);
    set('passes', flags.passes);
    set('epochs', flags.epochs);
    set('imageSize', flags.imageSize);
    set('crop', flags.crop);
    set('retrain', flags.retrain);
    set('learningRate', flags.learningRate);
    const result = await activeLearn({
      preset: flags.preset, overrides, data: flags.data ?? null, simulate: flags.simulate ?? 0, test: flags.test ?? null,
      schema: flags.schema, answer: flags.answer, acquisition: flags.acquisition, nominalN: flags.nominalN, out: flags.out,
      workers: flags.workers, backend, seed: flags.seed,
    });
    console.log(`active learning done in ${result.seconds.toFixed(0)} s: ${result.out}/summary.md`);
  });
}
