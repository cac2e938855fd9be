/**
 * Sérsic surface-brightness profile I(r) = I_e · exp(−b_n [(r/r_e)^(1/n) − 1]): the constant b_n and the
 * central normalisation that gives a chosen total flux.
 */

/** b_n such that r_e encloses half the light (Ciotti & Bertin 1999 asymptotic series, good for n ≥ 0.36). */
export function sersicB(n: number): number {
  return 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n) + 131 / (1148175 * n * n * n);
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; relative error < 1e-13). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Surface brightness at r = r_e (I_e) of an elliptical Sérsic profile with total flux `flux`, effective radius
 * `re` (major axis, pixels) and axis ratio q: flux = 2π n q r_e² I_e e^{b_n} b_n^{−2n} Γ(2n).
 */
export function sersicIe(flux: number, n: number, re: number, q: number): number {
  const b = sersicB(n);
  const lnTotal = Math.log(2 * Math.PI * n * q * re * re) + b - 2 * n * Math.log(b) + lnGamma(2 * n);
  return flux / Math.exp(lnTotal);
}
