/**
 * Optimiser state as a checkpoint stores it, so a stopped run resumes exactly. Trainers (src/train) produce and
 * consume it; checkpoints (this folder) save and load it.
 */

/**
 * Everything Adam needs to resume: the number of steps taken, both moment estimates per parameter array, and the
 * exponential moving average of the weights when the run keeps one.
 */
export interface AdamState {
  kind: 'adam';
  step: number;
  m: Float32Array[];
  v: Float32Array[];
  average?: Float32Array[];
}

/** The state of any optimiser a trainer can use (a closed set: Adam only, for now). */
export type OptimizerState = AdamState;
