/** Copying a trainer's weights (possibly from worker threads) into a model built in this thread. */
import type { ParamStore } from '../nn/params.js';
import { writeVariables, type TrainerWeights } from './localTrainer.js';

/** Copies trainer weights (in the task's variable order, which is the model's) into the model's parameters. */
export function applyTrainerWeights(model: { params: ParamStore }, weights: TrainerWeights): void {
  writeVariables(model.params.trainable, weights.trainable, 'trainable weight');
  writeVariables(model.params.state, weights.state, 'state');
}
