/** Draws points from a known diagonal Gaussian mixture (test helper): the truth the cluster tests recover. */
import { Rng } from '../../src/util/rng.js';

export interface KnownMixture {
  weights: number[];
  means: number[][];
  /** Standard deviations per component and coordinate. */
  sds: number[][];
}

export const THREE_BLOBS: KnownMixture = {
  weights: [0.5, 0.3, 0.2],
  means: [
    [0, 0],
    [6, 1],
    [2, 7],
  ],
  sds: [
    [1, 0.5],
    [0.7, 1.2],
    [0.8, 0.8],
  ],
};

/** n points (row-major, dimension of the mixture) and the component each came from. */
export function sampleMixture(mixture: KnownMixture, n: number, seed: number): { values: Float64Array; dimension: number; labels: Int32Array } {
  const rng = new Rng(seed);
  const d = mixture.means[0].length;
  const values = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.categorical(mixture.weights);
    labels[i] = c;
    for (let j = 0; j < d; j++) values[i * d + j] = mixture.means[c][j] + mixture.sds[c][j] * rng.normal();
  }
  return { values, dimension: d, labels };
}

/** Index of the fitted row (of k × d `centers`) nearest to `mean`. */
export function nearestRow(centers: ArrayLike<number>, d: number, mean: number[]): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centers.length / d; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (centers[c * d + j] - mean[j]) ** 2;
    if (s < bestD) {
      bestD = s;
      best = c;
    }
  }
  return best;
}
