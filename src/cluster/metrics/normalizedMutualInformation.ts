/**
 * Normalised mutual information with the arithmetic-mean normaliser (scikit-learn's normalized_mutual_info_score
 * default): NMI = I(T; P) / ((H(T) + H(P)) / 2), natural logarithms, I clipped at 0. As scikit-learn: 1 when both
 * labelings have a single value, 0 when the mutual information is 0.
 */
import { InputError } from '../../util/errors.js';
import { contingency } from './contingency.js';

export function normalizedMutualInformation(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>): number {
  if (trueLabels.length === 0) throw new InputError('normalizedMutualInformation: no labels given');
  const c = contingency(trueLabels, predictedLabels, 'normalizedMutualInformation');
  if (c.classes.length === 1 && c.clusters.length === 1) return 1;
  const n = c.n;
  let mi = 0;
  c.table.forEach((row, i) =>
    row.forEach((v, j) => {
      if (v > 0) mi += (v / n) * Math.log((n * v) / (c.classSizes[i] * c.clusterSizes[j]));
    }),
  );
  mi = Math.max(mi, 0);
  if (mi === 0) return 0;
  const entropy = (sizes: number[]) => -sizes.reduce((a, s) => a + (s / n) * Math.log(s / n), 0);
  return mi / ((entropy(c.classSizes) + entropy(c.clusterSizes)) / 2);
}
