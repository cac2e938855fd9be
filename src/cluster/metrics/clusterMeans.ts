/** Cluster means and sizes of labelled points, shared by the geometric cluster metrics (silhouette, CH). */
import { InputError } from '../../util/errors.js';
import type { Points } from '../points.js';

export interface ClusterMeans {
  /** Distinct labels, ascending. */
  labels: number[];
  /** Means, one row per distinct label, row-major. */
  means: Float64Array;
  sizes: number[];
  /** Row of `labels` for each point. */
  index: Int32Array;
}

export function clusterMeans(points: Points, labels: ArrayLike<number>, what: string): ClusterMeans {
  const { values, count: n, dimension: d } = points;
  if (labels.length !== n) throw new InputError(`${what}: ${labels.length} labels for ${n} points`, {}, 'give one label per point');
  const distinct = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const row = new Map(distinct.map((l, i) => [l, i]));
  const index = Int32Array.from(Array.from(labels), (l) => row.get(l) as number);
  const sizes = new Array<number>(distinct.length).fill(0);
  const means = new Float64Array(distinct.length * d);
  for (let i = 0; i < n; i++) {
    sizes[index[i]]++;
    for (let j = 0; j < d; j++) means[index[i] * d + j] += values[i * d + j];
  }
  for (let c = 0; c < distinct.length; c++) for (let j = 0; j < d; j++) means[c * d + j] /= sizes[c];
  return { labels: distinct, means, sizes, index };
}
