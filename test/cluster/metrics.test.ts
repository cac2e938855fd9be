import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../src/cluster/metrics/adjustedRandIndex.js';
import { calinskiHarabasz } from '../../src/cluster/metrics/calinskiHarabasz.js';
import { contingency } from '../../src/cluster/metrics/contingency.js';
import { gammaOverlap } from '../../src/cluster/metrics/gammaOverlap.js';
import { hungarianAccuracy } from '../../src/cluster/metrics/hungarianAccuracy.js';
import { normalizedMutualInformation } from '../../src/cluster/metrics/normalizedMutualInformation.js';
import { simplifiedSilhouette } from '../../src/cluster/metrics/simplifiedSilhouette.js';

interface LabelCase {
  true: number[];
  pred: number[];
  ari: number;
  nmi: number;
  hungarianAccuracy: number;
}
interface Golden {
  labels: Record<string, LabelCase>;
  geometry: {
    points: number[][];
    labels: number[];
    calinskiHarabasz: number;
    silhouette: { overall: number; perCluster: number[] };
    givenCenters: number[];
    silhouetteGivenCenters: { overall: number; perCluster: number[] };
  };
}
// Made by test/fixtures/cluster/make_metrics.py (scikit-learn, scipy's linear_sum_assignment, numpy).
const golden = JSON.parse(readFileSync(new URL('../fixtures/cluster/metrics.sklearn.json', import.meta.url), 'utf8')) as Golden;

describe('label agreement metrics against scikit-learn / scipy', () => {
  for (const [name, c] of Object.entries(golden.labels)) {
    it(`${name}: ARI, NMI and Hungarian accuracy`, () => {
      expect(adjustedRandIndex(c.true, c.pred)).toBeCloseTo(c.ari, 12);
      expect(normalizedMutualInformation(c.true, c.pred)).toBeCloseTo(c.nmi, 12);
      expect(hungarianAccuracy(c.true, c.pred).accuracy).toBeCloseTo(c.hungarianAccuracy, 14);
    });
  }
});

describe('label agreement metrics, hand-checkable cases', () => {
  it('a relabelled perfect clustering scores 1 everywhere, and the matching is the relabelling', () => {
    const t = [0, 0, 1, 1, 2, 2];
    const p = [5, 5, 3, 3, 9, 9];
    expect(adjustedRandIndex(t, p)).toBe(1);
    expect(normalizedMutualInformation(t, p)).toBeCloseTo(1, 14);
    const h = hungarianAccuracy(t, p);
    expect(h.accuracy).toBe(1);
    expect(h.matches).toEqual([
      { cluster: 3, trueClass: 1, count: 2 },
      { cluster: 5, trueClass: 0, count: 2 },
      { cluster: 9, trueClass: 2, count: 2 },
    ]);
  });

  it('a 2 × 2 case written out: contingency [[2, 1], [0, 3]]', () => {
    const t = [0, 0, 0, 1, 1, 1];
    const p = [0, 0, 1, 1, 1, 1];
    expect(contingency(t, p).table).toEqual([
      [2, 1],
      [0, 3],
    ]);
    // accuracy: match (0→0, 1→1) = 5/6
    expect(hungarianAccuracy(t, p).accuracy).toBeCloseTo(5 / 6, 15);
    // ARI: Σ C(n_ij, 2) = 1 + 3 = 4; rows C(3,2)·2 = 6; columns C(2,2) + C(4,2) = 7; C(6,2) = 15
    const expected = (4 - (6 * 7) / 15) / ((6 + 7) / 2 - (6 * 7) / 15);
    expect(adjustedRandIndex(t, p)).toBeCloseTo(expected, 14);
    // NMI: I = Σ p_ij ln(p_ij / (p_i p_j)), H(T) = ln 2, H(P) = −(1/3 ln 1/3 + 2/3 ln 2/3)
    const mi = (2 / 6) * Math.log((2 / 6) / ((1 / 2) * (2 / 6))) + (1 / 6) * Math.log((1 / 6) / ((1 / 2) * (4 / 6))) + (3 / 6) * Math.log((3 / 6) / ((1 / 2) * (4 / 6)));
    const hp = -((1 / 3) * Math.log(1 / 3) + (2 / 3) * Math.log(2 / 3));
    expect(normalizedMutualInformation(t, p)).toBeCloseTo(mi / ((Math.LN2 + hp) / 2), 14);
  });

  it('edge cases as scikit-learn: one cluster each → 1; everything together against everything apart → ARI 0, NMI 0', () => {
    expect(adjustedRandIndex([1, 1, 1], [4, 4, 4])).toBe(1);
    expect(normalizedMutualInformation([1, 1, 1], [4, 4, 4])).toBe(1);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(normalizedMutualInformation([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
  });

  it('refuses mismatched lengths and non-integer labels', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(/2 true labels but 1 predicted labels/);
    expect(() => hungarianAccuracy([0, 1.5], [0, 1])).toThrow(/true labels: label of point 1 is 1.5/);
    expect(() => normalizedMutualInformation([], [])).toThrow(/no labels given/);
  });
});

describe('geometric cluster metrics', () => {
  const g = golden.geometry;
  it('Calinski–Harabasz equals scikit-learn', () => {
    expect(calinskiHarabasz(g.points, g.labels)).toBeCloseTo(g.calinskiHarabasz, 10);
  });

  it('simplified silhouette per cluster and overall equals the numpy computation, with cluster means and with given centres', () => {
    const s = simplifiedSilhouette(g.points, g.labels);
    expect(s.overall).toBeCloseTo(g.silhouette.overall, 12);
    s.clusters.forEach((c, k) => expect(c.silhouette).toBeCloseTo(g.silhouette.perCluster[k], 12));
    expect(s.clusters.map((c) => c.size)).toEqual([15, 15, 10]);
    const t = simplifiedSilhouette(g.points, g.labels, g.givenCenters);
    expect(t.overall).toBeCloseTo(g.silhouetteGivenCenters.overall, 12);
    t.clusters.forEach((c, k) => expect(c.silhouette).toBeCloseTo(g.silhouetteGivenCenters.perCluster[k], 12));
  });

  it('a 1-D case by hand: points 0, 2 | 10 → centres 1, 10', () => {
    const s = simplifiedSilhouette([[0], [2], [10]], [0, 0, 1]);
    // point 0: a = 1, b = 10 → 0.9; point 2: a = 1, b = 8 → 7/8; point 10: a = 0, b = 9 → 1
    expect(s.values[0]).toBeCloseTo(0.9, 15);
    expect(s.values[1]).toBeCloseTo(7 / 8, 15);
    expect(s.values[2]).toBe(1);
    expect(s.clusters[0].silhouette).toBeCloseTo((0.9 + 7 / 8) / 2, 15);
    // CH: between = 2·(1 − 4)² + 1·(10 − 4)² = 54, within = 2; (54 / 1) / (2 / 1) = 27
    expect(calinskiHarabasz([[0], [2], [10]], [0, 0, 1])).toBeCloseTo(27, 12);
  });

  it('refuses one cluster and labels without a centre', () => {
    expect(() => simplifiedSilhouette([[0], [1]], [0, 0])).toThrow(/all points are in one cluster/);
    expect(() => simplifiedSilhouette([[0], [1]], [0, 3], [0, 1])).toThrow(/label 3 has no centre \(2 centres given\)/);
    expect(() => calinskiHarabasz([[0], [1]], [0, 1])).toThrow(/2 distinct labels for 2 points/);
  });
});

describe('gammaOverlap', () => {
  it('row a is the mean γ of the galaxies whose argmax is a; empty clusters are NaN', () => {
    const gamma = [0.8, 0.2, 0, 0.6, 0.4, 0, 0.1, 0.9, 0];
    const o = gammaOverlap(gamma, 3);
    expect(o.sizes).toEqual([2, 1, 0]);
    expect(Array.from(o.assigned)).toEqual([0, 0, 1]);
    expect(o.matrix[0][0]).toBeCloseTo(0.7, 15);
    expect(o.matrix[0][1]).toBeCloseTo(0.3, 15);
    expect(o.matrix[0][2]).toBe(0);
    expect(o.matrix[1]).toEqual([0.1, 0.9, 0]);
    expect(o.matrix[2].every(Number.isNaN)).toBe(true);
    expect(() => gammaOverlap([0.5, 0.5, 0.2], 2)).toThrow(/3 responsibilities is not a whole/);
    expect(() => gammaOverlap([0.5, Number.NaN], 2)).toThrow(/galaxy 0, component 1 is NaN/);
    // float32 responsibilities a few ulps above 1 are accepted; 1.01 is not
    expect(gammaOverlap(Float32Array.of(Math.fround(1 + 1.2e-7), 0), 2).sizes).toEqual([1, 0]);
    expect(() => gammaOverlap([1.01, 0], 2)).toThrow(/component 0 is 1.01/);
  });
});
