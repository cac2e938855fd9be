import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTable1 } from '../../../src/workflows/table1/table1.js';
import { loadMorphologyModel } from '../../../src/models/morphologyCheckpoint.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TINY = {
  imageSize: 16, labels: [8], seeds: 1, batchSize: 8, epochs: 1, pretrainEpochs: 1, cellSeconds: 0, pretrainSeconds: 0,
  validations: 1, valSize: 8, simulateN: 60, latentDim: 4, split: { train: 0.5, val: 0.2, test: 0.3 },
};

describe('experiment table1 (smoke, tiny simulated set)', () => {
  it('simulates, trains every regime, writes tables, figures and summary, and skips done cells on resume', async () => {
    const out = mkdtempSync(join(tmpdir(), 'table1-'));
    dirs.push(out);
    const result = await runTable1({ out, preset: 'quick', overrides: TINY, workers: 1, backend: 'wasm' });
    expect(result.cells.map((c) => c.regime).sort()).toEqual(['alternating', 'm1', 'plain-cnn', 'supervised', 'two-step']);
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
    const m1 = loadMorphologyModel(join(out, 'cells', 'm1-8-seed0', 'model'));
    expect(m1.model.kind).toBe('et-vae');
    expect(m1.info.question).toBe('q1');
    expect(m1.optimizer?.names.every((n) => n.startsWith('model/classifier/'))).toBe(true);
    m1.model.dispose();

    const started = performance.now();
    const again = await runTable1({ out, preset: 'quick', overrides: TINY, workers: 1, backend: 'wasm', resume: true });
    expect(again.cells.map((c) => c.test.votes.sumAbs)).toEqual(result.cells.map((c) => c.test.votes.sumAbs));
    expect(performance.now() - started).toBeLessThan(30_000);
    await expect(runTable1({ out, preset: 'quick', overrides: { ...TINY, epochs: 2 }, workers: 1, backend: 'wasm', resume: true }))
      .rejects.toThrow(/same settings/);
  });
});
