import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { readCsv } from '../../../src/data/csv.js';
import { readParquet } from '../../../src/data/parquet.js';
import { BayesianCnn } from '../../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { resolvePreprocessOptions } from '../../../src/data/preprocess.js';
import { predict } from '../../../src/workflows/predict/predict.js';
import { friendlyPredictionTable, fullPredictionTable } from '../../../src/workflows/predict/predictTable.js';
import type { PredictionSummary } from '../../../src/workflows/predict/predictSummary.js';

const schema = getSchema('gz2');
const dir = mkdtempSync(join(tmpdir(), 'predict-'));
const config = { schema: schema.def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8 };

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  mkdirSync(join(dir, 'catalog', 'images'), { recursive: true });
  const lines = ['id,image_file'];
  for (let i = 0; i < 5; i++) {
    await sharp(Buffer.alloc(256, 40 * i), { raw: { width: 16, height: 16, channels: 1 } }).png().toFile(join(dir, 'catalog', 'images', `g${i}.png`));
    lines.push(`g${i},images/g${i}.png`);
  }
  writeFileSync(join(dir, 'catalog', 'labels.csv'), lines.join('\n') + '\n');
  for (const seed of [1, 2]) {
    const model = new BayesianCnn({ ...config, seed });
    saveBayesianCnn(join(dir, `model${seed}`), model, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
    model.dispose();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('predict', () => {
  it('writes friendly and full tables (CSV and Parquet) with one column per answer, for an ensemble', async () => {
    const out = join(dir, 'out');
    const result = await predict({ models: [join(dir, 'model1'), join(dir, 'model2')], catalog: join(dir, 'catalog'), out, passes: 3, bald: true, progress: false });
    expect(result.galaxies).toBe(5);
    const friendly = readCsv(join(out, 'predictions.csv'));
    const baldColumns = [...schema.questions.map((q) => `${q.key}_bald`), 'bald'];
    expect(friendly.header).toEqual(['id', ...schema.answers.map((a) => a.key), ...schema.questions.map((q) => `${q.key}_p_asked`), ...baldColumns]);
    const full = readCsv(join(out, 'predictions_full.csv'));
    expect(full.header.slice(-baldColumns.length)).toEqual(baldColumns);
    // The total is the sum over questions, and a mutual information is never negative (beyond Monte-Carlo noise).
    for (const row of full.rows) {
      const perQuestion = schema.questions.map((q) => Number(row[full.header.indexOf(`${q.key}_bald`)]));
      expect(Number(row[full.header.indexOf('bald')])).toBeCloseTo(perQuestion.reduce((a, b) => a + b, 0), 9);
      expect(Math.min(...perQuestion)).toBeGreaterThan(-0.05);
    }
    const without = await predict({ models: [join(dir, 'model1')], catalog: join(dir, 'catalog'), out: join(dir, 'nobald'), passes: 2, progress: false }); // BALD is opt-in
    expect(readCsv(without.files.fullCsv).header).not.toContain('bald');
    expect(full.header).toContain('q1_smooth_fraction');
    expect(full.header).toContain('q1_smooth_lower');
    expect(full.header).toContain('q1_smooth_expected_votes');
    const parquet = await readParquet(join(out, 'predictions_full.parquet'));
    expect(parquet.rows).toHaveLength(5);
    const row = full.rows[0];
    const smooth = Number(row[full.header.indexOf('q1_smooth_fraction')]);
    const featured = Number(row[full.header.indexOf('q1_features_or_disk_fraction')]);
    const artifact = Number(row[full.header.indexOf('q1_star_or_artifact_fraction')]);
    expect(smooth + featured + artifact).toBeCloseTo(1, 9);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).models).toHaveLength(2);
  });

  it('a missing model folder is a clear error', async () => {
    await expect(predict({ models: [join(dir, 'nope')], catalog: join(dir, 'catalog'), out: join(dir, 'o2'), progress: false }))
      .rejects.toThrow(/no model folder or shipped model called/);
  });
});

describe('prediction tables', () => {
  const q1 = schema.question('q1');
  const q2 = schema.question('q2');
  const summary: PredictionSummary = {
    answers: [...q1.answers, ...q2.answers],
    questions: [q1, q2],
    fraction: [Float64Array.of(0.7, 0.2, 0.1, 0.4, 0.6), Float64Array.of(0.1, 0.8, 0.1, 0.3, 0.7)],
    lower: [new Float64Array(5), new Float64Array(5)],
    upper: [new Float64Array(5).fill(1), new Float64Array(5).fill(1)],
    expectedVotes: [new Float64Array(5), new Float64Array(5)],
    probabilityAsked: [Float64Array.of(1, 0.2), Float64Array.of(1, 0.8)],
  };

  it('friendly table blanks the fractions of a question with P(asked) < 0.5, and only those', () => {
    const t = friendlyPredictionTable(['a', 'b'], summary);
    expect(t.header).toEqual(['q1_smooth', 'q1_features_or_disk', 'q1_star_or_artifact', 'q2_edge_on_yes', 'q2_edge_on_no', 'q1_p_asked', 'q2_p_asked']);
    expect(Number.isNaN(t.columns[3][0])).toBe(true);
    expect(Number.isNaN(t.columns[4][0])).toBe(true);
    expect(t.columns[3][1]).toBe(0.3);
    expect(t.columns[0][0]).toBe(0.7);
  });

  it('full table keeps every value with intervals and expected votes', () => {
    const t = fullPredictionTable(['a', 'b'], summary);
    expect(t.header.slice(0, 4)).toEqual(['q1_smooth_fraction', 'q1_smooth_lower', 'q1_smooth_upper', 'q1_smooth_expected_votes']);
    expect(t.columns[t.header.indexOf('q2_edge_on_yes_fraction')][0]).toBe(0.4);
  });
});
