import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';
import { runTable1, type Table1Options } from '../../../src/workflows/table1/table1.js';
import { loadMorphologyModel } from '../../../src/models/morphologyCheckpoint.js';
import { augmentationOf, labelledDataset, type LabelledRow } from '../../../src/workflows/table1/table1Data.js';
import { meanBaseline } from '../../../src/workflows/table1/table1Evaluate.js';
import { getSchema } from '../../../src/data/schemas/index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TINY: Partial<Table1Options> = {
  imageSize: 16, labels: [8], seeds: 1, batchSize: 8, epochs: 1, pretrainEpochs: 1, cellSeconds: 0, pretrainSeconds: 0,
  validations: 1, valSize: 8, simulate: 60, latentDim: 4, split: { train: 0.5, val: 0.2, test: 0.3 }, regimeEpochs: { 'plain-cnn': 2 },
  simulateUnlabelled: 20,
};

async function cli(args: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(['node', 'galmorph', ...args]);
}

describe('experiment table1 (smoke, tiny simulated set)', () => {
  it('simulates, trains every regime, writes tables, figures and summary, and skips done cells on resume', async () => {
    const out = mkdtempSync(join(tmpdir(), 'table1-'));
    dirs.push(out);
    const result = await runTable1({ out, preset: 'quick', ...TINY, workers: 1, backend: 'wasm' });
    expect(result.cells.map((c) => c.regime).sort()).toEqual(['alternating', 'm1', 'plain-cnn', 'supervised', 'two-step']);
    // Budgets per regime: plain CNN's own 2 epochs of its labelled images, alternating's 1 pass of the unlabelled ones.
    const limitOf = (regime: string) => result.cells.find((c) => c.regime === regime)!.budget.at(-1)!;
    expect(limitOf('plain-cnn')).toMatchObject({ limit: { epochs: 2, epochUnit: 'labelled images', seconds: 0, patience: 0 }, epochs: 2 });
    // The quick preset's per-regime time table gives alternating 60 s where the others have --cell-seconds (0 here).
    expect(limitOf('alternating')).toMatchObject({ limit: { epochs: 1, epochUnit: 'unlabelled images', seconds: 60 } });
    expect(typeof limitOf('supervised').stillImproving).toBe('boolean');
    for (const c of result.cells) {
      expect(c.test.votes.sumAbs).toBeGreaterThanOrEqual(0);
      expect(c.test.votes.sumAbs).toBeLessThanOrEqual(2);
      expect(c.test.truth).not.toBeNull();
      expect(c.test.rotationMeanAbsDelta).not.toBeNull();
      expect(c.budget[c.budget.length - 1].steps).toBeGreaterThan(0);
    }
    for (const f of ['config.json', 'results.json', 'results.csv', 'cells.csv', 'summary.md', 'run.log',
      'figures/error_vs_labels.png', 'figures/rotation_consistency.svg', 'figures/learning_curves_8.png',
      'grids/alternating-8-seed0.png', 'simulated/truth.csv', 'pretrain/seed0/model/model.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('sum-abs');
    expect(summary).toContain('0.56'); // the paper's supervised value at 100 labels is set beside ours
    expect(summary).toContain('≤ 2 epochs of its labelled images');
    expect(summary).toContain('predict-the-mean');
    expect(summary).toMatch(/8 labels: best [a-z-]+ \d\.\d{3} against predict-the-mean \d\.\d{3}/);
    expect(existsSync(join(out, 'simulated-unlabelled', 'labels.csv'))).toBe(true);
    // The default classifier weight: the gradient ratio measured at initialisation (geometric mean over 3 weight seeds, 2 digits).
    const balance = JSON.parse(readFileSync(join(out, 'gradient_balance.json'), 'utf8'));
    expect(balance).toMatchObject({ labels: 8, seeds: [0, 1, 2], source: 'balanced at initialisation (measured)' });
    const geometric = Math.exp(balance.measured.reduce((a: number, m: { sharedRatio: number }) => a + Math.log(m.sharedRatio), 0) / 3);
    expect(balance.classifierWeight).toBe(Number(geometric.toPrecision(2)));
    expect(summary).toContain('Loss balance of the alternating regime at initialisation');
    expect(summary).toContain('still improving when stopped');
    expect(readFileSync(join(out, 'cells.csv'), 'utf8').split('\n')[0]).toContain('stillImproving');
    const m1 = loadMorphologyModel(join(out, 'cells', 'm1-8-seed0', 'model'));
    expect(m1.model.kind).toBe('et-vae');
    expect(m1.info.question).toBe('q1');
    expect(m1.optimizer?.names.every((n) => n.startsWith('model/classifier/'))).toBe(true);
    m1.model.dispose();

    const started = performance.now();
    const again = await runTable1({ out, preset: 'quick', ...TINY, workers: 1, backend: 'wasm', resume: true });
    expect(again.cells.map((c) => c.test.votes.sumAbs)).toEqual(result.cells.map((c) => c.test.votes.sumAbs));
    expect(performance.now() - started).toBeLessThan(30_000);
    await expect(runTable1({ out, preset: 'quick', ...TINY, epochs: 2, workers: 1, backend: 'wasm', resume: true }))
      .rejects.toThrow(/option "resume": expected the same settings as .*config\.json.*, got "different epochs"/);
  });
});

describe('experiment table1 options', () => {
  it('bad options are clear errors naming the option, with the same range from the API and the CLI', async () => {
    const out = join(tmpdir(), 'table1-never-created');
    const api = (o: Partial<Table1Options>) => runTable1({ out, backend: 'wasm', ...o });
    const flags = (...args: string[]) => cli(['experiment', 'table1', '--out', out, ...args]);
    await expect(api({ cellSeconds: -1 })).rejects.toThrow(/option "cellSeconds": expected a number in \[0, 10000000\], got -1/);
    await expect(flags('--cell-seconds', '-1')).rejects.toThrow(/option "--cell-seconds": expected a number in \[0, 10000000\], got "-1"/);
    await expect(api({ imageSize: 24 })).rejects.toThrow(/option "imageSize": expected a multiple of 16 in \[16, 1024\], got 24/);
    await expect(flags('--image-size', '24')).rejects.toThrow(/option "--image-size": expected a multiple of 16 in \[16, 1024\], got "24"/);
    await expect(api({ labels: [100, 0] })).rejects.toThrow(/option "labels": expected a comma-separated list, each an integer in \[1, 10000000\], got an array of length 2/);
    await expect(flags('--labels', '100,x')).rejects.toThrow(/option "--labels": expected a comma-separated list, each an integer in \[1, 10000000\], got "100,x"/);
    const regimes = /expected a comma-separated list, each one of supervised \| two-step \| alternating \| m1 \| plain-cnn/;
    await expect(api({ regimes: ['supervised', 'semi' as 'm1'] })).rejects.toThrow(new RegExp(`option "regimes": ${regimes.source}`));
    await expect(flags('--regimes', 'supervised,semi')).rejects.toThrow(new RegExp(`option "--regimes": ${regimes.source}, got "supervised,semi"`));
    await expect(api({ regimeSeconds: { semi: 3 } as Partial<Record<'m1', number>> })).rejects.toThrow(/option "regimeSeconds": expected regime=value pairs split by ",", e.g. alternating=60/);
    await expect(flags('--regime-seconds', 'alternating=x')).rejects.toThrow(/option "--regime-seconds": expected regime=value pairs .*, got "alternating=x"/);
    await expect(flags('--regime-epochs', 'alternating')).rejects.toThrow(/option "--regime-epochs": expected regime=value pairs .*, got "alternating"/);
    await expect(api({ nominalN: 0 })).rejects.toThrow(/option "nominalN": expected an integer in \[1, 100000\], got 0/);
    await expect(flags('--nominal-n', '2.5')).rejects.toThrow(/option "--nominal-n": expected an integer in \[1, 100000\], got "2.5"/);
    await expect(api({ preset: 'fast' as 'quick' })).rejects.toThrow(/option "preset": expected one of quick \| paper \| standard, got "fast"/);
    await expect(flags('--preset', 'fast')).rejects.toThrow(/argument 'fast' is invalid. Allowed choices are quick, paper, standard/);
    await expect(api({ likelihood: 'poisson' as 'laplace' })).rejects.toThrow(/option "likelihood": expected one of bernoulli \| gaussian \| laplace, got "poisson"/);
    await expect(flags('--likelihood', 'poisson')).rejects.toThrow(/argument 'poisson' is invalid. Allowed choices are bernoulli, gaussian, laplace/);
    // The learning rate has train's flag name; the old --lr is gone.
    await expect(api({ lr: 0.1 } as Partial<Table1Options>)).rejects.toThrow(/option "lr": expected one of preset, out, .*learningRate.*, got "an unknown option"/);
    await expect(flags('--lr', '0.001')).rejects.toThrow(/unknown option '--lr'/);
    expect(existsSync(out)).toBe(false);
  });

  it('a preset fills what was not typed, a typed flag overrides the preset, and config.json records the resolved values', async () => {
    const out = mkdtempSync(join(tmpdir(), 'table1-cli-'));
    dirs.push(out);
    const log = console.log;
    console.log = () => undefined;
    try {
      await cli(['experiment', 'table1', '--preset', 'paper', '--simulate', '60', '--labels', '8', '--seeds', '1', '--regimes', 'plain-cnn',
        '--image-size', '16', '--epochs', '1', '--batch-size', '8', '--validations', '1', '--cell-seconds', '30', '--workers', '1', '--backend', 'wasm', '--out', out]);
    } finally {
      console.log = log;
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    // Typed: cellSeconds (paper: 0), epochs (and with it the paper's per-label epochs dropped), labels, regimes, image size.
    expect(config).toMatchObject({ command: 'experiment table1', preset: 'paper', cellSeconds: 30, epochs: 1, epochsByLabels: {}, labels: [8],
      regimes: ['plain-cnn'], imageSize: 16, simulate: 60, workers: 1, backend: 'wasm' });
    // Not typed: the paper preset's values, then the defaults.
    expect(config).toMatchObject({ learningRate: 1e-4, afterPretrainingLearningRate: 1e-3, pretrainSeconds: 0, latentDim: 100, valSize: 300, crop: 0.3,
      augment: { supervised: 'none', 'two-step': 'none', alternating: 'none', m1: 'none', pretrain: 'none' },
      schema: 'q1', nominalN: 40, likelihood: 'bernoulli' });
    expect(config.commandLine).toMatch(/^galmorph /);
    const cells = readFileSync(join(out, 'cells.csv'), 'utf8').trim().split('\n');
    expect(cells).toHaveLength(2);
    expect(cells[1]).toMatch(/^plain-cnn,8,0,/);
    // A run of regimes the paper did not have says so instead of an empty comparison table.
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain("None of the regimes run (plain-cnn) is in the paper's table.");
  });
});

describe('table1 data settings', () => {
  const row = (id: string, fractions: number[], truth: number[] | null): LabelledRow => ({
    id, image: `${id}.png`, questionCounts: Float32Array.from(fractions, (f) => 10 * f), questionFractions: Float32Array.from(fractions),
    truth: truth === null ? null : Float32Array.from(truth),
  });
  it('predict-the-mean gives every test galaxy the labelled galaxies\' mean fractions (sum-abs by hand)', () => {
    const question = getSchema('q1').questions[0];
    const labelled = [row('a', [1, 0, 0], null), row('b', [0.5, 0.5, 0], null)]; // mean (0.75, 0.25, 0)
    const test = [row('c', [0, 1, 0], [0.25, 0.75, 0]), row('d', [0.75, 0.25, 0], [0.75, 0.25, 0])];
    const m = meanBaseline(labelled, test, question);
    // c: |0.75| + |0.75| + 0 = 1.5; d: 0 → mean 0.75. Against truth: c 0.5 + 0.5 = 1, d 0 → 0.5.
    expect(m.votes.sumAbs).toBeCloseTo(0.75, 6);
    expect(m.truth?.sumAbs).toBeCloseTo(0.5, 6);
    expect(meanBaseline(labelled, [row('e', [0, 1, 0], null)], question).truth).toBeNull();
  });

  it('augmentation per phase: none, flips only, or flips and any rotation (the default); evaluation sets never augment', () => {
    const rows = [row('a', [1, 0, 0], null)];
    const choice = { preprocess: { size: 16 }, batchSize: 1, seed: 0, onBad: 'error' as const };
    expect(labelledDataset(rows, { ...choice, training: true, augment: 'none' }).augmentOptions).toBeNull();
    expect(labelledDataset(rows, { ...choice, training: true, augment: 'flip' }).augmentOptions).toMatchObject({ flip: true, rotate: 'none' });
    expect(labelledDataset(rows, { ...choice, training: true }).augmentOptions).toMatchObject({ flip: true, rotate: 'any' });
    expect(labelledDataset(rows, { ...choice, training: false, augment: 'rotate' }).augmentOptions).toBeNull();
    const settings = { augment: { alternating: 'none' as const, pretrain: 'flip' as const } };
    expect([augmentationOf(settings, 'alternating'), augmentationOf(settings, 'pretrain'), augmentationOf(settings, 'supervised')]).toEqual(['none', 'flip', 'rotate']);
  });
});
