/**
 * Clustering accuracy with the best one-to-one matching of clusters to classes (the Hungarian algorithm, as VaDE's
 * `cluster_acc`): accuracy = max over matchings of Σ matched counts / n. With more clusters than classes the extra
 * clusters match no class and their points count as wrong (and the reverse). The assignment itself is the `munkres`
 * library's (typed, dependency-free, rectangular matrices), minimising (largest count − count).
 */
import { munkres } from 'munkres';
import { InputError } from '../../util/errors.js';
import { contingency } from './contingency.js';

export interface HungarianAccuracy {
  accuracy: number;
  /** Matched pairs: predicted cluster label → true class label, with the points they share. */
  matches: { cluster: number; trueClass: number; count: number }[];
}

export function hungarianAccuracy(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>): HungarianAccuracy {
  if (trueLabels.length === 0) throw new InputError('hungarianAccuracy: no labels given');
  const c = contingency(trueLabels, predictedLabels, 'hungarianAccuracy');
  const largest = Math.max(...c.table.flat());
  // rows: clusters, columns: classes
  const cost = c.clusters.map((_, j) => c.classes.map((_, i) => largest - c.table[i][j]));
  const matches = munkres(cost)
    .map(([j, i]) => ({ cluster: c.clusters[j], trueClass: c.classes[i], count: c.table[i][j] }))
    .sort((a, b) => a.cluster - b.cluster);
  const correct = matches.reduce((a, m) => a + m.count, 0);
  return { accuracy: correct / c.n, matches };
}
