import { describe, expect, it } from 'vitest';
import { argmax, classificationMetrics } from '../../../src/train/metrics/classificationMetrics.js';

describe('classification metrics', () => {
  it('match hand-computed accuracy, balanced accuracy (absent class left out), clipped log loss and confusion', () => {
    const p = [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4], [0.5, 0.5, 0]];
    const y = [0, 2, 2, 2];
    const m = classificationMetrics(p, y);
    // predicted 0, 1, 2, 0 (the tie 0.5/0.5 goes to the lower index): right on galaxies 1 and 3
    expect(m.accuracy).toBe(0.5);
    // recall of class 0: 1/1, class 2: 1/3; class 1 never true, left out
    expect(m.balancedAccuracy).toBeCloseTo((1 + 1 / 3) / 2, 12);
    // −ln p_true, p = 0 clipped to 1e-15 (scikit-learn)
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3) + Math.log(0.4) + Math.log(1e-15)) / 4, 12);
    expect(m.confusion).toEqual([[1, 0, 0], [0, 0, 0], [1, 1, 1]]);
    expect(argmax([0.2, 0.4, 0.4])).toBe(1);
  });

  it('refuses mismatched lengths and out-of-range labels, naming them', () => {
    expect(() => classificationMetrics([[0.5, 0.5]], [0, 1])).toThrow(/labels.*one per galaxy/);
    expect(() => classificationMetrics([[0.5, 0.5]], [2])).toThrow(/labels\[0\].*class index in \[0, 1\]/);
  });
});
