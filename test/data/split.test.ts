import { describe, expect, it } from 'vitest';
import { labelledSplit, splitOf, splitRows } from '../../src/data/split.js';
import { Rng } from '../../src/util/rng.js';

const rows = Array.from({ length: 10000 }, (_, i) => ({ id: String(100000 + 7 * i), label: i % 3 === 0 ? undefined : i }));

describe('splits by id', () => {
  it('gives each id the same split whatever the order of rows', () => {
    const forward = splitRows(rows);
    const shuffled = splitRows(new Rng(3).shuffle([...rows]));
    for (const name of ['train', 'val', 'test'] as const) {
      expect(new Set(shuffled[name].map((r) => r.id))).toEqual(new Set(forward[name].map((r) => r.id)));
    }
    expect(splitOf('100007')).toBe(splitOf('100007'));
  });

  it('matches the requested proportions within sampling error', () => {
    const { train, val, test } = splitRows(rows, { train: 0.7, val: 0.2, test: 0.1 });
    // Binomial standard deviation for n = 10,000, p = 0.1 is 30; allow 4σ.
    expect(Math.abs(train.length - 7000)).toBeLessThan(4 * Math.sqrt(10000 * 0.7 * 0.3));
    expect(Math.abs(val.length - 2000)).toBeLessThan(4 * Math.sqrt(10000 * 0.2 * 0.8));
    expect(Math.abs(test.length - 1000)).toBeLessThan(4 * 30);
  });

  it('rejects fractions that do not sum to one', () => {
    expect(() => splitOf('a', { train: 0.5, val: 0.2, test: 0.2 })).toThrow(/option "fractions": expected train \+ val \+ test = 1/);
  });
});

describe('labelledSplit', () => {
  const hasLabel = (r: { label?: number }) => r.label !== undefined;

  it('takes N labelled rows; the rest, with the unlabelled, form the pool', () => {
    const { labelled, unlabelled } = labelledSplit(rows, 300, 1, hasLabel);
    expect(labelled).toHaveLength(300);
    expect(labelled.every(hasLabel)).toBe(true);
    expect(unlabelled).toHaveLength(rows.length - 300);
  });

  it('chooses the same rows whatever their order, nested across N, different across seeds', () => {
    const ids = (r: { id: string }[]) => new Set(r.map((x) => x.id));
    const a = ids(labelledSplit(rows, 100, 1, hasLabel).labelled);
    const b = ids(labelledSplit(new Rng(9).shuffle([...rows]), 100, 1, hasLabel).labelled);
    expect(b).toEqual(a);
    const bigger = ids(labelledSplit(rows, 300, 1, hasLabel).labelled);
    for (const id of a) expect(bigger.has(id)).toBe(true);
    const other = ids(labelledSplit(rows, 100, 2, hasLabel).labelled);
    expect([...other].filter((id) => a.has(id)).length).toBeLessThan(20);
  });

  it('refuses more labels than there are', () => {
    expect(() => labelledSplit(rows.slice(0, 3), 3, 0, hasLabel)).toThrow(/option "count": expected at most 2 \(the rows with labels\), got 3/);
  });
});
