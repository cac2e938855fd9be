import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { buildProgram } from '../../../src/cli/main.js';
import { readCsv } from '../../../src/data/csv.js';
import { loadBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { readVariables } from '../../../src/train/localTrainer.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';
import { predict } from '../../../src/workflows/predict/predict.js';
import { trainBayesianCnn, type TrainBayesianCnnOptions } from '../../../src/workflows/train/trainBayesianCnn.js';

const dir = mkdtempSync(join(tmpdir(), 'train-bcnn-'));
const sim = join(dir, 'sim');
/** A CNN small enough for 16×16 images and a few dozen galaxies to train in a second or two. */
const tiny: Partial<TrainBayesianCnnOptions> = {
  data: sim, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, batchSize: 8, passes: 3, progress: false, seed: 2,
};

async function cli(args: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(['node', 'galmorph', ...args]);
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await simulate({ n: 48, out: sim, size: 16, seed: 3, progress: false, gridTiles: 0 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('galmorph train', () => {
  it('trains 2 epochs from the CLI, keeps the best model, and predict loads it', async () => {
    const out = join(dir, 'cli');
    const log = console.log;
    console.log = () => undefined;
    try {
      await cli(['train', '--data', sim, '--out', out, '--epochs', '2', '--image-size', '16', '--blocks', '4/4', '--dense-units', '8',
        '--batch-size', '8', '--passes', '3', '--augment', '--workers', '1', '--backend', 'cpu', '--seed', '2']);
    } finally {
      console.log = log;
    }
    for (const f of ['config.json', 'history.csv', 'history.json', 'learning_curve.png', 'learning_curve.svg', 'question_losses.png',
      'results.json', 'test_metrics.csv', 'summary.md', 'run.log', 'model/model.json', 'model/weights.bin', 'model/optimizer.bin', 'last/model.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const history = readCsv(join(out, 'history.csv'));
    expect(history.rows).toHaveLength(2);
    expect(history.header).toEqual(expect.arrayContaining(['epoch', 'step', 'train_loss', 'val_loss', 'train_loss/q1', 'val_loss/q1']));
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.test.galaxies).toBe(results.galaxies.test);
    expect(results.test.rmse).toBeGreaterThan(0);
    expect(results.test.rmse).toBeLessThan(1);
    expect(results.test.mae).toBeLessThanOrEqual(results.test.rmse + 1e-12);
    expect(results.test.perAnswer.map((a: { answer: string }) => a.answer)).toContain('q1_smooth');
    expect(results.galaxies.train + results.galaxies.val + results.galaxies.test).toBe(48);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.augment).toBe(true);
    expect(config.blocks).toEqual([[4], [4]]);

    const loaded = loadBayesianCnn(join(out, 'model'));
    expect(loaded.preprocessing.size).toBe(16);
    expect(loaded.meta.step).toBe(Number(history.rows[results.bestEpoch - 1][history.header.indexOf('step')]));
    loaded.model.dispose();

    const predicted = await predict({ models: [join(out, 'model')], catalog: sim, out: join(dir, 'predicted'), passes: 2, progress: false });
    expect(predicted.galaxies).toBe(48);
    const table = readCsv(predicted.files.friendlyCsv);
    expect(table.rows).toHaveLength(48);
    expect(table.header).toContain('q1_smooth');
  });

  it('resumes from the run folder: the step count continues and matches an uninterrupted run', async () => {
    const straight = await trainBayesianCnn({ ...tiny, out: join(dir, 'straight'), epochs: 2 } as TrainBayesianCnnOptions);
    const out = join(dir, 'resumed');
    const first = await trainBayesianCnn({ ...tiny, out, epochs: 1 } as TrainBayesianCnnOptions);
    const stepsPerEpoch = first.step;
    expect(stepsPerEpoch).toBeGreaterThan(0);
    await expect(trainBayesianCnn({ ...tiny, out, epochs: 2 } as TrainBayesianCnnOptions)).rejects.toThrow(/already holds a trained model.*--resume/);
    const resumed = await trainBayesianCnn({ ...tiny, out, epochs: 2, resume: true } as TrainBayesianCnnOptions);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(resumed.step).toBe(2 * stepsPerEpoch);
    expect(loadBayesianCnn(join(out, 'last')).meta.step).toBe(2 * stepsPerEpoch);
    expect(resumed.history[1].trainLoss).toBeCloseTo(straight.history[1].trainLoss, 5);
    expect(resumed.history[1].valLoss).toBeCloseTo(straight.history[1].valLoss, 5);
    expect(readCsv(join(out, 'history.csv')).rows).toHaveLength(2);
    await expect(trainBayesianCnn({ ...tiny, out, epochs: 3, imageSize: 32, resume: true } as TrainBayesianCnnOptions))
      .rejects.toThrow(/--resume with different settings: imageSize was 16, now 32/);
    await expect(trainBayesianCnn({ ...tiny, out: join(dir, 'nothing'), resume: true } as TrainBayesianCnnOptions)).rejects.toThrow(/nothing to resume/);
  });

  it('--weight-average validates and keeps the moving average of the weights; last/ keeps the current ones; resume continues both', async () => {
    const plain = await trainBayesianCnn({ ...tiny, out: join(dir, 'plain-avg'), epochs: 2 } as TrainBayesianCnnOptions);
    const averaged = await trainBayesianCnn({ ...tiny, out: join(dir, 'avg'), epochs: 2, weightAverage: 0.9 } as TrainBayesianCnnOptions);
    // The same optimisation (the average only changes what is scored and kept) …
    expect(averaged.history.map((h) => h.trainLoss)).toEqual(plain.history.map((h) => h.trainLoss));
    // … but validation scores other weights.
    expect(averaged.history[1].valLoss).not.toBeCloseTo(plain.history[1].valLoss, 6);
    const weightsOf = (folder: string) => {
      const loaded = loadBayesianCnn(folder);
      const weights = readVariables(loaded.model.params.trainable);
      loaded.model.dispose();
      return { weights, optimizer: loaded.optimizer };
    };
    const last = weightsOf(join(dir, 'avg', 'last'));
    const average = last.optimizer?.average;
    expect(average).toHaveLength(last.weights.length);
    expect(Array.from(last.weights[0])).not.toEqual(Array.from((average as Float32Array[])[0]));
    if (averaged.bestEpoch === 2) {
      // The best model is the average at its epoch: here the last one.
      const best = weightsOf(join(dir, 'avg', 'model'));
      best.weights.forEach((w, k) => expect(Array.from(w)).toEqual(Array.from((average as Float32Array[])[k])));
    }
    const out = join(dir, 'avg-resumed');
    await trainBayesianCnn({ ...tiny, out, epochs: 1, weightAverage: 0.9 } as TrainBayesianCnnOptions);
    const resumed = await trainBayesianCnn({ ...tiny, out, epochs: 2, weightAverage: 0.9, resume: true } as TrainBayesianCnnOptions);
    expect(resumed.history[1].valLoss).toBeCloseTo(averaged.history[1].valLoss, 5);
    const resumedLast = weightsOf(join(out, 'last'));
    resumedLast.optimizer?.average?.forEach((a, k) => expect(Array.from(a)).toEqual(Array.from((average as Float32Array[])[k])));
    await expect(trainBayesianCnn({ ...tiny, out, epochs: 3, resume: true } as TrainBayesianCnnOptions))
      .rejects.toThrow(/--resume with different settings: weightAverage was 0.9, now null/);
  });

  it('--unlabelled with --teacher trains on pseudo-labelled galaxies in the training split only; ids also labelled are left out', async () => {
    const teacher = await trainBayesianCnn({ ...tiny, out: join(dir, 'teacher'), epochs: 1 } as TrainBayesianCnnOptions);
    const pool = join(dir, 'pool');
    await simulate({ n: 20, out: pool, size: 16, seed: 9, progress: false, gridTiles: 0 });
    // Ids u-sim-…, except the first 4 rows, which keep ids of the labelled catalog (sim-0000000 … 3).
    const lines = readFileSync(join(pool, 'labels.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(pool, 'labels.csv'), [lines[0], ...lines.slice(1).map((l, k) => (k < 4 ? l : `u-${l}`))].join('\n') + '\n');
    const out = join(dir, 'student');
    const student = await trainBayesianCnn({ ...tiny, out, epochs: 1, unlabelled: pool, teacher: teacher.model, teacherVotes: 10, teacherPasses: 2 } as TrainBayesianCnnOptions);
    const plain = await trainBayesianCnn({ ...tiny, out: join(dir, 'no-student'), epochs: 1 } as TrainBayesianCnnOptions);
    const split = readCsv(join(out, 'split.csv'));
    const kinds = split.rows.map((r) => r[split.header.indexOf('split')]);
    const pseudoIds = split.rows.filter((_, k) => kinds[k] === 'train-pseudo').map((r) => r[0]);
    expect(pseudoIds).toHaveLength(16);
    expect(pseudoIds.every((id) => id.startsWith('u-sim-'))).toBe(true);
    // The labelled splits and the report's labelled counts are those of the run without pseudo-labels.
    expect(kinds.filter((k) => k !== 'train-pseudo')).toEqual(readCsv(join(dir, 'no-student', 'split.csv')).rows.map((r) => r[1]));
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.galaxies.train).toBe(JSON.parse(readFileSync(join(dir, 'no-student', 'results.json'), 'utf8')).galaxies.train);
    expect(results.leftOut.rows.filter((r: { reason: string }) => /also in the labelled catalog/.test(r.reason))).toHaveLength(4);
    // More galaxies per epoch: more steps.
    expect(student.step).toBeGreaterThan(plain.step);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(/self-training: 16 unlabelled galaxies .* pseudo-labelled by .*teacher.*10 pseudo-volunteers/);
    await expect(trainBayesianCnn({ ...tiny, out: join(dir, 'no-teacher'), epochs: 1, unlabelled: pool } as TrainBayesianCnnOptions))
      .rejects.toThrow('option "teacher": expected a model folder or shipped name to pseudo-label --unlabelled (e.g. --teacher gz2), got null');
  });

  it('--colour rgb trains a three-channel model whose saved preprocessing predict reuses', async () => {
    const out = join(dir, 'rgb');
    await trainBayesianCnn({ ...tiny, out, epochs: 1, colour: 'rgb' } as TrainBayesianCnnOptions);
    const loaded = loadBayesianCnn(join(out, 'model'));
    expect(loaded.model.config.channels).toBe(3);
    expect(loaded.preprocessing.colour).toBe('rgb');
    loaded.model.dispose();
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).colour).toBe('rgb');
    // predict must decode three channels from the model's own preprocessing, or the model refuses the batch's shape
    const predicted = await predict({ models: [join(out, 'model')], catalog: sim, out: join(dir, 'rgb-predicted'), passes: 2, progress: false });
    expect(predicted.galaxies).toBe(48);
    // test-time augmentation: the same seed and passes, but passes after the first see rotated/mirrored images
    const tta = await predict({ models: [join(out, 'model')], catalog: sim, out: join(dir, 'rgb-tta'), passes: 2, tta: true, progress: false });
    const plain = readCsv(join(dir, 'rgb-predicted', 'predictions_full.csv'));
    const turned = readCsv(tta.files.fullCsv);
    expect(turned.rows).toHaveLength(48);
    expect(turned.rows.map((r) => r.join(','))).not.toEqual(plain.rows.map((r) => r.join(',')));
    expect(readFileSync(tta.files.summary, 'utf8')).toMatch(/test-time augmentation/);
    expect(JSON.parse(readFileSync(join(dir, 'rgb-tta', 'config.json'), 'utf8')).tta).toBe(true);
    await expect(trainBayesianCnn({ ...tiny, out, epochs: 2, resume: true } as TrainBayesianCnnOptions))
      .rejects.toThrow(/--resume with different settings: colour was "rgb", now "grey"/);
  });

  it('binomial and multinomial heads train and score only their answers', async () => {
    const binomial = await trainBayesianCnn({ ...tiny, out: join(dir, 'binomial'), epochs: 1, head: 'binomial', answer: 'q1_features_or_disk' } as TrainBayesianCnnOptions);
    expect(binomial.test.perAnswer.map((a) => a.answer)).toEqual(['q1_features_or_disk']);
    const multinomial = await trainBayesianCnn({ ...tiny, out: join(dir, 'multinomial'), epochs: 1, head: 'multinomial', question: 'q1', labels: 10 } as TrainBayesianCnnOptions);
    expect(multinomial.test.perAnswer.map((a) => a.answer)).toEqual(['q1_smooth', 'q1_features_or_disk', 'q1_star_or_artifact']);
    const results = JSON.parse(readFileSync(join(dir, 'multinomial', 'results.json'), 'utf8'));
    expect(results.galaxies.train).toBe(10);
    expect(results.galaxies.trainAvailable).toBeGreaterThan(10);
  });

  it('bad options are clear errors naming the option', async () => {
    const run = (o: Partial<TrainBayesianCnnOptions>) => trainBayesianCnn({ ...tiny, out: join(dir, 'bad'), epochs: 1, ...o } as TrainBayesianCnnOptions);
    await expect(run({ head: 'binomial' })).rejects.toThrow(/option "answer": expected an answer key for the binomial head/);
    await expect(run({ head: 'dirichlet', question: 'q1' })).rejects.toThrow(/option "question": expected nothing for the dirichlet head/);
    await expect(run({ head: 'binomial', answer: 'q1_nope' })).rejects.toThrow(/q1_nope/);
    await expect(run({ epochs: 0 })).rejects.toThrow(/option "epochs": expected an integer in \[1, 100000\], got 0/);
    await expect(run({ labels: 1000 })).rejects.toThrow(/option "labels": expected at most \d+/);
    await expect(run({ data: join(dir, 'missing') })).rejects.toThrow(/catalog not found/);
    // The flag is checked by the same declaration as the API option: the same range in both messages.
    await expect(cli(['train', '--data', sim, '--out', join(dir, 'bad2'), '--epochs', 'two'])).rejects.toThrow(/option "--epochs": expected an integer in \[1, 100000\], got "two"/);
    await expect(cli(['train', '--data', sim, '--out', join(dir, 'bad2'), '--blocks', '32,x/64'])).rejects.toThrow(/option "--blocks": expected conv filters per block.*got "32,x\/64"/);
    await expect(cli(['train', '--data', sim, '--out', join(dir, 'bad2'), '--loss-weights', 'q1:3'])).rejects.toThrow(/option "--loss-weights": expected question=weight pairs.*got "q1:3"/);
    await expect(run({ lossWeights: { q42: 1 } })).rejects.toThrow(/option "lossWeights": expected weights for the head's questions only/);
    await expect(cli(['train', '--data', sim, '--out', join(dir, 'bad2'), '--head', 'softmax'])).rejects.toThrow(/argument 'softmax' is invalid. Allowed choices are binomial, multinomial, dirichlet/);
  });

  it('--on-bad skip leaves out bad rows and unreadable images and lists them in the report', async () => {
    const broken = join(dir, 'broken');
    cpSync(sim, broken, { recursive: true });
    const lines = readFileSync(join(broken, 'labels.csv'), 'utf8').trim().split('\n');
    const cells = lines[5].split(',');
    cells[3] = '-4';
    lines[5] = cells.join(',');
    writeFileSync(join(broken, 'labels.csv'), lines.join('\n') + '\n');
    const corruptId = lines[9].split(',')[0];
    writeFileSync(join(broken, 'images', `${corruptId}.png`), 'not a png');
    await expect(trainBayesianCnn({ ...tiny, data: broken, out: join(dir, 'strict'), epochs: 1 } as TrainBayesianCnnOptions)).rejects.toThrow(/row 5/);
    const out = join(dir, 'skip');
    await trainBayesianCnn({ ...tiny, data: broken, out, epochs: 1, onBad: 'skip' } as TrainBayesianCnnOptions);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.leftOut.rows).toHaveLength(1);
    expect(results.leftOut.rows[0].row).toBe(5);
    expect(results.leftOut.images.map((b: { id: string }) => b.id)).toEqual([corruptId]);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('1 catalog rows');
    expect(summary).toContain('1 unusable images');
  });

  it('--preset gz2 fills the recipe, flags given override it, and the report has per-question errors beside the mean', async () => {
    const out = join(dir, 'preset');
    const log = console.log;
    console.log = () => undefined;
    try {
      await cli(['train', '--preset', 'gz2', '--data', sim, '--out', out, '--epochs', '1', '--image-size', '16', '--blocks', '4/4', '--dense-units', '8',
        '--batch-size', '8', '--passes', '2', '--no-augment', '--workers', '1', '--backend', 'cpu']);
    } finally {
      console.log = log;
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ preset: 'gz2', crop: 0.5, pooling: 'flatten', headBias: -3, dropout: 0.3, concentrationFloor: 0.1, imageSize: 16, augment: false, epochs: 1 });
    expect(config.model).toMatchObject({ pooling: 'flatten', headBias: -3, blocks: [[4], [4]] });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const q1 = results.test.perQuestion.find((q: { question: string }) => q.question === 'q1');
    expect(q1.sum_abs).toBeGreaterThan(0);
    expect(q1.baseline_sum_abs).toBeGreaterThan(0);
    expect(results.test.coverage.map((c: { answer: string }) => c.answer)).toContain('q1_smooth');
    expect(readCsv(join(out, 'split.csv')).rows).toHaveLength(48);
    await expect(trainBayesianCnn({ ...tiny, out: join(dir, 'bad3'), preset: 'gz3' as 'gz2' } as TrainBayesianCnnOptions)).rejects.toThrow(/option "preset": expected one of none \| gz2, got "gz3"/);
  });

  it('--max-seconds ends a long run at its budget, validates the part-epoch and keeps the best model', async () => {
    const result = await trainBayesianCnn({ ...tiny, out: join(dir, 'budget'), epochs: 100_000, maxSeconds: 1.5 } as TrainBayesianCnnOptions);
    expect(result.seconds).toBeLessThan(60);
    expect(result.history.length).toBeGreaterThan(0);
    expect(result.history.length).toBeLessThan(100_000);
    expect(result.history.at(-1)?.stoppedBy).toBe('time');
    expect(result.bestEpoch).toBeGreaterThan(0);
    const results = JSON.parse(readFileSync(join(dir, 'budget', 'results.json'), 'utf8'));
    expect(results).toMatchObject({ stoppedBy: 'time', validations: result.history.length });
  });

  it('the data-parallel workers run the backend the job resolved (GALMORPH_BACKEND), and config.json records it', async () => {
    const out = join(dir, 'env-backend');
    const log = console.log;
    const saved = process.env.GALMORPH_BACKEND;
    console.log = () => undefined;
    process.env.GALMORPH_BACKEND = 'cpu';
    try {
      await cli(['train', '--data', sim, '--out', out, '--epochs', '1', '--image-size', '16', '--blocks', '4/4', '--dense-units', '8',
        '--batch-size', '8', '--passes', '2', '--workers', '2']);
    } finally {
      console.log = log;
      if (saved === undefined) delete process.env.GALMORPH_BACKEND;
      else process.env.GALMORPH_BACKEND = saved;
    }
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).backend).toBe('cpu');
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(/the 2 data-parallel workers run backend cpu/);
  });
});
