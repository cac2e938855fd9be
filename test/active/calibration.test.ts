import { describe, expect, it } from 'vitest';
import { discreteCoverage } from '../../src/active/calibration.js';
import { calibratedMixturePredictive } from '../../src/active/overdispersionCalibration.js';
import { Rng } from '../../src/util/rng.js';

const GALAXIES = 3000;
const PASSES = 5;
const VOTES = 40;

function binomialDraw(n: number, rho: number, rng: Rng): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng.uniform() < rho) k++;
  return k;
}

/** Per galaxy: T pass probabilities around a galaxy-level ρ, and a count drawn from the mixture of those passes. */
function simulate(seed: number): { rho: number[][]; counts: number[] } {
  const rng = new Rng(seed);
  const rho = Array.from({ length: PASSES }, () => new Array<number>(GALAXIES).fill(0));
  const counts: number[] = [];
  for (let b = 0; b < GALAXIES; b++) {
    const centre = rng.range(0.05, 0.95);
    for (let t = 0; t < PASSES; t++) rho[t][b] = Math.min(0.99, Math.max(0.01, centre + 0.15 * (rng.uniform() - 0.5)));
    counts.push(binomialDraw(VOTES, rho[rng.int(PASSES)][b], rng));
  }
  return { rho, counts };
}

describe('discreteCoverage', () => {
  const { rho, counts } = simulate(11);

  it('has coverage error ≈ 0 when the model is the true distribution', () => {
    const coverage = discreteCoverage(calibratedMixturePredictive({ kind: 'binomial', rho }, new Array<number>(GALAXIES).fill(VOTES), null), counts);
    // Observed count ~ sum of independent Bernoullis: std ≈ √(Σ c(1 − c)) ≤ √(3000/4) ≈ 27 of ~2500.
    expect(coverage.coverageError).toBeLessThan(0.03);
    coverage.widths.forEach((w) =>
      expect(Math.abs(coverage.observed[w] - coverage.predicted[w]), `w = ${w}`).toBeLessThan(4 * Math.sqrt(GALAXIES / 4) + 1),
    );
    expect(coverage.predicted[VOTES]).toBeCloseTo(GALAXIES, 6);
    expect(coverage.observed[VOTES]).toBe(GALAXIES);
  });

  it('shows a large error for an over-confident model (one pass, counts from a much wider ρ)', () => {
    const rng = new Rng(5);
    const centres = rho[0].map((r) => r);
    const wideCounts = centres.map((c) => binomialDraw(VOTES, Math.min(0.99, Math.max(0.01, c + 0.6 * (rng.uniform() - 0.5))), rng));
    const coverage = discreteCoverage(calibratedMixturePredictive({ kind: 'binomial', rho: [centres] }, new Array<number>(GALAXIES).fill(VOTES), null), wideCounts, {
      fractionTolerance: 0.1,
    });
    expect(coverage.coverageError).toBeGreaterThan(0.15);
    expect(coverage.observedWithinTolerance).toBeLessThan(coverage.predictedWithinTolerance);
  });

  it('computes a tiny case by hand', () => {
    // N = 2, pmf [0.25, 0.5, 0.25] → mean 1; within ±0: P = 0.5; count 0 is not covered at w = 0, covered at w = 1.
    const coverage = discreteCoverage([[0.25, 0.5, 0.25]], [0], { fractionTolerance: 0.5 });
    expect(coverage.predicted).toEqual([0.5, 1, 1]);
    expect(coverage.observed).toEqual([0, 1, 1]);
    expect(coverage.coverageError).toBe(0);
  });

  it('centres each window on the whole expected count ⌊Σ k P(k)⌋, as the reference code does (hand-computed)', () => {
    // Galaxy C: N = 4, mean 0.5 + 0.4 + 0.3 = 1.2 → centre 1; observed 0. Galaxy D: mean 0.1 + 0.6 + 1.2 + 0.8 = 2.7 → centre 2; observed 4.
    // Windows: C [1,1] 0.5, [0,2] 0.9, [0,3] 1; D [2,2] 0.3, [1,3] 0.8, [0,4] 1.
    // τ = 0.25 → w = 1: P = 0.9 + 0.8 = 1.7, O = 1 (C) + 0 (D) → error 0.7 / 1.7.
    // (A real-valued centre, |k − 1.2| ≤ 1, would give C the window {1, 2}: 0.7, and miss its count 0.)
    const coverage = discreteCoverage([[0.2, 0.5, 0.2, 0.1, 0], [0, 0.1, 0.3, 0.4, 0.2]], [0, 4], { fractionTolerance: 0.25 });
    [0.8, 1.7, 2, 2, 2].forEach((v, w) => expect(coverage.predicted[w], `w = ${w}`).toBeCloseTo(v, 12));
    expect(coverage.observed).toEqual([0, 1, 2, 2, 2]);
    expect(coverage.predictedWithinTolerance).toBeCloseTo(1.7, 12);
    expect(coverage.observedWithinTolerance).toBe(1);
    expect(coverage.coverageError).toBeCloseTo(0.7 / 1.7, 12);
  });

  it('rejects counts outside 0…N and mismatched lengths with messages', () => {
    expect(() => discreteCoverage([[0.5, 0.5]], [2])).toThrow(/galaxy 0 has observed count 2, expected an integer in \[0, 1\]/);
    expect(() => discreteCoverage([[1]], [])).toThrow(/1 predictive distributions for 0 observed counts/);
  });
});
