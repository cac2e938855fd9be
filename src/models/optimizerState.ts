/**
 * Optimiser state as a checkpoint stores it, so a stopped run resumes exactly. Trainers (src/train) produce and
 * consume it; checkpoints (this folder) save and load it.
 */

/** Everything Adam needs to resume: the number of steps taken and both moment estimates per parameter array. */
export interface AdamState {
  kind: 'adam';
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** The state of any optimiser a trainer can use (a closed set: Adam only, for now). */
export type OptimizerState = AdamState;
