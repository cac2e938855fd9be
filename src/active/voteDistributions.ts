/**
 * Float64 probability mass functions of vote counts, and the enumeration of count vectors, used by BALD and
 * calibration:
 * - Binomial(k; N, ρ) for one yes/no answer,
 * - Dirichlet-multinomial(k; N, α) for one question,
 * - Beta-binomial(k; N, a, b), the marginal of one answer of a Dirichlet-multinomial (a = α_a, b = A − α_a).
 */
import { logBeta, logGamma } from '../util/specialFunctions.js';

/** ln Binomial(k; N, ρ); exact 0/−∞ at ρ ∈ {0, 1}. */
export function binomialLogPmf(k: number, n: number, rho: number): number {
  const coefficient = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  const yes = k === 0 ? 0 : k * Math.log(rho);
  const no = n - k === 0 ? 0 : (n - k) * Math.log(1 - rho);
  return coefficient + yes + no;
}

/** Binomial(k; N, ρ) for k = 0…N. */
export function binomialPmfVector(n: number, rho: number): Float64Array {
  const p = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) p[k] = Math.exp(binomialLogPmf(k, n, rho));
  return p;
}

/** ln BetaBinomial(k; N, a, b) = ln C(N, k) + ln B(k + a, N − k + b) − ln B(a, b). */
export function betaBinomialLogPmf(k: number, n: number, a: number, b: number): number {
  const coefficient = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  return coefficient + logBeta(k + a, n - k + b) - logBeta(a, b);
}

/** BetaBinomial(k; N, a, b) for k = 0…N. */
export function betaBinomialPmfVector(n: number, a: number, b: number): Float64Array {
  const p = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) p[k] = Math.exp(betaBinomialLogPmf(k, n, a, b));
  return p;
}

/**
 * Evaluates ln DirichletMultinomial(k; N, α) for many count vectors with the same N and α: precomputes the log
 * rising factorials ln[Γ(α_a + j)/Γ(α_a)] for j = 0…N so each evaluation is O(A).
 */
export class DirichletMultinomialLogPmf {
  private readonly rising: Float64Array[];
  private readonly logFactorial: Float64Array;
  private readonly constant: number;

  constructor(
    readonly total: number,
    readonly alpha: readonly number[],
  ) {
    this.rising = alpha.map((a) => cumulativeLogs(a, total));
    this.logFactorial = cumulativeLogs(1, total);
    const concentration = alpha.reduce((s, a) => s + a, 0);
    this.constant = this.logFactorial[total] - cumulativeLogs(concentration, total)[total];
  }

  /** ln p(counts); counts must sum to `total`. */
  at(counts: ArrayLike<number>): number {
    let s = this.constant;
    for (let a = 0; a < this.alpha.length; a++) s += this.rising[a][counts[a]] - this.logFactorial[counts[a]];
    return s;
  }
}

/** out[j] = Σ_{i<j} ln(x + i) = ln[Γ(x + j)/Γ(x)], j = 0…n. */
function cumulativeLogs(x: number, n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let j = 1; j <= n; j++) out[j] = out[j - 1] + Math.log(x + j - 1);
  return out;
}

/** Number of count vectors of A answers summing to N: C(N + A − 1, A − 1) (as a float; may be huge). */
export function countVectorCount(total: number, answers: number): number {
  return Math.round(Math.exp(logGamma(total + answers) - logGamma(total + 1) - logGamma(answers)));
}

/** Calls `visit` with every count vector of `answers` non-negative integers summing to `total` (reused buffer). */
export function forEachCountVector(total: number, answers: number, visit: (counts: Int32Array) => void): void {
  const counts = new Int32Array(answers);
  const fill = (position: number, remaining: number): void => {
    if (position === answers - 1) {
      counts[position] = remaining;
      visit(counts);
      return;
    }
    for (let k = 0; k <= remaining; k++) {
      counts[position] = k;
      fill(position + 1, remaining - k);
    }
  };
  fill(0, total);
}
