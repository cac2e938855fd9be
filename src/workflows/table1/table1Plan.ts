/**
 * The plan of a Table 1 run, worked out from the resolved options before anything trains: the grid of cells
 * (seed × labels × regime, in the order they run: every cell of the first seed before the second seed, so that a
 * run stopped early still has whole tables of its first seeds), each training phase's budget in steps and images,
 * which cells a resumed run folder already holds, and what the plan costs at given training rates.
 *
 * The budget of a phase is stated over its own data (trainPhase.ts): up to `epochs` passes over the cell's labelled
 * images, or for alternating over the unlabelled images with a labelled batch before each unlabelled one; the VAE
 * pre-training of two-step and M1 is one phase per seed, shared by every label count.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REGIME_PHASES, needsPretraining, type Regime } from '../../train/regimes/regimePhases.js';
import { cellName, epochsFor, secondsFor, type EpochUnit } from './table1Cell.js';
import type { Table1Options } from './table1.js';

/** The options a plan depends on. */
export type Table1PlanOptions = Pick<Table1Options,
  'labels' | 'seeds' | 'seed' | 'regimes' | 'batchSize' | 'epochs' | 'epochsByLabels' | 'regimeEpochs' | 'cellSeconds' | 'regimeSeconds' |
  'pretrainEpochs' | 'pretrainSeconds' | 'patience' | 'validations' | 'valSize' | 'rotations'>;

/** A training phase's budget: its epoch limit and what that is in optimiser steps and images. */
export interface PhasePlan {
  epochs: number;
  epochUnit: EpochUnit;
  stepsPerEpoch: number;
  /** Steps and training images if no earlier stop (patience, time) ends the phase. */
  maxSteps: number;
  maxImages: number;
  /** Training-time budget (0: none). */
  seconds: number;
}

export interface PlannedCell {
  regime: Regime;
  labels: number;
  seed: number;
  /** `cells/<name>/` in the run folder. */
  name: string;
  train: PhasePlan;
}

export interface Table1Plan {
  cells: PlannedCell[];
  /** The VAE pre-training of each seed that has a two-step or M1 cell (null when none has). */
  pretrain: { seeds: number[]; phase: PhasePlan } | null;
}

/** Batches in a pass over n images (the last one may be short, as ImageDataset makes them). */
const batchesOf = (n: number, batchSize: number) => Math.ceil(n / batchSize);

/**
 * Steps and images of one epoch of a phase: a pass over the `labels` labelled images, or (alternating) a pass over
 * the `unlabelled` images with a batch of the cycled labelled loader before each unlabelled batch.
 */
export function epochWork(regime: Regime, labels: number, unlabelled: number, batchSize: number): { steps: number; images: number; unit: EpochUnit } {
  const phase = REGIME_PHASES[regime][REGIME_PHASES[regime].length - 1];
  const labelledBatches = batchesOf(labels, batchSize);
  if (phase.data !== 'alternating') return { steps: labelledBatches, images: labels, unit: 'labelled images' };
  const pairs = batchesOf(unlabelled, batchSize);
  // The labelled loader restarts after each full pass: whole passes, then the first (full) batches of the next.
  const labelledImages = Math.floor(pairs / labelledBatches) * labels + (pairs % labelledBatches) * batchSize;
  return { steps: 2 * pairs, images: unlabelled + labelledImages, unit: 'unlabelled images' };
}

export function planTable1(o: Table1PlanOptions, sizes: { unlabelled: number }): Table1Plan {
  const seeds = Array.from({ length: o.seeds }, (_, k) => o.seed + k);
  const cells = seeds.flatMap((seed) => o.labels.flatMap((labels) => o.regimes.map((regime): PlannedCell => {
    const epochs = epochsFor(o, regime, labels);
    const work = epochWork(regime, labels, sizes.unlabelled, o.batchSize);
    return {
      regime, labels, seed, name: cellName(regime, labels, seed),
      train: { epochs, epochUnit: work.unit, stepsPerEpoch: work.steps, maxSteps: epochs * work.steps, maxImages: epochs * work.images, seconds: secondsFor(o, regime) },
    };
  })));
  const pretrainSeeds = seeds.filter((seed) => cells.some((c) => c.seed === seed && needsPretraining(c.regime)));
  const pretrainSteps = batchesOf(sizes.unlabelled, o.batchSize);
  return {
    cells,
    pretrain: pretrainSeeds.length === 0 ? null : {
      seeds: pretrainSeeds,
      phase: {
        epochs: o.pretrainEpochs, epochUnit: 'unlabelled images', stepsPerEpoch: pretrainSteps, maxSteps: o.pretrainEpochs * pretrainSteps,
        maxImages: o.pretrainEpochs * sizes.unlabelled, seconds: o.pretrainSeconds,
      },
    },
  };
}

/** The result file of a cell in a run folder (written whole when the cell is done). */
export function cellResultFile(name: string): string {
  return join('cells', name, 'result.json');
}

/** The planned cells a run folder already holds a result for (what --resume skips). */
export function finishedCells(plan: Table1Plan, runDir: string): Set<string> {
  return new Set(plan.cells.filter((c) => existsSync(join(runDir, cellResultFile(c.name)))).map((c) => c.name));
}

/**
 * Training images per second of each kind of phase, for the estimate of what a plan costs: labelled ET steps
 * (supervised, two-step, M1), alternating steps, VAE pre-training, the plain CNN; and inference (validation, test).
 */
export interface Table1Rates {
  labelled: number;
  alternating: number;
  pretrain: number;
  plainCnn: number;
  inference: number;
}

function rateOf(regime: Regime, rates: Table1Rates): number {
  if (regime === 'plain-cnn') return rates.plainCnn;
  return REGIME_PHASES[regime].at(-1)!.data === 'alternating' ? rates.alternating : rates.labelled;
}

/**
 * Upper bound of the seconds a plan's cells take at the given rates when no early stop ends a phase: training
 * (time budgets cap it where set), the pre-training of each seed, and scoring (each phase's validations on up to
 * `valSize` galaxies, the test split once plus once per rotation). Worker start-up and image decoding are not in it.
 */
export function estimatePlanSeconds(plan: Table1Plan, o: Table1PlanOptions, rates: Table1Rates, testGalaxies: number, only?: ReadonlySet<string>): number {
  const cap = (seconds: number, limit: number) => (limit > 0 ? Math.min(seconds, limit) : seconds);
  const scoring = (o.validations * o.valSize + testGalaxies * (1 + o.rotations)) / rates.inference;
  const cells = plan.cells.filter((c) => only === undefined || only.has(c.name));
  let total = cells.reduce((s, c) => s + cap(c.train.maxImages / rateOf(c.regime, rates), c.train.seconds) + scoring, 0);
  if (plan.pretrain !== null) {
    const seeds = plan.pretrain.seeds.filter((seed) => cells.some((c) => c.seed === seed && needsPretraining(c.regime)));
    total += seeds.length * cap(plan.pretrain.phase.maxImages / rates.pretrain, plan.pretrain.phase.seconds);
  }
  return total;
}
