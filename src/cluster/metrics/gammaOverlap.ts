/**
 * The mean-γ overlap matrix of a soft clustering (AstroVaDEr's cluster-overlap picture): with γ_ik the responsibility
 * of component k for galaxy i and A(i) = argmax_k γ_ik its assigned cluster,
 *   M[a][b] = mean over the galaxies assigned to a of γ_ib.
 * Each row of an occupied cluster sums to 1; a large off-diagonal M[a][b] means cluster a's galaxies are also well
 * explained by b. Rows of clusters with no galaxies are NaN (and their size 0).
 */
import { InputError } from '../../util/errors.js';

export interface GammaOverlap {
  /** K × K, rows: assigned cluster, columns: component. */
  matrix: number[][];
  /** Galaxies assigned to each cluster (argmax γ). */
  sizes: number[];
  /** argmax_k γ_ik of each galaxy. */
  assigned: Int32Array;
}

/** @param gamma responsibilities, n × K row-major, each row non-negative. */
export function gammaOverlap(gamma: ArrayLike<number>, k: number): GammaOverlap {
  if (!Number.isInteger(k) || k < 1) throw new InputError(`gammaOverlap: ${k} components, expected a positive integer`);
  if (gamma.length % k !== 0 || gamma.length === 0) {
    throw new InputError(`gammaOverlap: ${gamma.length} responsibilities is not a whole, non-zero number of rows of ${k}`);
  }
  const n = gamma.length / k;
  const sums = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const sizes = new Array<number>(k).fill(0);
  const assigned = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 0; c < k; c++) {
      const g = gamma[i * k + c];
      // float32 softmax outputs can exceed 1 by a few ulps (~1e-7)
      if (!(g >= 0 && g <= 1 + 1e-6)) throw new InputError(`gammaOverlap: γ of galaxy ${i}, component ${c} is ${g}, expected a probability`);
      if (g > gamma[i * k + best]) best = c;
    }
    assigned[i] = best;
    sizes[best]++;
    for (let c = 0; c < k; c++) sums[best][c] += gamma[i * k + c];
  }
  return { matrix: sums.map((row, a) => row.map((v) => (sizes[a] === 0 ? Number.NaN : v / sizes[a]))), sizes, assigned };
}
