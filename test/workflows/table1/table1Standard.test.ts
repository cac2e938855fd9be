import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTable1Options } from '../../../src/workflows/table1/table1.js';
import { STANDARD_PLAN } from '../../../src/workflows/table1/table1Presets.js';
import { cellResultFile, epochWork, estimatePlanSeconds, finishedCells, planTable1 } from '../../../src/workflows/table1/table1Plan.js';
import { writeTable1Report } from '../../../src/workflows/table1/table1Report.js';
import type { CellResult, PhaseBudget } from '../../../src/workflows/table1/table1Cell.js';
import { RunFolder } from '../../../src/util/runFolder.js';
import { meanInterval } from '../../../src/util/meanInterval.js';
import { studentTQuantile } from '../../../src/util/specialFunctions.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const STANDARD = { preset: 'standard' as const, data: 'catalog-folder', unlabelled: 'unlabelled-folder', out: 'run-folder' };

describe('table1 standard preset', () => {
  it('resolves to its stated budgets: epochs per label count and regime, early stopping, no time budgets', () => {
    const o = resolveTable1Options(STANDARD);
    expect(o).toMatchObject({
      labels: [100, 300, 1200], seeds: 3, regimes: ['supervised', 'two-step', 'alternating'], imageSize: 64, poseGridSize: 32, crop: 0.3,
      cellSeconds: 0, regimeSeconds: {}, pretrainSeconds: 0, patience: 6, validations: 20, valSize: 300, pretrainEpochs: 1, classifierWeight: null,
      augment: { supervised: 'none', 'two-step': 'none', alternating: 'none', pretrain: 'none' },
    });
    const plan = planTable1(o, { unlabelled: 6806 });
    expect(plan.cells).toHaveLength(27);
    // Every cell of seed 0 runs before seed 1's, so a stopped run has whole tables of its first seeds.
    expect(plan.cells.slice(0, 9).every((c) => c.seed === 0)).toBe(true);
    const cell = (regime: string, labels: number) => plan.cells.find((c) => c.seed === 0 && c.regime === regime && c.labels === labels)!.train;
    // Batches of 16: 100 labels → 7 steps an epoch (the last of 4 images), 300 → 19, 1200 → 75.
    expect(cell('supervised', 100)).toEqual({ epochs: 150, epochUnit: 'labelled images', stepsPerEpoch: 7, maxSteps: 1050, maxImages: 15_000, seconds: 0 });
    expect(cell('two-step', 300)).toEqual({ epochs: 50, epochUnit: 'labelled images', stepsPerEpoch: 19, maxSteps: 950, maxImages: 15_000, seconds: 0 });
    expect(cell('supervised', 1200)).toEqual({ epochs: 13, epochUnit: 'labelled images', stepsPerEpoch: 75, maxSteps: 975, maxImages: 15_600, seconds: 0 });
    // Alternating: one pass over 6,806 unlabelled images = 426 batches, each after a labelled batch. At 100 labels
    // the labelled loader (7 batches a pass) runs 60 whole passes (6,000 images) and 6 more full batches (96).
    expect(cell('alternating', 100)).toEqual({ epochs: 1, epochUnit: 'unlabelled images', stepsPerEpoch: 852, maxSteps: 852, maxImages: 6806 + 6096, seconds: 0 });
    // At 1200 labels (75 batches a pass): 5 passes (6,000) + 51 batches of 16 (816).
    expect(cell('alternating', 1200).maxImages).toBe(6806 + 6816);
    expect(plan.pretrain).toEqual({ seeds: [0, 1, 2], phase: { epochs: 1, epochUnit: 'unlabelled images', stepsPerEpoch: 426, maxSteps: 426, maxImages: 6806, seconds: 0 } });
    // A typed flag still wins over the preset.
    expect(resolveTable1Options({ ...STANDARD, seeds: 5, regimeEpochs: { alternating: 2 } })).toMatchObject({ seeds: 5, regimeEpochs: { alternating: 2 } });
  });

  it('fits its 150 idle minutes at the rates it was sized with, even with no early stop', () => {
    const o = resolveTable1Options(STANDARD);
    const plan = planTable1(o, { unlabelled: STANDARD_PLAN.unlabelled });
    expect(estimatePlanSeconds(plan, o, STANDARD_PLAN.rates, STANDARD_PLAN.test) / 60).toBeLessThanOrEqual(STANDARD_PLAN.idleMinutes);
  });

  it('refuses to run without --data, saying what to pass', () => {
    expect(() => resolveTable1Options({ preset: 'standard', out: 'x' }))
      .toThrow(/option "data": expected a labelled catalog folder with the standard preset \(it does not simulate\): .*--data .*gz2-kaggle-votes/);
  });
});

describe('table1 plan', () => {
  it('estimates a plan by hand: training images over the rate, scoring, shared pre-training once per seed, time caps', () => {
    const o = {
      labels: [10], seeds: 2, seed: 5, regimes: ['supervised' as const, 'two-step' as const], batchSize: 5, epochs: 2, epochsByLabels: {}, regimeEpochs: {},
      cellSeconds: 0, regimeSeconds: {}, pretrainEpochs: 3, pretrainSeconds: 0, patience: 0, validations: 1, valSize: 10, rotations: 0,
    };
    const rates = { labelled: 10, alternating: 1, pretrain: 40, plainCnn: 1, inference: 10 };
    const plan = planTable1(o, { unlabelled: 40 });
    expect(plan.cells.map((c) => c.name)).toEqual(['supervised-10-seed5', 'two-step-10-seed5', 'supervised-10-seed6', 'two-step-10-seed6']);
    // Per cell: 2 epochs × 10 images / 10 per s = 2 s, scoring (1 × 10 + 20 test) / 10 = 3 s; pre-training 3 × 40 / 40 = 3 s per seed.
    expect(estimatePlanSeconds(plan, o, rates, 20)).toBeCloseTo(4 * 5 + 2 * 3, 10);
    // Only seed 6's two-step cell left: its cell and its seed's pre-training.
    expect(estimatePlanSeconds(plan, o, rates, 20, new Set(['two-step-10-seed6']))).toBeCloseTo(5 + 3, 10);
    // A time budget caps a cell's training.
    const capped = { ...o, cellSeconds: 1 };
    expect(estimatePlanSeconds(planTable1(capped, { unlabelled: 40 }), capped, rates, 20, new Set(['supervised-10-seed5']))).toBeCloseTo(1 + 3, 10);
    expect(epochWork('plain-cnn', 10, 40, 5)).toEqual({ steps: 2, images: 10, unit: 'labelled images' });
  });

  it('a resumed grid skips exactly the cells whose result.json was written (an interrupted cell runs again)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'table1-plan-'));
    dirs.push(dir);
    const plan = planTable1(resolveTable1Options(STANDARD), { unlabelled: 6806 });
    for (const name of ['supervised-100-seed0', 'alternating-1200-seed1']) {
      mkdirSync(join(dir, 'cells', name), { recursive: true });
      writeFileSync(join(dir, cellResultFile(name)), '{}');
    }
    mkdirSync(join(dir, 'cells', 'two-step-100-seed0', 'model'), { recursive: true }); // started, killed before its result
    expect([...finishedCells(plan, dir)].sort()).toEqual(['alternating-1200-seed1', 'supervised-100-seed0']);
  });
});

describe('confidence intervals over seeds', () => {
  it("Student's t quantiles match the tables", () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047, 6);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.30265273, 7);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.22813885, 7);
    expect(studentTQuantile(0.95, 5)).toBeCloseTo(2.01504837, 7);
    expect(studentTQuantile(0.025, 2)).toBeCloseTo(-4.30265273, 7);
    expect(() => studentTQuantile(1, 3)).toThrow(/probability 1, expected a number in \(0, 1\)/);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/degrees of freedom must be finite and > 0, got 0/);
  });

  it('mean ± t·sd/√n, non-finite values left out, no interval for one value', () => {
    const i = meanInterval([1, 2, 3, Number.NaN]);
    expect(i).toMatchObject({ mean: 2, sd: 1, n: 3, level: 0.95 });
    expect(i.halfWidth).toBeCloseTo((4.30265273 * 1) / Math.sqrt(3), 6);
    expect(meanInterval([0.4])).toMatchObject({ mean: 0.4, sd: 0, n: 1 });
    expect(meanInterval([0.4]).halfWidth).toBeNaN();
    expect(() => meanInterval([1, 2], 95)).toThrow(/confidence level 95, expected a number in \(0, 1\)/);
  });
});

describe('table1 report of a run still going', () => {
  const budget = (stillImproving: boolean): PhaseBudget => ({
    phase: 'train', steps: 100, images: 1600, epochs: 16, trainSeconds: 10, imagesPerSecond: 160, stoppedBy: 'epochs', validations: 20,
    bestStep: stillImproving ? 95 : 40, stillImproving, limit: { epochs: 16, epochUnit: 'labelled images', seconds: 0, patience: 6 },
    learningRate: 1e-3, batchSize: 16, workers: 2, cpuSeconds: 19,
  });
  const errors = (sumAbs: number) => ({ question: 'q1', galaxies: 50, leftOut: 0, sumAbs, rmse: sumAbs / 2, mae: sumAbs / 3 });
  const cell = (seed: number, sumAbs: number): CellResult => ({
    regime: 'supervised', labels: 100, seed, test: { votes: errors(sumAbs), truth: null, rotationMeanAbsDelta: null, galaxies: 50 },
    predictTheMean: { votes: errors(0.5), truth: null }, external: null, bestValidation: sumAbs, budget: [budget(seed === 2)], history: [], wallSeconds: 12, model: 'm',
  });

  it('says how many cells are done, shows mean ± 95% CI over seeds and every cell beside predict-the-mean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'table1-report-'));
    dirs.push(dir);
    const settings = { ...resolveTable1Options(STANDARD), commandLine: null };
    const cells = [cell(0, 0.40), cell(1, 0.42), cell(2, 0.44)];
    {
      using run = new RunFolder(dir);
      await writeTable1Report({
        run, settings, dataNote: 'test', labelNote: 'test', backend: 'wasm', workers: 2, cells, totalSeconds: 60,
        splitSizes: { test: 50 }, skipped: [], lossBalance: null, plannedCells: 27,
      });
    }
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('**Partial: 3 of 27 cells are done**');
    // sd 0.02 over 3 seeds: half-width 4.3027 × 0.02 / √3 = 0.0497.
    expect(summary).toContain('0.420 ± 0.050');
    expect(summary).toContain('[0.370, 0.470]');
    const cellRow = (seed: number, score: string, below: string, improving: string) =>
      new RegExp(`\\| supervised +\\| +100 \\| +${seed} \\| +${score} \\| +0\\.500 \\| +${below} +\\|.*\\| ${improving} +\\|`);
    expect(summary).toMatch(cellRow(2, '0\\.440', '12%', 'yes ⚠'));
    expect(summary).toMatch(cellRow(0, '0\\.400', '20%', 'no'));
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ plannedCells: 27, complete: false });
    expect(results.aggregate[0].sumAbsInterval.halfWidth).toBeCloseTo((4.30265273 * 0.02) / Math.sqrt(3), 6);
    expect(readFileSync(join(dir, 'cells.csv'), 'utf8').split('\n')[0]).toContain('cpuSeconds');
  });
});
