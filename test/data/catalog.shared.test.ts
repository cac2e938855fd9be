import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/data/catalogRead.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shared = resolve(repoRoot, '../shared/data');

describe.skipIf(!existsSync(shared))('the shared Galaxy Zoo folders load without configuration', () => {
  it('gz2-kaggle-votes: Kaggle-weighted fractions turned into per-question fractions', async () => {
    const c = await readCatalog(resolve(shared, 'gz2-kaggle-votes'), { schema: 'gz2' });
    expect(c.labelKind).toBe('fractions');
    expect(c.fractionStyle).toBe('kaggle-weighted');
    expect(c.skipped).toEqual([]);
    expect(c.rows.length).toBe(3000);
    const labelled = c.schema.questions.filter((q) => c.labelledQuestions[q.index]).map((q) => q.key);
    expect(labelled).toEqual(['q1', 'q2', 'q6', 'q7', 'q8']);
    for (const row of c.rows) {
      for (const key of labelled) {
        const q = c.schema.question(key);
        let sum = 0;
        for (let a = q.start; a < q.end; a++) sum += row.fractions![a];
        // Every labelled question is either reached (sums to 1) or never reached (0).
        expect(Math.min(Math.abs(sum - 1), Math.abs(sum))).toBeLessThan(0.01);
      }
    }
  });

  it('gz2-kaggle-unlabelled: images only', async () => {
    const c = await readCatalog(resolve(shared, 'gz2-kaggle-unlabelled'), { schema: 'gz2' });
    expect(c.labelKind).toBe('none');
    expect(c.rows.length).toBe(5000);
    expect(c.rows[0].image.startsWith(resolve(shared, 'gz2-kaggle-unlabelled', 'images'))).toBe(true);
  });

  it('gz1-sdss-classes: one class per galaxy with its names', async () => {
    const c = await readCatalog(resolve(shared, 'gz1-sdss-classes'));
    expect(c.labelKind).toBe('class');
    expect(c.rows.length).toBe(1371);
    expect(c.classNames).toHaveLength(6);
    expect(c.classNames![0]).toBe('elliptical');
    expect(new Set(c.rows.map((r) => r.label)).size).toBe(6);
  });

  it('gz2-kaggle-votes read with the q1 schema keeps only question 1', async () => {
    const c = await readCatalog(resolve(shared, 'gz2-kaggle-votes'), { schema: 'q1' });
    expect(c.schema.numAnswers).toBe(3);
    expect(c.rows.every((r) => Math.abs(r.fractions![0] + r.fractions![1] + r.fractions![2] - 1) < 0.01)).toBe(true);
  });
});
