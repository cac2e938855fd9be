/**
 * The contingency table of two labelings (true classes × predicted clusters), the one home of label validation and
 * counting for the agreement metrics (Hungarian accuracy, ARI, NMI). Labels are any integers (e.g. class ids 3, 7,
 * 12); rows and columns follow the sorted distinct values.
 */
import { InputError } from '../../util/errors.js';

export interface Contingency {
  /** table[i][j] = points with the i-th true class and the j-th predicted cluster. */
  table: number[][];
  /** Distinct true labels, ascending (the rows). */
  classes: number[];
  /** Distinct predicted labels, ascending (the columns). */
  clusters: number[];
  /** Row sums (points per class). */
  classSizes: number[];
  /** Column sums (points per cluster). */
  clusterSizes: number[];
  /** Points. */
  n: number;
}

/** Checks one labeling: integers, one per point; `what` names it in errors. */
export function checkLabels(labels: ArrayLike<number>, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i])) throw new InputError(`${what}: label of point ${i} is ${labels[i]}, expected an integer`);
  }
}

export function contingency(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>, what = 'contingency'): Contingency {
  if (trueLabels.length !== predictedLabels.length) {
    throw new InputError(`${what}: ${trueLabels.length} true labels but ${predictedLabels.length} predicted labels`, {}, 'give one of each per point');
  }
  checkLabels(trueLabels, `${what}: true labels`);
  checkLabels(predictedLabels, `${what}: predicted labels`);
  const classes = [...new Set(Array.from(trueLabels))].sort((a, b) => a - b);
  const clusters = [...new Set(Array.from(predictedLabels))].sort((a, b) => a - b);
  const row = new Map(classes.map((c, i) => [c, i]));
  const col = new Map(clusters.map((c, j) => [c, j]));
  const table = classes.map(() => new Array<number>(clusters.length).fill(0));
  for (let i = 0; i < trueLabels.length; i++) table[row.get(trueLabels[i]) as number][col.get(predictedLabels[i]) as number]++;
  return {
    table,
    classes,
    clusters,
    classSizes: table.map((r) => r.reduce((a, b) => a + b, 0)),
    clusterSizes: clusters.map((_, j) => table.reduce((a, r) => a + r[j], 0)),
    n: trueLabels.length,
  };
}
