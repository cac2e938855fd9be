/**
 * Calinski–Harabasz index (variance ratio criterion), as scikit-learn's calinski_harabasz_score:
 * CH = [Σ_k n_k ‖c_k − x̄‖² / (K − 1)] / [Σ_k Σ_{i∈k} ‖x_i − c_k‖² / (n − K)], c_k the cluster means, K the number
 * of distinct labels; 1 when the within-cluster dispersion is 0. Higher is better separated.
 */
import { InputError } from '../../util/errors.js';
import { type PointsInput, toPoints } from '../points.js';
import { checkLabels } from './contingency.js';
import { clusterMeans } from './clusterMeans.js';

export function calinskiHarabasz(input: PointsInput, labels: ArrayLike<number>): number {
  const points = toPoints(input, 'calinskiHarabasz: points');
  checkLabels(labels, 'calinskiHarabasz: labels');
  const { values, count: n, dimension: d } = points;
  const { means, sizes, index } = clusterMeans(points, labels, 'calinskiHarabasz');
  const k = sizes.length;
  if (k < 2 || k > n - 1) {
    throw new InputError(`calinskiHarabasz: ${k} distinct labels for ${n} points`, {}, 'it needs at least 2 clusters and fewer clusters than points');
  }
  const overall = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) overall[j] += values[i * d + j] / n;
  let between = 0;
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) between += sizes[c] * (means[c * d + j] - overall[j]) ** 2;
  let within = 0;
  for (let i = 0; i < n; i++) {
    const c = index[i];
    for (let j = 0; j < d; j++) within += (values[i * d + j] - means[c * d + j]) ** 2;
  }
  return within === 0 ? 1 : (between * (n - k)) / (within * (k - 1));
}
