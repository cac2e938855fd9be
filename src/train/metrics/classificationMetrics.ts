/**
 * The one definition of how well predicted class probabilities match true classes (galmorph finetune):
 *   accuracy          = share of galaxies whose most probable class (ties: the lowest index) is the true one
 *   balanced accuracy = mean over the classes present among the true labels of that class's recall
 *                       (scikit-learn's balanced_accuracy_score; a class absent from the truth is left out)
 *   log loss          = mean over galaxies of −ln p_true, with p clipped to [1e-15, 1 − 1e-15] as scikit-learn does
 * and the confusion matrix (rows: true class, columns: predicted class).
 */
import { OptionError } from '../../util/errors.js';

export interface ClassificationMetrics {
  galaxies: number;
  accuracy: number;
  balancedAccuracy: number;
  logLoss: number;
  /** counts[true][predicted]. */
  confusion: number[][];
}

/** Smallest probability a log loss term uses (scikit-learn's clipping). */
export const LOG_LOSS_EPSILON = 1e-15;

/** The most probable class (the lowest index among ties). */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}

/**
 * @param probabilities per galaxy, one probability per class (each row sums to 1)
 * @param labels per galaxy, its true class index
 */
export function classificationMetrics(probabilities: readonly ArrayLike<number>[], labels: readonly number[]): ClassificationMetrics {
  if (probabilities.length !== labels.length) throw new OptionError('labels', `one per galaxy (${probabilities.length})`, labels.length);
  if (labels.length === 0) throw new OptionError('labels', 'at least one galaxy to score', 0);
  const classes = probabilities[0].length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  let logLoss = 0;
  labels.forEach((y, i) => {
    const p = probabilities[i];
    if (p.length !== classes) throw new OptionError(`probabilities[${i}]`, `${classes} class probabilities`, p.length);
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new OptionError(`labels[${i}]`, `a class index in [0, ${classes - 1}]`, y);
    const predicted = argmax(p);
    confusion[y][predicted] += 1;
    if (predicted === y) correct += 1;
    logLoss -= Math.log(Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p[y])));
  });
  const recalls = confusion.map((row, k) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? null : row[k] / n;
  }).filter((r): r is number => r !== null);
  return {
    galaxies: labels.length,
    accuracy: correct / labels.length,
    balancedAccuracy: recalls.reduce((a, b) => a + b, 0) / recalls.length,
    logLoss: logLoss / labels.length,
    confusion,
  };
}
