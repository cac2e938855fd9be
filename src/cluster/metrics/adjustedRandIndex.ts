/**
 * Adjusted Rand index (Hubert & Arabie 1985) through the pair confusion matrix, as scikit-learn's
 * adjusted_rand_score: with tp, fp, fn, tn the ordered pairs of points (same/different class × same/different cluster),
 * ARI = 2 (tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)); 1 when both labelings make the same pairs
 * (also when both put every point together, or every point apart). 0 is the expected value for random labels.
 */
import { InputError } from '../../util/errors.js';
import { contingency } from './contingency.js';

export function adjustedRandIndex(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>): number {
  if (trueLabels.length === 0) throw new InputError('adjustedRandIndex: no labels given');
  const c = contingency(trueLabels, predictedLabels, 'adjustedRandIndex');
  const n = c.n;
  let sumSquares = 0;
  let rowWeighted = 0;
  let colWeighted = 0;
  c.table.forEach((row, i) =>
    row.forEach((v, j) => {
      sumSquares += v * v;
      rowWeighted += v * c.clusterSizes[j];
      colWeighted += v * c.classSizes[i];
    }),
  );
  const tp = sumSquares - n;
  const fp = rowWeighted - sumSquares;
  const fn = colWeighted - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
