import { describe, expect, it } from 'vitest';
import {
  calibratedMixturePredictive, fitOverdispersion, mixtureLogLikelihood, type PassDistributions,
} from '../../src/active/overdispersionCalibration.js';
import { discreteCoverage } from '../../src/active/calibration.js';
import { Rng } from '../../src/util/rng.js';

/** BetaBinomial(N, a, b) by Pólya's urn: each vote is "yes" with probability (a + yes so far) / (a + b + votes so far). */
function betaBinomialDraw(n: number, a: number, b: number, rng: Rng): number {
  let yes = 0;
  for (let j = 0; j < n; j++) if (rng.uniform() < (a + yes) / (a + b + j)) yes++;
  return yes;
}

const VOTES = 40;

/**
 * B galaxies, T passes: pass probabilities scattered a little around a galaxy-level centre (an MC-dropout model
 * narrower than the data), counts drawn from the mixture over passes of BetaBinomial(N, c ρ_t, c (1 − ρ_t)).
 */
function overdispersed(galaxies: number, passes: number, concentration: number, seed: number): { rho: number[][]; counts: number[] } {
  const rng = new Rng(seed);
  const rho = Array.from({ length: passes }, () => new Array<number>(galaxies).fill(0));
  const counts: number[] = [];
  for (let b = 0; b < galaxies; b++) {
    const centre = rng.range(0.1, 0.9);
    for (let t = 0; t < passes; t++) rho[t][b] = Math.min(0.97, Math.max(0.03, centre + 0.1 * (rng.uniform() - 0.5)));
    const t = rng.int(passes);
    counts.push(betaBinomialDraw(VOTES, concentration * rho[t][b], concentration * (1 - rho[t][b]), rng));
  }
  return { rho, counts };
}

describe('beta-binomial calibrated predictive', () => {
  it('equals hand-computed values: c = 3, ρ = 1/3 is BetaBinomial(2; 1, 2) = [1/2, 1/3, 1/6]', () => {
    // C(2,k) B(k+1, 4−k) / B(1,2): k=0: (1/4)/(1/2); k=1: 2 (1/12)/(1/2); k=2: (1/12)/(1/2). Pólya: P(0) = (2/3)(3/4) = 1/2.
    const [p] = calibratedMixturePredictive({ kind: 'binomial', rho: [[1 / 3]] }, [2], 3);
    [1 / 2, 1 / 3, 1 / 6].forEach((v, k) => expect(p[k]).toBeCloseTo(v, 12));
  });

  it('mixes passes with equal weights and tends to the binomial as c grows', () => {
    const d: PassDistributions = { kind: 'binomial', rho: [[1 / 3], [0.5]] };
    const [p] = calibratedMixturePredictive(d, [2], 3);
    // Pass 2: BetaBinomial(2; 1.5, 1.5), by Pólya's urn P(0) = P(2) = (1.5/3)(2.5/4) = 0.3125.
    const second = [0.3125, 1 - 2 * 0.3125, 0.3125];
    [1 / 2, 1 / 3, 1 / 6].forEach((v, k) => expect(p[k]).toBeCloseTo((v + second[k]) / 2, 12));
    const [near] = calibratedMixturePredictive({ kind: 'binomial', rho: [[0.3]] }, [3], 1e7);
    [0.343, 0.441, 0.189, 0.027].forEach((v, k) => expect(near[k]).toBeCloseTo(v, 5));
    const [binomial] = calibratedMixturePredictive({ kind: 'binomial', rho: [[0.3]] }, [3], null);
    [0.343, 0.441, 0.189, 0.027].forEach((v, k) => expect(binomial[k]).toBeCloseTo(v, 12));
  });

  it('scales Dirichlet concentrations: s = 1 is the model, s = 2 doubles both shape parameters', () => {
    const d: PassDistributions = { kind: 'beta-binomial', alpha: [[0.5]], beta: [[1]] };
    const [same] = calibratedMixturePredictive(d, [2], 1);
    const [doubled] = calibratedMixturePredictive(d, [2], 2);
    const [direct] = calibratedMixturePredictive({ kind: 'beta-binomial', alpha: [[1]], beta: [[2]] }, [2], null);
    [1 / 2, 1 / 3, 1 / 6].forEach((v, k) => {
      expect(doubled[k]).toBeCloseTo(v, 12);
      expect(direct[k]).toBeCloseTo(v, 12);
    });
    // BetaBinomial(2; 0.5, 1): P(0) = (1/1.5)(2/2.5) = 8/15, P(2) = (0.5/1.5)(1.5/2.5) = 1/5.
    [8 / 15, 1 - 8 / 15 - 1 / 5, 1 / 5].forEach((v, k) => expect(same[k]).toBeCloseTo(v, 12));
  });

  it('log-likelihood is the sum of ln of the predictive at the observed counts', () => {
    const d: PassDistributions = { kind: 'binomial', rho: [[0.2, 0.7], [0.4, 0.6]] };
    const predictive = calibratedMixturePredictive(d, [5, 3], 4);
    expect(mixtureLogLikelihood(d, [5, 3], [1, 3], 4)).toBeCloseTo(Math.log(predictive[0][1]) + Math.log(predictive[1][3]), 12);
  });
});

describe('fitOverdispersion', () => {
  it('recovers a known beta-binomial concentration from simulated votes (binomial head)', () => {
    for (const truth of [4, 15]) {
      const { rho, counts } = overdispersed(600, 3, truth, truth);
      const fit = fitOverdispersion({ kind: 'binomial', rho }, new Array<number>(600).fill(VOTES), counts);
      expect(fit.parameter).toBe('concentration');
      expect(fit.atBound).toBeNull();
      expect(Math.abs(Math.log(fit.value / truth)), `c = ${fit.value} vs ${truth}`).toBeLessThan(0.25);
      expect(fit.logLikelihood).toBeGreaterThan(fit.uncalibratedLogLikelihood);
      expect(fit.galaxies).toBe(600);
    }
  });

  it('recovers a known scale of Dirichlet concentrations', () => {
    const rng = new Rng(3);
    const galaxies = 600;
    const alpha = [[] as number[], [] as number[]];
    const beta = [[] as number[], [] as number[]];
    const counts: number[] = [];
    const scale = 0.25;
    for (let b = 0; b < galaxies; b++) {
      for (let t = 0; t < 2; t++) {
        alpha[t].push(rng.range(2, 30));
        beta[t].push(rng.range(2, 30));
      }
      const t = rng.int(2);
      counts.push(betaBinomialDraw(VOTES, scale * alpha[t][b], scale * beta[t][b], rng));
    }
    const fit = fitOverdispersion({ kind: 'beta-binomial', alpha, beta }, new Array<number>(galaxies).fill(VOTES), counts);
    expect(fit.parameter).toBe('scale');
    expect(Math.abs(Math.log(fit.value / scale)), `s = ${fit.value}`).toBeLessThan(0.25);
  });

  it('says when binomial votes need no widening (c at its upper bound)', () => {
    const rng = new Rng(9);
    const rho = [Array.from({ length: 500 }, () => rng.range(0.1, 0.9))];
    const counts = rho[0].map((p) => {
      let k = 0;
      for (let j = 0; j < VOTES; j++) if (rng.uniform() < p) k++;
      return k;
    });
    const fit = fitOverdispersion({ kind: 'binomial', rho }, new Array<number>(500).fill(VOTES), counts);
    expect(fit.value).toBeGreaterThan(200);
  });

  it('a concentration fitted on validation galaxies gives near-nominal coverage on other galaxies', () => {
    const truth = 4;
    const validation = overdispersed(600, 3, truth, 21);
    const test = overdispersed(1200, 3, truth, 22);
    const votes = (n: number) => new Array<number>(n).fill(VOTES);
    const fit = fitOverdispersion({ kind: 'binomial', rho: validation.rho }, votes(600), validation.counts);
    const raw = discreteCoverage(calibratedMixturePredictive({ kind: 'binomial', rho: test.rho }, votes(1200), null), test.counts);
    const calibrated = discreteCoverage(calibratedMixturePredictive({ kind: 'binomial', rho: test.rho }, votes(1200), fit.value), test.counts);
    expect(raw.coverageError).toBeGreaterThan(0.2);
    // ≈ 700 of 1,200 galaxies inside ±8 votes: a binomial sd of ≈ 17 galaxies (2.4%) plus the fit's own error.
    expect(calibrated.coverageError).toBeLessThan(0.06);
    calibrated.widths.forEach((w) => expect(Math.abs(calibrated.observed[w] - calibrated.predicted[w]) / 1200, `w = ${w}`).toBeLessThan(0.05));
  });

  it('refuses to fit without galaxies that have votes, saying what to do', () => {
    expect(() => fitOverdispersion({ kind: 'binomial', rho: [[0.5, 0.5]] }, [0, 0], [0, 0]))
      .toThrow(/none of the 2 held-out galaxies has votes.*--val-size.*--calibrate none/);
    expect(() => fitOverdispersion({ kind: 'binomial', rho: [[]] }, [], []))
      .toThrow(/none of the 0 held-out galaxies has votes/);
    expect(() => fitOverdispersion({ kind: 'binomial', rho: [[0.5]] }, [4], [5])).toThrow(/galaxy 0 has observed count 5, expected an integer in \[0, 4\]/);
  });
});
