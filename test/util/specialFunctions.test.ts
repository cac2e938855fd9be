import { describe, expect, it } from 'vitest';
import { betaQuantile, digamma, logBeta, logGamma } from '../../src/util/specialFunctions.js';

describe('special functions', () => {
  it('lnΓ, ψ and ln B against closed forms', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 14); // −γ (Euler–Mascheroni)
    expect(digamma(0.5)).toBeCloseTo(-0.5772156649015329 - 2 * Math.LN2, 14);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
  });

  it('Beta quantiles: uniform, the Beta(2, 2) cubic, and the Beta(a, 1) / Beta(1, b) closed forms', () => {
    for (const p of [0.05, 0.3, 0.5, 0.95]) expect(betaQuantile(p, 1, 1)).toBeCloseTo(p, 12);
    const q = betaQuantile(0.05, 2, 2);
    expect(3 * q * q - 2 * q ** 3).toBeCloseTo(0.05, 12);
    expect(betaQuantile(0.95, 2, 2)).toBeCloseTo(1 - q, 12);
    expect(betaQuantile(0.05, 3.5, 1)).toBeCloseTo(0.05 ** (1 / 3.5), 12);
    expect(betaQuantile(0.95, 1, 40)).toBeCloseTo(1 - 0.05 ** (1 / 40), 12);
    for (const [a, b] of [[1.3, 87], [50, 51], [101, 2]]) {
      expect(betaQuantile(0.05, a, b)).toBeCloseTo(1 - betaQuantile(0.95, b, a), 10);
    }
  });

  it('rejects bad parameters with messages', () => {
    expect(() => betaQuantile(0.5, 0, 1)).toThrow(/shape parameters must be finite and > 0, got a = 0, b = 1/);
    expect(() => betaQuantile(1.5, 1, 1)).toThrow(/probability 1.5, expected a number in \[0, 1\]/);
  });
});
