import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { readCsv } from '../../../src/data/csv.js';
import { resolvePreprocessOptions } from '../../../src/data/preprocess.js';
import { GALAXY_CLASSES } from '../../../src/data/simulator/galaxyClass.js';
import { BayesianCnn, resolveBayesianCnnConfig } from '../../../src/models/bayesianCnn.js';
import { loadBayesianCnn, saveBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { bayesianCnnTaskSpec, buildBayesianCnn, type BayesianCnnTaskOptions } from '../../../src/models/bayesianCnnTask.js';
import { BAYESIAN_CNN_ROOT, classSchema, encoderGroups, fineTunedConfig } from '../../../src/models/bayesianCnnTransfer.js';
import { createTrainer } from '../../../src/train/dataParallel.js';
import { applyTrainerWeights } from '../../../src/train/applyTrainerWeights.js';
import type { HostBatch } from '../../../src/data/hostBatch.js';
import type { NamedWeights } from '../../../src/nn/params.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';
import { finetune } from '../../../src/workflows/finetune/finetune.js';
import { runSplit, type LabelledRow } from '../../../src/workflows/finetune/finetuneData.js';
import { predict } from '../../../src/workflows/predict/predict.js';

const dir = mkdtempSync(join(tmpdir(), 'finetune-'));
const sim = join(dir, 'sim');
const pretrained = join(dir, 'pretrained');
const arch = { imageSize: 16, blocks: [[4], [4]], denseUnits: 8 };
const quick = { epochs1: 1, epochs2: 1, patience: 1, passes: 2, batchSize: 8, progress: false };

/** A class catalog over the simulator's images: its galaxy class (truth.csv) as the label column `morph`. */
function writeClassCatalog(name: string, edit: (rows: string[][]) => string[][] = (r) => r): string {
  const truth = readCsv(join(sim, 'truth.csv'));
  const cls = truth.header.indexOf('galaxyClass');
  const rows = edit(truth.rows.map((r) => [r[0], `images/${r[0]}.png`, r[cls]]));
  const file = join(sim, `${name}.csv`);
  writeFileSync(file, ['id,image_file,morph', ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return file;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  const classMix = Object.fromEntries(GALAXY_CLASSES.map((c) => [c, c === 'elliptical' || c === 'edge-on' ? 1 : 0]));
  await simulate({ n: 48, out: sim, seed: 3, size: 32, gridTiles: 0, progress: false, classMix: classMix as never });
  writeClassCatalog('classes');
  const model = new BayesianCnn({ schema: getSchema('gz2').def, ...arch, seed: 11 });
  saveBayesianCnn(pretrained, model, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  model.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function batch(size: number, classes: number, seed: number): HostBatch {
  const images = new Float32Array(size * 16 * 16);
  for (let i = 0; i < images.length; i++) images[i] = ((i * 7919 + seed * 104729) % 255) / 255;
  const counts = new Float32Array(size * classes);
  for (let b = 0; b < size; b++) counts[b * classes + ((b + seed) % classes)] = 1;
  return { size, arrays: { images, counts }, shapes: { images: [16, 16, 1], counts: [classes] } };
}

function pick(weights: NamedWeights, prefix: string): Float32Array[] {
  return Object.entries(weights).filter(([n]) => n === prefix || n.startsWith(`${prefix}/`)).map(([, w]) => w.values);
}

describe('fine-tuning stages', () => {
  const pre = resolveBayesianCnnConfig({ schema: getSchema('gz2').def, ...arch, seed: 11 });
  const config = fineTunedConfig(pre, classSchema(['a', 'b', 'c'], 'col'), [5], 2);
  const groups = encoderGroups(config);

  it('stage 1 leaves every encoder weight unchanged and trains the new head; stage 2 changes only the unfrozen groups', async () => {
    expect(groups).toEqual([`${BAYESIAN_CNN_ROOT}/dense`, `${BAYESIAN_CNN_ROOT}/block2`, `${BAYESIAN_CNN_ROOT}/block1`]);
    const original = loadBayesianCnn(pretrained);
    const before = original.model.params.exportWeights();
    original.model.dispose();
    const stage1: BayesianCnnTaskOptions = { ...config, transfer: { from: pretrained, copy: groups, frozen: groups } };
    const after1 = await trainSteps(stage1, 4, 1e-2);
    for (const g of groups) expect(pick(after1, g)).toEqual(pick(before, g));
    const fresh = buildBayesianCnn({ ...config });
    const head0 = fresh.params.exportWeights();
    fresh.dispose();
    expect(pick(after1, `${BAYESIAN_CNN_ROOT}/head`)).not.toEqual(pick(head0, `${BAYESIAN_CNN_ROOT}/head`));
    expect(pick(after1, `${BAYESIAN_CNN_ROOT}/hidden1`)).not.toEqual(pick(head0, `${BAYESIAN_CNN_ROOT}/hidden1`));

    // Stage 2 from stage 1's weights: the top two groups (dense, block2) and the head train, block1 stays.
    const stage1Dir = join(dir, 'stage1');
    const m = buildBayesianCnn(stage1);
    m.params.importUnder(after1, [BAYESIAN_CNN_ROOT]);
    saveBayesianCnn(stage1Dir, m, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 4, optimizer: null });
    m.dispose();
    const after2 = await trainSteps({ ...config, transfer: { from: stage1Dir, copy: [BAYESIAN_CNN_ROOT], frozen: groups.slice(2) } }, 4, 1e-2);
    expect(pick(after2, `${BAYESIAN_CNN_ROOT}/block1`)).toEqual(pick(after1, `${BAYESIAN_CNN_ROOT}/block1`));
    for (const g of [...groups.slice(0, 2), `${BAYESIAN_CNN_ROOT}/head`]) {
      const a = pick(after2, g);
      const b = pick(after1, g);
      expect(a.some((w, k) => w.some((x, i) => x !== b[k][i])), g).toBe(true);
    }
  });

  it('keeps the tensor count flat over training steps with a frozen encoder', async () => {
    const task: BayesianCnnTaskOptions = { ...config, transfer: { from: pretrained, copy: groups, frozen: groups } };
    const trainer = await createTrainer({ spec: bayesianCnnTaskSpec(task), workers: 1, optimizer: { kind: 'adam', learningRate: 1e-3 } });
    try {
      await trainer.step(batch(6, 3, 0));
      const start = tf.memory().numTensors;
      const counts: number[] = [];
      for (let s = 1; s <= 20; s++) {
        await trainer.step(batch(6, 3, s));
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts)).toEqual(new Set([start]));
    } finally {
      await trainer.dispose();
    }
  });

  async function trainSteps(task: BayesianCnnTaskOptions, steps: number, learningRate: number): Promise<NamedWeights> {
    const trainer = await createTrainer({ spec: bayesianCnnTaskSpec(task), workers: 1, optimizer: { kind: 'adam', learningRate } });
    const model = buildBayesianCnn(task);
    try {
      for (let s = 0; s < steps; s++) await trainer.step(batch(6, 3, s));
      applyTrainerWeights(model, await trainer.getWeights());
      return model.params.exportWeights();
    } finally {
      await trainer.dispose();
      model.dispose();
    }
  }
});

describe('finetune workflow', () => {
  it('fine-tunes, saves a model with its class names, and predict --model gives class probabilities with MC-dropout intervals', async () => {
    const out = join(dir, 'single');
    const result = await finetune({ data: join(sim, 'classes.csv'), labelColumn: 'morph', model: pretrained, out, ...quick });
    expect(result.classNames.sort()).toEqual(['edge-on', 'elliptical']);
    expect(result.runs).toHaveLength(1);
    const saved = loadBayesianCnn(join(out, 'model'));
    expect(saved.model.schema.classes).toEqual(result.classNames);
    expect(saved.model.config.head).toBe('multinomial');
    saved.model.dispose();
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(results.results.finetuned)).toHaveLength(1);
    expect(existsSync(join(out, 'summary.md'))).toBe(true);

    const predicted = join(dir, 'predicted');
    await predict({ models: [join(out, 'model')], catalog: join(sim, 'classes.csv'), out: predicted, passes: 6, progress: false });
    const full = readCsv(join(predicted, 'predictions_full.csv'));
    const col = (name: string) => full.header.indexOf(name);
    for (const row of full.rows.slice(0, 5)) {
      let total = 0;
      for (const c of result.classNames) {
        const [p, lo, hi] = ['fraction', 'lower', 'upper'].map((k) => Number(row[col(`${c}_${k}`)]));
        expect(lo).toBeLessThanOrEqual(p + 1e-12);
        expect(hi).toBeGreaterThanOrEqual(p - 1e-12);
        total += p;
      }
      expect(total).toBeCloseTo(1, 6);
    }
  });

  it('--labels gives per-seed metrics of fine-tuned and from-scratch runs on the same galaxies, a curve CSV and PNG', async () => {
    const out = join(dir, 'curve');
    const result = await finetune({ data: join(sim, 'classes.csv'), labelColumn: 'morph', model: pretrained, out, labels: [6, 10], seeds: 1, seed: 1, ...quick });
    expect(result.runs).toHaveLength(4);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    for (const method of ['finetuned', 'scratch']) {
      for (const n of ['6', '10']) {
        for (const seed of ['1']) {
          const r = results.results[method][n][seed];
          expect(r.accuracy).toBeGreaterThanOrEqual(0);
          expect(r.balanced_accuracy).toBeLessThanOrEqual(1);
          expect(r.log_loss).toBeGreaterThan(0);
        }
      }
    }
    const pair = result.runs.filter((r) => r.labels === 10 && r.seed === 1);
    expect(pair.map((r) => [r.train, r.val])).toEqual([[8, 2], [8, 2]]);
    expect(readCsv(join(out, 'curve.csv')).rows).toHaveLength(4);
    expect(existsSync(join(out, 'accuracy_vs_labels.png'))).toBe(true);
  });

  it('--from-scratch trains the randomly initialised network alone', async () => {
    const result = await finetune({ data: join(sim, 'classes.csv'), labelColumn: 'morph', model: pretrained, out: join(dir, 'scratch'), fromScratch: true, ...quick });
    expect(result.runs.map((r) => r.method)).toEqual(['scratch']);
    expect(result.runs[0].stages.map((s) => s.stage)).toEqual(['scratch']);
  });

  it('refuses a missing label column, a class with one galaxy and an unknown model, saying what to do', async () => {
    const base = { model: pretrained, ...quick };
    await expect(finetune({ ...base, data: join(sim, 'classes.csv'), labelColumn: 'kind', out: join(dir, 'bad1') }))
      .rejects.toThrow(/--label-column names column "kind", which the catalog lacks.*the columns are: id, image_file, morph/);
    const lonely = writeClassCatalog('lonely', (rows) => rows.map((r, k) => (k === 0 ? [r[0], r[1], 'ring'] : r)));
    await expect(finetune({ ...base, data: lonely, labelColumn: 'morph', out: join(dir, 'bad2') }))
      .rejects.toThrow(/class "ring" \(1 galaxies\) of column morph has fewer than 2 galaxies.*merge it into another class or leave it out with --classes/);
    await expect(finetune({ ...base, data: join(sim, 'classes.csv'), labelColumn: 'morph', model: 'no-such-model', out: join(dir, 'bad3') }))
      .rejects.toThrow(/no model folder or shipped model called "no-such-model".*gz2/);
    await expect(finetune({ ...base, data: join(sim, 'classes.csv'), labelColumn: 'morph', classes: [{ name: 'a', sources: ['elliptical'] }, { name: 'b', sources: ['spiral'] }], out: join(dir, 'bad4') }))
      .rejects.toThrow(/--classes names class "spiral", which column morph does not hold — its classes are: /);
  });
});

describe('run splits', () => {
  const pool: LabelledRow[] = Array.from({ length: 90 }, (_, i) => ({ id: `g${i}`, image: '', label: i < 60 ? 0 : 1, counts: new Float32Array(2) }));

  it('takes N galaxies stratified by class, validates a stratified share, and nests: the galaxies of N are among those of 2N', () => {
    const a = runSplit(pool, 2, 30, 0.2, 4);
    expect(a.train.length + a.val.length).toBe(30);
    expect([...a.train, ...a.val].filter((r) => r.label === 0)).toHaveLength(20);
    expect(a.val).toHaveLength(6);
    expect(a.val.filter((r) => r.label === 0)).toHaveLength(4);
    const b = runSplit(pool, 2, 60, 0.2, 4);
    const bIds = new Set([...b.train, ...b.val].map((r) => r.id));
    expect([...a.train, ...a.val].every((r) => bIds.has(r.id))).toBe(true);
    expect(runSplit(pool, 2, 30, 0.2, 5).train.map((r) => r.id)).not.toEqual(a.train.map((r) => r.id));
  });
});
