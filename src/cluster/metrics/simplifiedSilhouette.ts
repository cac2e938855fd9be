/**
 * Simplified silhouette (Hruschka et al. 2004), per cluster and overall: distances to cluster centres instead of to
 * every other point, so it costs O(n·K·d) rather than O(n²·d). For point i in cluster A, with centres c_k (the mean
 * of each cluster's points, or centres given, e.g. a GMM's μ_k):
 *   a_i = ‖x_i − c_A‖,  b_i = min_{k≠A} ‖x_i − c_k‖,  s_i = (b_i − a_i) / max(a_i, b_i)  (0 when both are 0).
 * Per cluster: the mean s_i of its points; overall: the mean over all points. Only clusters that have points compete
 * for b_i. Needs at least 2 clusters with points.
 */
import { InputError } from '../../util/errors.js';
import { type PointsInput, toPoints } from '../points.js';
import { checkLabels } from './contingency.js';
import { clusterMeans } from './clusterMeans.js';

export interface SimplifiedSilhouette {
  /** Mean s_i over all points. */
  overall: number;
  /** Per distinct label (ascending): points and mean s_i. */
  clusters: { label: number; size: number; silhouette: number }[];
  /** s_i of each point. */
  values: Float64Array;
}

/**
 * @param centers optional centres, one row of d values per label value 0…K−1 (labels must then be in [0, K)); by
 *   default each cluster's mean.
 */
export function simplifiedSilhouette(input: PointsInput, labels: ArrayLike<number>, centers?: ArrayLike<number>): SimplifiedSilhouette {
  const points = toPoints(input, 'simplifiedSilhouette: points');
  checkLabels(labels, 'simplifiedSilhouette: labels');
  const { values, count: n, dimension: d } = points;
  const cm = clusterMeans(points, labels, 'simplifiedSilhouette');
  if (cm.labels.length < 2) throw new InputError('simplifiedSilhouette: all points are in one cluster', {}, 'it needs at least 2 clusters with points');
  let centres = cm.means;
  if (centers !== undefined) {
    if (centers.length % d !== 0) throw new InputError(`simplifiedSilhouette: ${centers.length} centre values is not a whole number of rows of ${d}`);
    const k = centers.length / d;
    const bad = cm.labels.find((l) => l < 0 || l >= k);
    if (bad !== undefined) throw new InputError(`simplifiedSilhouette: label ${bad} has no centre (${k} centres given)`);
    centres = Float64Array.from(cm.labels.flatMap((l) => Array.from({ length: d }, (_, j) => centers[l * d + j])));
  }
  const k = cm.labels.length;
  const s = new Float64Array(n);
  const sums = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const own = cm.index[i];
    let a = 0;
    let b = Infinity;
    for (let c = 0; c < k; c++) {
      let q = 0;
      for (let j = 0; j < d; j++) q += (values[i * d + j] - centres[c * d + j]) ** 2;
      const dist = Math.sqrt(q);
      if (c === own) a = dist;
      else b = Math.min(b, dist);
    }
    const m = Math.max(a, b);
    s[i] = m === 0 ? 0 : (b - a) / m;
    sums[own] += s[i];
  }
  return {
    overall: s.reduce((x, y) => x + y, 0) / n,
    clusters: cm.labels.map((label, c) => ({ label, size: cm.sizes[c], silhouette: sums[c] / cm.sizes[c] })),
    values: s,
  };
}
