/**
 * Scores of an active-learning run:
 * - `rmse`: root mean square error of predicted vote fractions against targets (noisy volunteer fractions, or the
 *   simulator's true probabilities), over the galaxies with a target;
 * - `labelSaving`: the labels the baseline needs to reach the acquisition function's final error, by linear
 *   interpolation between the baseline's rounds at the first round where its error falls to that level. The saving
 *   is 1 − labels(acquisition) / labels(baseline); null when the baseline never reaches that error within its run
 *   (then the saving is at least 1 − labels(acquisition) / last baseline labels, which is reported as a bound).
 */


export interface CurvePoint {
  labels: number;
  error: number;
}

export interface LabelSaving {
  /** The acquisition function's final error and its labels. */
  targetError: number;
  acquisitionLabels: number;
  /** Labels the baseline needs to reach targetError (interpolated); null if it never does. */
  baselineLabels: number | null;
  /** 1 − acquisitionLabels / baselineLabels; null if the baseline never reaches the error. */
  saving: number | null;
  /** When the baseline never reaches it: the saving is at least this (using its last labels). */
  savingAtLeast: number | null;
}

export function labelSaving(acquisition: readonly CurvePoint[], baseline: readonly CurvePoint[]): LabelSaving {
  const last = acquisition[acquisition.length - 1];
  const targetError = last.error;
  let baselineLabels: number | null = null;
  for (let i = 0; i < baseline.length; i++) {
    if (baseline[i].error <= targetError) {
      if (i === 0) baselineLabels = baseline[0].labels;
      else {
        const a = baseline[i - 1];
        const b = baseline[i];
        const t = (a.error - targetError) / (a.error - b.error);
        baselineLabels = a.labels + t * (b.labels - a.labels);
      }
      break;
    }
  }
  const lastBaseline = baseline[baseline.length - 1].labels;
  return {
    targetError,
    acquisitionLabels: last.labels,
    baselineLabels,
    saving: baselineLabels === null ? null : 1 - last.labels / baselineLabels,
    savingAtLeast: baselineLabels === null ? 1 - last.labels / lastBaseline : null,
  };
}
