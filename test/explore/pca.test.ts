import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix, SVD } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { Pca, PcaAccumulator } from '../../src/explore/pca.js';
import { Rng } from '../../src/util/rng.js';

/** n points in d dimensions with very different variances along random directions and a large common offset. */
function data(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const rand = () => rng.uniform();
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = 1000 + (rand() - 0.5) * (d - j) * 3 + (j === 1 ? out[i * d] * 0.5 - 500 : 0);
  }
  return out;
}

describe('PCA', () => {
  it('matches a float64 SVD of the centred data (axes up to sign, variances, projections), fitted in chunks', () => {
    const n = 60;
    const d = 6;
    const x = data(n, d, 3);
    const acc = new PcaAccumulator(d);
    acc.add(x.subarray(0, 17 * d));
    acc.add(x.subarray(17 * d));
    const pca = acc.fit(4);
    // Independent reference: SVD of the centred matrix X_c = U S Vᵀ; axes = columns of V, variance = s² / (n − 1).
    const m = new Matrix(n, d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m.set(i, j, x[i * d + j]);
    const centred = m.clone().subRowVector(m.mean('column'));
    const svd = new SVD(centred, { autoTranspose: true });
    const v = svd.rightSingularVectors;
    const z = pca.project(x);
    for (let c = 0; c < 4; c++) {
      expect(pca.json.explainedVariance[c]).toBeCloseTo(svd.diagonal[c] ** 2 / (n - 1), 6);
      const ref = v.getColumn(c);
      const dot = ref.reduce((s, r, j) => s + r * pca.json.components[c][j], 0);
      expect(Math.abs(dot)).toBeCloseTo(1, 8);
      // Scores: X_c V[:, c] (sign-aligned with the fitted axis).
      for (let i = 0; i < n; i++) {
        const score = ref.reduce((s, r, j) => s + r * centred.get(i, j), 0) * Math.sign(dot);
        expect(z[i * 4 + c]).toBeCloseTo(score, 2);
      }
    }
    const ratio = pca.json.explainedVarianceRatio.reduce((s, r) => s + r, 0);
    const total = svd.diagonal.reduce((s, sv) => s + sv * sv, 0);
    expect(ratio).toBeCloseTo(svd.diagonal.slice(0, 4).reduce((s, sv) => s + sv * sv, 0) / total, 8);
  });

  it('recovers the axis of points on a line, signed so the largest entry is positive', () => {
    // Points t·(−3, 4)/5 + (2, 2): one axis ±(−0.6, 0.8); the largest entry is 0.8, so the sign is fixed.
    const x = [-2, -1, 0, 1, 2].flatMap((t) => [2 - 0.6 * t, 2 + 0.8 * t]);
    const pca = Pca.fit(x, 2, 1);
    expect(pca.json.components[0][0]).toBeCloseTo(-0.6, 10);
    expect(pca.json.components[0][1]).toBeCloseTo(0.8, 10);
    expect(pca.json.mean).toEqual([2, 2].map((v) => expect.closeTo(v, 12)));
    expect(Array.from(pca.project([2, 2, 2 - 0.6, 2 + 0.8]))).toEqual([expect.closeTo(0, 6), expect.closeTo(1, 6)]);
  });

  it('saves and loads to the same projection, and refuses bad input', () => {
    const x = data(30, 4, 9);
    const pca = Pca.fit(x, 4, 3);
    const dir = mkdtempSync(join(tmpdir(), 'pca-'));
    const path = join(dir, 'pca.json');
    writeFileSync(path, JSON.stringify(pca));
    const loaded = Pca.load(path);
    expect(Array.from(loaded.project(x, 2))).toEqual(Array.from(pca.project(x, 2)));
    expect(() => pca.project(new Float32Array(10))).toThrow(/vectors of length 10 do not split into rows of the PCA's dimension 4/);
    expect(() => pca.project(x, 5)).toThrow(/option "components": expected an integer in \[1, 3\]/);
    writeFileSync(path, JSON.stringify({ ...pca.json, mean: [1, 2] }));
    expect(() => Pca.load(path)).toThrow(/pca\.json: not a galmorph PCA: "mean" does not have 4 entries/);
    expect(() => Pca.fit([1, 2], 2, 1)).toThrow(/PCA needs at least 2 vectors, got 1/);
  });
});
