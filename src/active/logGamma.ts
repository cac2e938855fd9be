/**
 * lnΓ(x) in float64 for the non-neural vote-distribution code (BALD, calibration, Beta quantiles), which works on
 * plain numbers rather than tensors. Lanczos approximation (g = 7, 9 coefficients; ~1e-15 relative), with the
 * reflection formula below ½. The differentiable tensor counterpart is `losses/lgamma.ts`.
 */

const G = 7;
const COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let series = COEFFICIENTS[0];
  for (let i = 1; i < COEFFICIENTS.length; i++) series += COEFFICIENTS[i] / (y + i);
  const t = y + G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(series);
}

/** ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}
