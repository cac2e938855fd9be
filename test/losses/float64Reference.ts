/**
 * Independent float64 reference formulas for the loss tests. None of them shares code or method with src/losses:
 * pmfs are built from products of integers and rising factorials (Pólya urn), lnΓ from Lanczos (g = 7), ψ from the
 * recurrence plus its asymptotic series.
 */

/** ln n! as a sum of logs of integers. */
export function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** ln[N!/Π k_a!]. */
export function logMultinomialCoefficient(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  return logFactorial(total) - counts.reduce((s, k) => s + logFactorial(k), 0);
}

/** ln Multinomial(k; N, p). */
export function multinomialLogPmf(counts: readonly number[], p: readonly number[]): number {
  return logMultinomialCoefficient(counts) + counts.reduce((s, k, a) => s + (k === 0 ? 0 : k * Math.log(p[a])), 0);
}

/**
 * ln DirichletMultinomial(k; N, α) via the Pólya urn: any one ordering of the votes has probability
 * Π_a Π_{j<k_a} (α_a + j) / Π_{j<N} (A + j), times the number of orderings N!/Π k_a!.
 */
export function polyaUrnLogPmf(counts: readonly number[], alpha: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const concentration = alpha.reduce((a, b) => a + b, 0);
  let s = logMultinomialCoefficient(counts);
  counts.forEach((k, a) => {
    for (let j = 0; j < k; j++) s += Math.log(alpha[a] + j);
  });
  for (let j = 0; j < total; j++) s -= Math.log(concentration + j);
  return s;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** lnΓ(x) for x > 0 (Lanczos, g = 7, with reflection below ½). */
export function lnGammaLanczos(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGammaLanczos(1 - x);
  const y = x - 1;
  let a = LANCZOS[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) for x > 0: recurrence up to x ≥ 10, then ln x − 1/(2x) − Σ B_2n/(2n x^2n). */
export function digamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  const tail = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))));
  return shift + Math.log(x) - 1 / (2 * x) - tail;
}

/** All count vectors of `answers` non-negative integers summing to `total`. */
export function compositions(total: number, answers: number): number[][] {
  if (answers === 1) return [[total]];
  const out: number[][] = [];
  for (let k = 0; k <= total; k++) for (const rest of compositions(total - k, answers - 1)) out.push([k, ...rest]);
  return out;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
