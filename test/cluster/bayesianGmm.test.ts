import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BAYESIAN_GMM_DEFAULTS,
  type BayesianGmmState,
  bayesianGmmEStep,
  bayesianGmmIterations,
  bayesianGmmMStep,
  expectedLogWeights,
  fitBayesianGmm,
  resolveBayesianPriors,
} from '../../src/cluster/bayesianGmm.js';
import { initialResponsibilities } from '../../src/cluster/diagonalGmm.js';
import { toPoints } from '../../src/cluster/points.js';
import { digamma } from '../../src/util/specialFunctions.js';
import { THREE_BLOBS, nearestRow, sampleMixture } from './sampleMixture.js';

interface SkState {
  alpha: number[];
  beta: number[];
  meanPrecision: number[];
  means: number[];
  degreesOfFreedom: number[];
  covariances: number[];
}
interface SkCase {
  points: number[][];
  labels: number[];
  k: number;
  priors: { weightConcentration: number; meanPrecision: number; mean: number[]; degreesOfFreedom: number; covariance: number[] };
  initialState: SkState;
  steps: { lowerBound: number; meanLogNormaliser: number; expectedLogWeights?: number[]; logResponsibilities?: number[]; state?: SkState }[];
  finalState: SkState;
  weights: number[];
}
// Made by test/fixtures/cluster/make_bayesian_gmm.py with scikit-learn's BayesianGaussianMixture.
const golden = JSON.parse(readFileSync(new URL('../fixtures/cluster/bayesianGmm.sklearn.json', import.meta.url), 'utf8')) as Record<'tiny' | 'medium', SkCase>;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstError = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(error <= worstError)) {
      worstError = error;
      worst = i;
    }
  }
  expect(worstError, worst < 0 ? '' : `entry ${worst}: ${actual[worst]} vs ${expected[worst]}`).toBeLessThanOrEqual(rel);
}

function expectState(actual: BayesianGmmState, expected: SkState): void {
  expectClose(actual.alpha, expected.alpha);
  expectClose(actual.beta, expected.beta);
  expectClose(actual.meanPrecision, expected.meanPrecision);
  expectClose(actual.means, expected.means);
  expectClose(actual.degreesOfFreedom, expected.degreesOfFreedom);
  expectClose(actual.covariances, expected.covariances);
}

describe('bayesianGmm against scikit-learn (golden values from the same initial labels)', () => {
  for (const name of ['tiny', 'medium'] as const) {
    it(`${name}: priors, initial M-step, first E-step, every lower bound and the final posterior`, () => {
      const c = golden[name];
      const points = toPoints(c.points);
      const opts = { ...BAYESIAN_GMM_DEFAULTS, maxComponents: c.k };
      const priors = resolveBayesianPriors(points, opts);
      expect(priors.weightConcentration).toBeCloseTo(c.priors.weightConcentration, 15);
      expect(priors.degreesOfFreedom).toBe(c.priors.degreesOfFreedom);
      expectClose(priors.mean, c.priors.mean);
      expectClose(priors.covariance, c.priors.covariance);

      const init = bayesianGmmMStep(points, initialResponsibilities(points, c.k, { labels: c.labels }, 0, 'test'), c.k, priors, 1e-6);
      expectState(init, c.initialState);
      const first = bayesianGmmEStep(points, init);
      expectClose(expectedLogWeights(init), c.steps[0].expectedLogWeights as number[]);
      expectClose(first.logResponsibilities, c.steps[0].logResponsibilities as number[]);
      expect(first.meanLogNormaliser).toBeCloseTo(c.steps[0].meanLogNormaliser, 9);

      const model = fitBayesianGmm(c.points, { maxComponents: c.k, init: { labels: c.labels } });
      expectClose(model.lowerBoundHistory, c.steps.map((s) => s.lowerBound));
      expect(model.iterations).toBe(c.steps.length);
      expect(model.converged).toBe(true);
      expectState(model.state, c.finalState);
      expectClose(model.weights(), c.weights);
    });
  }
});

describe('bayesianGmm, hand-computed', () => {
  it('M-step from labels [0, 0, 1, 1] on x = 0, 1, 4, 6 and the E-step weights written out from the formulas', () => {
    const points = toPoints([[0], [1], [4], [6]]);
    const priors = resolveBayesianPriors(points, { ...BAYESIAN_GMM_DEFAULTS, maxComponents: 2 });
    const m0 = 11 / 4;
    const cov0 = ((0 - m0) ** 2 + (1 - m0) ** 2 + (4 - m0) ** 2 + (6 - m0) ** 2) / 3;
    expect(priors.mean[0]).toBeCloseTo(m0, 14);
    expect(priors.covariance[0]).toBeCloseTo(cov0, 14);
    expect(priors.weightConcentration).toBe(0.5);
    const s = bayesianGmmMStep(points, [1, 0, 1, 0, 0, 1, 0, 1], 2, priors, 1e-6);
    // N = (2, 2), x̄ = (0.5, 5), S = (0.25, 1) + 1e-6
    expectClose(s.alpha, [3, 3], 1e-14);
    expectClose(s.beta, [0.5 + 2, 0.5], 1e-14);
    expectClose(s.meanPrecision, [3, 3], 1e-14);
    expectClose(s.means, [(m0 + 2 * 0.5) / 3, (m0 + 2 * 5) / 3], 1e-14);
    expectClose(s.degreesOfFreedom, [1 + 2, 1 + 2], 1e-14);
    const cov = (xbar: number, spread: number) => (cov0 + 2 * (spread + 1e-6 + (1 / 3) * (xbar - m0) ** 2)) / 3;
    expectClose(s.covariances, [cov(0.5, 0.25), cov(5, 1)], 1e-13);
    // E[log π_0] = ψ(3) − ψ(5.5); E[log π_1] = ψ(3) − ψ(3.5) + ψ(2.5) − ψ(5.5)
    expectClose(expectedLogWeights(s), [digamma(3) - digamma(5.5), digamma(3) - digamma(3.5) + digamma(2.5) - digamma(5.5)], 1e-14);
    // log ρ_n0 − log ρ_n1 for x = 1: Gaussian and weight terms only differ (both components have ν = 3, β′ = 3)
    const { logResponsibilities: lr } = bayesianGmmEStep(points, s);
    const logN = (x: number, m: number, v: number) => -0.5 * (Math.log(2 * Math.PI * v) + (x - m) ** 2 / v);
    const e = expectedLogWeights(s);
    const expectedDiff = logN(1, s.means[0], s.covariances[0]) + e[0] - logN(1, s.means[1], s.covariances[1]) - e[1];
    expect(lr[2] - lr[3]).toBeCloseTo(expectedDiff, 12);
    expect(Math.exp(lr[2]) + Math.exp(lr[3])).toBeCloseTo(1, 14);
  });
});

describe('bayesianGmm on a known mixture', () => {
  it('with 10 components allowed: lower bound never decreases, 3 components in use, the extra weights ≈ 0, parameters recovered', () => {
    const data = sampleMixture(THREE_BLOBS, 1500, 11);
    const steps: number[] = [];
    const it = bayesianGmmIterations(data, { maxComponents: 10, seed: 2 });
    let r = it.next();
    while (r.done !== true) {
      steps.push(r.value.lowerBound);
      r = it.next();
    }
    const model = r.value;
    for (let i = 1; i < steps.length; i++) expect(steps[i] - steps[i - 1], `iteration ${i + 1}`).toBeGreaterThanOrEqual(-1e-7 * Math.abs(steps[i]));
    expect(model.converged).toBe(true);
    const used = model.effectiveComponents(0.01);
    expect(used.count).toBe(3);
    const w = model.weights();
    let extra = 0;
    w.forEach((v, c) => {
      if (!used.indices.includes(c)) extra += v;
    });
    expect(extra).toBeLessThan(0.01);
    THREE_BLOBS.means.forEach((mean, c) => {
      const f = nearestRow(model.state.means, 2, mean);
      expect(used.indices).toContain(f);
      expect(Math.abs(w[f] - THREE_BLOBS.weights[c])).toBeLessThan(0.04);
      for (let j = 0; j < 2; j++) {
        expect(Math.abs(model.state.means[f * 2 + j] - mean[j])).toBeLessThan(0.15);
        // the posterior covariance adds cov₀/ν_k to the sample spread, so it sits a little above the truth
        expect(model.state.covariances[f * 2 + j] / THREE_BLOBS.sds[c][j] ** 2).toBeGreaterThan(0.8);
        expect(model.state.covariances[f * 2 + j] / THREE_BLOBS.sds[c][j] ** 2).toBeLessThan(1.35);
      }
    });
    let agree = 0;
    const labels = model.predict(data);
    const match = THREE_BLOBS.means.map((m) => nearestRow(model.state.means, 2, m));
    for (let i = 0; i < labels.length; i++) if (labels[i] === match[data.labels[i]]) agree++;
    expect(agree / labels.length).toBeGreaterThan(0.97);
  });

  it('keeps the start with the highest bound and is deterministic for a seed', () => {
    const data = sampleMixture(THREE_BLOBS, 300, 12);
    const a = fitBayesianGmm(data, { maxComponents: 6, restarts: 3, seed: 4 });
    const b = fitBayesianGmm(data, { maxComponents: 6, restarts: 3, seed: 4 });
    expect(Array.from(a.weights())).toEqual(Array.from(b.weights()));
    // start 0 of three is the single start of the same seed: the kept one is at least as good
    const single = fitBayesianGmm(data, { maxComponents: 6, seed: 4, restarts: 1 });
    expect(a.lowerBound).toBeGreaterThanOrEqual(single.lowerBound);
  });

  it('refuses bad input and options with messages naming them', () => {
    expect(() => fitBayesianGmm([[1], [2], [3]], { maxComponents: 5 })).toThrow(/3 points for 5 components/);
    expect(() => fitBayesianGmm([[1, 2], [3, 4], [5, 6]], { maxComponents: 2, meanPrior: [0] })).toThrow(/option "meanPrior": expected 2 values/);
    expect(() => fitBayesianGmm([[1, 2], [3, 4], [5, 6]], { maxComponents: 2, degreesOfFreedomPrior: 0.5 })).toThrow(/degreesOfFreedomPrior.*> D − 1 = 1/);
    expect(() => fitBayesianGmm([[1], [2]], { maxComponents: 1, weightConcentrationPrior: -1 })).toThrow(/option "weightConcentrationPrior"/);
    expect(() => fitBayesianGmm([[1], [Number.POSITIVE_INFINITY]], { maxComponents: 1 })).toThrow(/point 1, coordinate 0 is Infinity/);
    const model = fitBayesianGmm([[1], [2], [3]], { maxComponents: 1 });
    expect(() => model.effectiveComponents(1)).toThrow(/option "threshold"/);
    expect(() => model.responsibilities([[1, 2]])).toThrow(/dimension 2, the model 1/);
  });
});
