import { describe, expect, it } from 'vitest';
import { logGamma } from '../../src/util/specialFunctions.js';
import { calibratedMixturePredictive } from '../../src/active/overdispersionCalibration.js';
import {
  DirichletMultinomialLogPmf,
  betaBinomialPmfVector,
  binomialPmfVector,
  countVectorCount,
  forEachCountVector,
} from '../../src/active/voteDistributions.js';

describe('vote distributions (float64)', () => {
  it('logGamma gives ln (n − 1)! and ln √π', () => {
    let logFact = 0;
    for (let n = 1; n <= 30; n++) {
      expect(logGamma(n)).toBeCloseTo(logFact, 10);
      logFact += Math.log(n);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  it('binomial and beta-binomial pmfs sum to 1; beta-binomial(1, 1) is uniform', () => {
    expect(binomialPmfVector(40, 0.3).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    expect(betaBinomialPmfVector(25, 2.5, 7).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    betaBinomialPmfVector(9, 1, 1).forEach((p) => expect(p).toBeCloseTo(0.1, 12));
  });

  it('enumerates C(N + A − 1, A − 1) count vectors and the DM pmf sums to 1 over them', () => {
    let visited = 0;
    let total = 0;
    const pmf = new DirichletMultinomialLogPmf(7, [0.8, 3, 12, 1.5]);
    forEachCountVector(7, 4, (k) => {
      visited++;
      total += Math.exp(pmf.at(k));
    });
    expect(visited).toBe(countVectorCount(7, 4));
    expect(visited).toBe(120);
    expect(total).toBeCloseTo(1, 12);
  });

  it('beta-binomial equals the DM marginal of one answer (summing the DM over the other answers)', () => {
    const alpha = [2, 5, 1.5];
    const pmf = new DirichletMultinomialLogPmf(6, alpha);
    const marginal = new Float64Array(7);
    forEachCountVector(6, 3, (k) => {
      marginal[k[1]] += Math.exp(pmf.at(k));
    });
    // One pass, one galaxy: answer 1's concentration against the rest of its question's.
    const [predictive] = calibratedMixturePredictive({ kind: 'beta-binomial', alpha: [[alpha[1]]], beta: [[alpha[0] + alpha[2]]] }, [6], null);
    marginal.forEach((m, k) => expect(predictive[k]).toBeCloseTo(m, 12));
  });
});
