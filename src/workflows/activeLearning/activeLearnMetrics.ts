/**
 * Scores of an active-learning run:
 * - `rmse`: root mean square error of predicted vote fractions against targets (noisy volunteer fractions, or the
 *   simulator's true probabilities), over the galaxies with a target;
 * - `labelSaving`: how many fewer labels the acquisition function needs than the baseline to reach the same error.
 *   The error compared is the worse of the two final errors, so that both curves reach it within the run; each
 *   curve's labels for it are read where the curve first falls to it (linear interpolation between the rounds
 *   around that point). The saving is 1 − labels(acquisition) / labels(baseline): positive when the acquisition
 *   function gets there with fewer labels, negative when it needs more. (Read at the acquisition function's final
 *   error only, as before, a better acquisition function could only be shown as "≥ 0%": with rounds of the same
 *   sizes the baseline never reaches that error within the run.)
 */


export interface CurvePoint {
  labels: number;
  error: number;
}

export interface LabelSaving {
  /** The error compared: the worse of the two curves' final errors. */
  targetError: number;
  /** Labels the acquisition function needs to reach targetError (interpolated). */
  acquisitionLabels: number;
  /** Labels the baseline needs to reach targetError (interpolated). */
  baselineLabels: number;
  /** 1 − acquisitionLabels / baselineLabels. */
  saving: number;
}

/** Labels at which a curve first falls to `error` (linear interpolation from the round before); null if it never does. */
export function labelsToReach(curve: readonly CurvePoint[], error: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].error > error) continue;
    if (i === 0) return curve[0].labels;
    const a = curve[i - 1];
    const b = curve[i];
    return a.labels + ((a.error - error) / (a.error - b.error)) * (b.labels - a.labels);
  }
  return null;
}

export function labelSaving(acquisition: readonly CurvePoint[], baseline: readonly CurvePoint[]): LabelSaving {
  if (acquisition.length === 0 || baseline.length === 0) throw new Error('labelSaving: both curves need at least one round');
  const targetError = Math.max(acquisition[acquisition.length - 1].error, baseline[baseline.length - 1].error);
  // Each curve's final error is ≤ targetError, so both reach it.
  const acquisitionLabels = labelsToReach(acquisition, targetError)!;
  const baselineLabels = labelsToReach(baseline, targetError)!;
  return { targetError, acquisitionLabels, baselineLabels, saving: 1 - acquisitionLabels / baselineLabels };
}
