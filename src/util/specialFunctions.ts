/**
 * The float64 special functions of the non-tensor code (the Dirichlet-multinomial host op, vote distributions, BALD,
 * calibration, Beta intervals, the multinomial coefficient of the vote NLL), one home for all of them, from @stdlib
 * (kept, tested libraries).
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import digammaFn from '@stdlib/math-base-special-digamma';
import betaln from '@stdlib/math-base-special-betaln';
import betaQuantileFn from '@stdlib/stats-base-dists-beta-quantile';
import erfc from '@stdlib/math-base-special-erfc';
import { InputError } from './errors.js';

/** lnΓ(x). */
export const logGamma: (x: number) => number = gammaln;

/** ψ(x) = d lnΓ(x) / dx. */
export const digamma: (x: number) => number = digammaFn;

/** ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b). */
export const logBeta: (a: number, b: number) => number = betaln;

/** Φ(z), the standard normal CDF, as ½ erfc(−z/√2) (accurate far into both tails, unlike 1 − ½ erfc(z/√2)). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** φ(z), the standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** The x with P(X ≤ x) = p for X ~ Beta(a, b); a, b finite and > 0, p in [0, 1]. */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    throw new InputError(`betaQuantile: Beta shape parameters must be finite and > 0, got a = ${a}, b = ${b}`);
  }
  if (!(p >= 0 && p <= 1)) throw new InputError(`betaQuantile: probability ${p}, expected a number in [0, 1]`);
  return betaQuantileFn(p, a, b);
}

/**
 * The t with P(T ≤ t) = p for Student's t with `dof` degrees of freedom (p in (0, 1), dof > 0), through the Beta
 * quantile: P(|T| > t) = I_{ν/(ν+t²)}(ν/2, ½), so for p > ½, x = Beta⁻¹(2(1 − p); ν/2, ½) and t = √(ν(1 − x)/x).
 */
export function studentTQuantile(p: number, dof: number): number {
  if (!(dof > 0 && Number.isFinite(dof))) throw new InputError(`studentTQuantile: degrees of freedom must be finite and > 0, got ${dof}`);
  if (!(p > 0 && p < 1)) throw new InputError(`studentTQuantile: probability ${p}, expected a number in (0, 1)`);
  if (p === 0.5) return 0;
  const tail = 2 * Math.min(p, 1 - p);
  const x = betaQuantile(tail, dof / 2, 0.5);
  const t = Math.sqrt((dof * (1 - x)) / x);
  return p > 0.5 ? t : -t;
}
