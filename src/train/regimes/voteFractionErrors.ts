/**
 * How far predicted answer probabilities p are from reference vote fractions f (volunteers' fractions, or the
 * simulator's true probabilities), per galaxy over one question's answers a:
 *   sum-abs  Σ_a |p_a − f_a|     — what the ET-VAE paper's Table 1 calls "RMSE" (its code takes √((p−f)²) per answer)
 *   RMSE     √(mean over galaxies and answers of (p_a − f_a)²)  — a true root mean squared error
 * Galaxies whose reference row does not sum to about 1 (the question was not asked) are left out and counted.
 */
export interface VoteFractionErrors {
  /** Mean over galaxies of Σ_a |p_a − f_a| (the paper's "RMSE"). */
  sumAbs: number;
  /** √ of the mean squared difference over galaxies and answers. */
  rmse: number;
  /** Galaxies scored. */
  galaxies: number;
  /** Galaxies left out because their reference fractions do not sum to 1 (question not asked). */
  leftOut: number;
}

/** p and f are [N × A] row-major; `answers` = A. */
export function voteFractionErrors(p: ArrayLike<number>, f: ArrayLike<number>, answers: number): VoteFractionErrors {
  if (p.length !== f.length || p.length % answers !== 0) {
    throw new Error(`voteFractionErrors: predictions (${p.length} values) and references (${f.length}) must both be N × ${answers}`);
  }
  let sumAbs = 0;
  let sumSq = 0;
  let galaxies = 0;
  let leftOut = 0;
  for (let i = 0; i < p.length / answers; i++) {
    let total = 0;
    for (let a = 0; a < answers; a++) total += f[i * answers + a];
    if (Math.abs(total - 1) > 0.02) {
      leftOut += 1;
      continue;
    }
    for (let a = 0; a < answers; a++) {
      const d = p[i * answers + a] - f[i * answers + a];
      sumAbs += Math.abs(d);
      sumSq += d * d;
    }
    galaxies += 1;
  }
  if (galaxies === 0) return { sumAbs: NaN, rmse: NaN, galaxies, leftOut };
  return { sumAbs: sumAbs / galaxies, rmse: Math.sqrt(sumSq / (galaxies * answers)), galaxies, leftOut };
}

/** Mean over galaxies and answers of |p − q| between two prediction sets of the same galaxies (e.g. rotated vs not). */
export function meanAbsDifference(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length || p.length === 0) throw new Error(`meanAbsDifference: sizes ${p.length} and ${q.length} must match and be > 0`);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return s / p.length;
}
