import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { readCsv } from '../../../src/data/csv.js';
import { buildProgram } from '../../../src/cli/main.js';
import { activeLearn, ACTIVE_LEARN_FIELDS, type ActiveLearnOptions } from '../../../src/workflows/activeLearning/activeLearn.js';
import { loadActiveLearnData } from '../../../src/workflows/activeLearning/activeLearnData.js';
import { labelSaving } from '../../../src/workflows/activeLearning/activeLearnMetrics.js';
import { Rng } from '../../../src/util/rng.js';

const schema = getSchema('gz2');

async function cli(args: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(['node', 'galmorph', ...args]);
}
const dir = mkdtempSync(join(tmpdir(), 'al-'));

/** A tiny catalog: bright blobs whose size sets the featured fraction; q1 counts drawn from it, truth.csv beside. */
async function tinyCatalog(folder: string, n: number, withLabels: boolean): Promise<void> {
  mkdirSync(join(folder, 'images'), { recursive: true });
  const rng = new Rng(1);
  const q1 = schema.question('q1');
  const header = ['id', 'image_file', ...(withLabels ? q1.answers.map((a) => a.key) : [])];
  const lines = [header.join(',')];
  const truth = ['id,p_q1_features_or_disk,snr'];
  for (let i = 0; i < n; i++) {
    const p = rng.uniform();
    const pixels = Buffer.alloc(16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
      pixels[y * 16 + x] = Math.round(255 * Math.exp(-((x - 7.5) ** 2 + (y - 7.5) ** 2) / (2 * (1 + 4 * p) ** 2)));
    }
    await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } }).png().toFile(join(folder, 'images', `g${i}.png`));
    let featured = 0;
    for (let v = 0; v < 20; v++) if (rng.uniform() < p) featured++;
    lines.push([`g${i}`, `images/g${i}.png`, ...(withLabels ? [20 - featured, featured, 0] : [])].join(','));
    truth.push(`g${i},${p},${10 + i}`);
  }
  writeFileSync(join(folder, 'labels.csv'), lines.join('\n') + '\n');
  writeFileSync(join(folder, 'truth.csv'), truth.join('\n') + '\n');
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await tinyCatalog(join(dir, 'labelled'), 40, true);
  await tinyCatalog(join(dir, 'unlabelled'), 12, false);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('active learning loop', () => {
  it('runs BALD and random rounds on a tiny catalog and writes curves, saving, calibration, grids', async () => {
    const out = join(dir, 'run');
    const result = await activeLearn({
      data: join(dir, 'labelled'), out, progress: false, seed: 1, workers: 1,
      initialLabels: 6, valSize: 6, perRound: 4, rounds: 2, poolSize: 16, testSize: 8, passes: 3, imageSize: 16,
      blocks: [[4], [4]], denseUnits: 8, epochs: 4, patience: 1, batchSize: 8,
    });
    // Each round trained to convergence on the validation split, with the same rule for BALD and random.
    for (const r of result.records) {
      expect(r.training.epochs).toBeLessThanOrEqual(4);
      expect(r.training.bestEpoch).toBeLessThanOrEqual(r.training.epochs);
      if (r.training.stoppedBy === 'converged') expect(r.training.epochs - r.training.bestEpoch).toBe(1);
      else expect(r.training.stoppedBy).toBe('epochs');
      expect(Number.isFinite(r.training.bestValidation)).toBe(true);
    }
    const bald = result.records.filter((r) => r.acquisition === 'bald');
    const random = result.records.filter((r) => r.acquisition === 'random');
    expect(bald.map((r) => r.labels)).toEqual([6, 10, 14]);
    expect(random.map((r) => r.labels)).toEqual([6, 10, 14]);
    const chosen = (rs: typeof bald) => rs.flatMap((r) => r.acquired.map((a) => a.galaxy.id));
    expect(new Set(chosen(bald)).size).toBe(8);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.curve).toHaveLength(6);
    expect(Number.isFinite(results.curve[0].errorTruth)).toBe(true);
    expect(results.labelSaving.votes.acquisitionLabels).toBeGreaterThanOrEqual(6);
    expect(results.labelSaving.votes.acquisitionLabels).toBeLessThanOrEqual(14);
    expect(Number.isFinite(results.labelSaving.votes.saving)).toBe(true);
    expect(results.calibration.bald.coverageError).toBeGreaterThanOrEqual(0);
    // Calibration of every round, and the paper's acquisition by default (binomial head, BALD of the scored answer).
    expect(results.curve.every((c: { coverageError: number }) => c.coverageError >= 0)).toBe(true);
    expect(results.settings).toMatchObject({ head: 'binomial', baldScope: 'scored', headBias: null, valSize: 6 });
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('acquisition by the binomial BALD of the scored answer');
    expect(summary).toContain('coverage error');
    expect(readFileSync(join(out, 'curve.csv'), 'utf8').split('\n')[0]).toContain('coverage_error');
    // Each round's over-dispersion scalar, fitted on the 6 validation galaxies (the default --calibrate validation),
    // and the test coverage error before and after it; the raw model's predictions (RMSE, BALD) are unchanged by it.
    expect(results.settings.calibrate).toBe('validation');
    for (const c of results.curve) {
      expect(c.calibration).toMatchObject({ parameter: 'concentration', galaxies: 6 });
      expect(c.calibration.value).toBeGreaterThan(0);
      expect(c.calibration.logLikelihood).toBeGreaterThan(c.calibration.uncalibratedLogLikelihood - 1e-2);
      expect(c.coverageErrorCalibrated).toBeGreaterThanOrEqual(0);
    }
    expect(results.calibration.bald.calibrated.coverageError).toBeGreaterThanOrEqual(0);
    expect(summary).toMatch(/bald, calibrated \(concentration [\d.e+]+.*coverage error [\d.]+%/);
    expect(readFileSync(join(out, 'curve.csv'), 'utf8').split('\n')[0]).toContain('coverage_error_calibrated');
    expect(results.acquiredVsPool.snr.acquired).toBeGreaterThan(0);
    // Every acquired galaxy with its round and BALD score (the explorer's Label next page shows them per round).
    const acquisitions = readCsv(join(out, 'acquisitions.csv'));
    expect(acquisitions.header).toEqual(['acquisition', 'round', 'labels', 'rank', 'id', 'bald']);
    expect(acquisitions.rows.filter((r) => r[0] === 'bald').map((r) => r[4])).toEqual(chosen(bald));
    expect(acquisitions.rows.filter((r) => r[0] === 'bald').map((r) => Number(r[5]))).toEqual(bald.flatMap((r) => r.acquired.map((a) => a.score)));
    for (const f of ['config.json', 'curve.csv', 'error_vs_labels_votes.png', 'error_vs_labels_truth.svg', 'calibration.png', 'summary.md', 'run.log', 'grids/bald_round00.png', 'models/bald/model.json', 'models/random/weights.bin']) {
      expect(() => readFileSync(join(out, f))).not.toThrow();
    }
  });

  it('leaves out a batch too small for the workers (9 labels, batch 8, 2 workers) and says so in run.log', async () => {
    const out = join(dir, 'small-batch');
    const result = await activeLearn({
      data: join(dir, 'labelled'), out, progress: false, seed: 1, workers: 2, backend: 'cpu',
      initialLabels: 9, valSize: 4, perRound: 4, rounds: 1, poolSize: 8, testSize: 8, passes: 2, imageSize: 16,
      blocks: [[4], [4]], denseUnits: 8, epochs: 1, batchSize: 8, head: 'binomial', calibrate: 'none',
    });
    expect(result.records.map((r) => r.labels)).toEqual([9, 13, 9, 13]);
    // --calibrate none: the raw coverage error only.
    expect(result.records.every((r) => r.calibration === null)).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.curve.every((c: { coverageErrorCalibrated: number | null }) => c.coverageErrorCalibrated === null)).toBe(true);
    expect(results.calibration.bald.calibrated).toBeNull();
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(/a batch of 1 galaxies cannot be split across 2 workers/);
  });

  it('refuses a catalog without labels, saying what the oracle needs', async () => {
    await expect(activeLearn({ data: join(dir, 'unlabelled'), out: join(dir, 'bad'), progress: false }))
      .rejects.toThrow(/needs vote counts or fractions as labels, but this catalog has no labels/);
  });

  it('refuses both --data and --simulate, and neither under the paper preset (quick simulates 900 by default)', async () => {
    await expect(activeLearn({ data: join(dir, 'labelled'), simulate: 50, out: join(dir, 'both'), progress: false })).rejects.toThrow(/option "simulate": expected 0 or absent when --data is given/);
    await expect(activeLearn({ preset: 'paper', out: join(dir, 'none'), progress: false })).rejects.toThrow(/no galaxies to learn from: neither --data nor --simulate/);
    expect(ACTIVE_LEARN_FIELDS.simulate.default).toBe(900);
    expect(ACTIVE_LEARN_FIELDS.data.default).toBeNull();
  });

  it('NaN-count rows stop the run naming row and column, or with onBad skip are left out and listed', async () => {
    const bad = join(dir, 'nan-rows');
    cpSync(join(dir, 'labelled'), bad, { recursive: true });
    const csv = readFileSync(join(bad, 'labels.csv'), 'utf8').trim().split('\n');
    for (const row of [3, 6, 9, 12, 15, 18]) csv[row] = csv[row].replace(/,(\d+),(\d+),0$/, ',NaN,$2,0');
    writeFileSync(join(bad, 'labels.csv'), csv.join('\n') + '\n');
    const options = {
      data: bad, test: null, schema: 'gz2', preprocess: { size: 16 }, initialLabels: 4, poolSize: 8, testSize: 4, nominalN: 40, seed: 1, progress: false,
      labelKind: 'auto' as const, allowAbsolutePaths: false,
    };
    await expect(loadActiveLearnData({ ...options, onBad: 'error' })).rejects.toThrow(/labels\.csv, row 3, column "q1_smooth": empty or NaN cell/);
    const data = await loadActiveLearnData({ ...options, onBad: 'skip' });
    expect(data.skipped.map((s) => [s.row, s.kind])).toEqual([3, 6, 9, 12, 15, 18].map((r) => [r, 'row']));
    expect(data.skipped[0].reason).toMatch(/labels\.csv, row 3, column "q1_smooth": empty or NaN cell/);
    expect(data.catalog.rows).toHaveLength(34);
  });

  it('bad options are clear errors naming the option, with the same range from the API and the CLI', async () => {
    const out = join(dir, 'never-created');
    const api = (o: Partial<ActiveLearnOptions>) => activeLearn({ data: join(dir, 'labelled'), out, progress: false, ...o });
    const flags = (...args: string[]) => cli(['active-learn', '--data', join(dir, 'labelled'), '--out', out, ...args]);
    await expect(api({ rounds: -1 })).rejects.toThrow(/option "rounds": expected an integer in \[0, 10000\], got -1/);
    await expect(flags('--rounds', '-1')).rejects.toThrow(/option "--rounds": expected an integer in \[0, 10000\], got "-1"/);
    await expect(api({ crop: 2 })).rejects.toThrow(/option "crop": expected a number in \[0.01, 1\], got 2/);
    await expect(flags('--crop', '2')).rejects.toThrow(/option "--crop": expected a number in \[0.01, 1\], got "2"/);
    await expect(api({ learningRate: 0 })).rejects.toThrow(/option "learningRate": expected a number in \[1e-8, 1\], got 0/);
    await expect(flags('--learning-rate', 'fast')).rejects.toThrow(/option "--learning-rate": expected a number in \[1e-8, 1\], got "fast"/);
    await expect(api({ nominalN: 2.5 })).rejects.toThrow(/option "nominalN": expected an integer in \[1, 100000\], got 2.5/);
    await expect(flags('--nominal-n', '2.5')).rejects.toThrow(/option "--nominal-n": expected an integer in \[1, 100000\], got "2.5"/);
    await expect(api({ acquisition: 'random' as 'bald' })).rejects.toThrow(/option "acquisition": expected one of bald \| entropy, got "random"/);
    await expect(flags('--acquisition', 'random')).rejects.toThrow(/argument 'random' is invalid. Allowed choices are bald, entropy/);
    await expect(api({ head: 'multinomial' as 'binomial' })).rejects.toThrow(/option "head": expected one of binomial \| dirichlet, got "multinomial"/);
    await expect(flags('--head', 'multinomial')).rejects.toThrow(/argument 'multinomial' is invalid. Allowed choices are binomial, dirichlet/);
    await expect(api({ retrain: 'sometimes' as 'warm-start' })).rejects.toThrow(/option "retrain": expected one of warm-start \| from-scratch, got "sometimes"/);
    await expect(flags('--retrain', 'sometimes')).rejects.toThrow(/argument 'sometimes' is invalid. Allowed choices are warm-start, from-scratch/);
    await expect(api({ preset: 'fast' as 'quick' })).rejects.toThrow(/option "preset": expected one of quick \| paper \| standard, got "fast"/);
    await expect(flags('--preset', 'fast')).rejects.toThrow(/argument 'fast' is invalid. Allowed choices are quick, paper/);
    await expect(api({ blocks: [[4], []] })).rejects.toThrow(/option "blocks": expected conv filters per block/);
    await expect(api({ baldScope: 'all' })).rejects.toThrow(/option "baldScope": expected "scored" with the binomial head .*use --head dirichlet for "all"/);
    await expect(flags('--bald-scope', 'some')).rejects.toThrow(/argument 'some' is invalid. Allowed choices are scored, all/);
    await expect(flags('--calibrate', 'test')).rejects.toThrow(/argument 'test' is invalid. Allowed choices are none, validation/);
    await expect(flags('--patience', '-1')).rejects.toThrow(/option "--patience": expected an integer in \[0, 100000\], got "-1"/);
    expect(existsSync(out)).toBe(false);
  });

  it('a preset fills what was not typed, a typed flag overrides the preset, and config.json records the resolved values', async () => {
    const out = join(dir, 'cli-preset');
    const log = console.log;
    console.log = () => undefined;
    try {
      await cli(['active-learn', '--preset', 'paper', '--data', join(dir, 'labelled'), '--initial', '6', '--per-round', '4', '--rounds', '1', '--pool', '16',
        '--test-size', '8', '--val-size', '4', '--passes', '2', '--image-size', '16', '--epochs', '1', '--batch-size', '8', '--learning-rate', '0.005',
        '--workers', '1', '--backend', 'cpu', '--seed', '1', '--out', out]);
    } finally {
      console.log = log;
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    // Typed: each of these replaces the paper preset's value (rounds 25, learning rate 0.001, 64 px, …).
    expect(config).toMatchObject({ command: 'active-learn', preset: 'paper', rounds: 1, learningRate: 0.005, imageSize: 16, initialLabels: 6, perRound: 4,
      poolSize: 16, testSize: 8, passes: 2, epochs: 1, batchSize: 8, workers: 1, backend: 'cpu', seed: 1 });
    // Not typed: the paper preset's values, then the defaults.
    expect(config).toMatchObject({ head: 'binomial', baldScope: 'scored', patience: 15, blocks: [[32, 32], [32, 32], [16]], denseUnits: 128, retrain: 'warm-start', votes: 40,
      acquisition: 'bald', schema: 'gz2', nominalN: 40, answer: 'q1_features_or_disk', simulate: 0 });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.curve.map((r: { labels: number }) => r.labels)).toEqual([6, 10, 6, 10]);
  });
});

describe('active learning over seeds', () => {
  it('runs each seed in its own folder, combines the savings with a CI, and --resume keeps the seeds done', async () => {
    const out = join(dir, 'seeds');
    const o: Partial<ActiveLearnOptions> & { out: string } = {
      data: join(dir, 'labelled'), out, progress: false, seed: 3, seeds: 2, workers: 1,
      initialLabels: 6, valSize: 6, perRound: 4, rounds: 1, poolSize: 16, testSize: 8, passes: 2, imageSize: 16,
      blocks: [[4]], denseUnits: 8, epochs: 2, patience: 1, batchSize: 8,
    };
    const result = await activeLearn(o);
    expect(result.seedRuns!.map((r) => r.seed)).toEqual([3, 4]);
    expect(result.records).toHaveLength(2 * 2 * 2); // 2 seeds × (bald, random) × rounds 0..1
    for (const seed of [3, 4]) expect(existsSync(join(out, `seed${seed}`, 'summary.md'))).toBe(true);
    const combined = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const perSeed = result.seedRuns!.map((r) => r.results.labelSaving.votes.saving);
    expect(combined.labelSaving[0].interval.mean).toBeCloseTo((perSeed[0] + perSeed[1]) / 2, 12);
    expect(combined.labelSaving[0].perSeed).toHaveLength(2);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/# Active learning over 2 seeds[\s\S]*seed 3: -?\d+%[\s\S]*seed 4: -?\d+%/);
    const again = await activeLearn({ ...o, resume: true });
    expect(again.records).toHaveLength(0);
    expect(again.seedRuns!.map((r) => r.results.labelSaving.votes.saving)).toEqual(perSeed);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toContain('seed 4: done earlier, kept (--resume)');
    await expect(activeLearn({ ...o, rounds: 2, resume: true })).rejects.toThrow(/option "resume": expected the same settings as .*config\.json.*, got "different rounds"/);
    await expect(activeLearn({ ...o, seeds: 1, resume: true })).rejects.toThrow(/option "resume": expected false with --seeds 1 \(only a run over several seeds resumes/);
  });
});

describe('active learning metrics', () => {
  it('label saving interpolates the labels each curve needs to reach the worse final error', () => {
    const bald = [{ labels: 100, error: 0.3 }, { labels: 200, error: 0.2 }];
    const random = [{ labels: 100, error: 0.3 }, { labels: 200, error: 0.25 }, { labels: 300, error: 0.15 }];
    // BALD's final 0.2 is the worse: BALD at 200, random halfway from 200 (0.25) to 300 (0.15) = 250 → 1 − 200/250.
    const s = labelSaving(bald, random);
    expect(s).toMatchObject({ targetError: 0.2, acquisitionLabels: 200 });
    expect(s.baselineLabels).toBeCloseTo(250, 9);
    expect(s.saving).toBeCloseTo(0.2, 9);
    // Rounds of the same sizes, BALD better: random's final 0.25 is the worse; BALD reaches it halfway from 100 to 200.
    const better = labelSaving(bald, random.slice(0, 2));
    expect(better).toMatchObject({ targetError: 0.25, baselineLabels: 200 });
    expect(better.acquisitionLabels).toBeCloseTo(150, 9);
    expect(better.saving).toBeCloseTo(0.25, 9);
    // BALD worse: it needs its last round for random's earlier error — a negative saving.
    const worse = labelSaving([{ labels: 100, error: 0.3 }, { labels: 200, error: 0.28 }], random.slice(0, 2));
    expect(worse.baselineLabels).toBeCloseTo(140, 9);
    expect(worse.saving).toBeCloseTo(1 - 200 / 140, 9);
  });
});
