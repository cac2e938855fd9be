/**
 * One training phase of a regime on the shared training-loop core: seeded epochs of batches until the epoch
 * count or the training-time budget runs out (or, with `patience`, until the validation score has not improved
 * for that many validations), at least `validations` validations whichever limit ends it, the weights of the best
 * validation score kept, a progress bar with ETA, and the compute spent.
 *
 * Validations under a time budget: the loop validates on a time schedule (one every budget / V seconds of training,
 * trainingLoop.ts) as well as on the step schedule, rather than predicting how many steps fit in the budget — the
 * step rate of a phase changes with the machine's load and the regime, and the time schedule holds whatever it is.
 *
 * `stillImproving` flags a phase that a limit (epochs, steps or time, not patience) ended while its best validation
 * was in the last quarter of its steps: more budget would probably have helped, so its score is not converged.
 */
import { trainingLoop, type StoppedBy } from '../trainingLoop.js';
import type { Trainer, TrainerWeights } from '../localTrainer.js';
import type { HostBatch } from '../../data/hostBatch.js';
import { ProgressBar } from '../../util/progress.js';

export interface PhaseHistoryPoint {
  step: number;
  /** Training images seen so far. */
  images: number;
  /** Epochs completed (fractional). */
  epoch: number;
  /** Training seconds so far (validation excluded). */
  seconds: number;
  /** Mean training loss since the previous point. */
  trainLoss: number;
  /** Validation score (lower is better), or null for phases without validation. */
  validation: number | null;
}

export interface PhaseOptions {
  label: string;
  trainer: Trainer;
  /** The batches of one epoch (seeded by the 0-based epoch number). */
  epochBatches: (epoch: number) => AsyncGenerator<HostBatch>;
  /** Steps in one epoch (for the progress bar and fractional epochs). */
  stepsPerEpoch: number;
  epochs: number;
  /** Budget of the training steps in seconds (validation excluded); 0 for none. */
  seconds: number;
  /** At least this many validations, whichever limit (epochs or seconds) ends the phase (the last where it stopped). */
  validations: number;
  /**
   * Early stopping: end the phase after this many validations in a row without a better score (0: never; needs
   * `validate`). @default 0
   */
  patience?: number;
  /** Validation score of the trainer's current weights (lower is better); null: keep the last weights. */
  validate: (() => Promise<number>) | null;
  /** Called after each validation (e.g. to log). */
  onValidation?: (point: PhaseHistoryPoint) => void;
}

export interface PhaseResult {
  history: PhaseHistoryPoint[];
  /** Weights with the best validation score (or the last weights when there is no validation). */
  best: TrainerWeights;
  bestValidation: number | null;
  bestStep: number;
  steps: number;
  images: number;
  epochs: number;
  trainSeconds: number;
  imagesPerSecond: number;
  /** How many validations ran. */
  validations: number;
  /** Why training stopped ('converged': `patience` validations without improvement). */
  stoppedBy: StoppedBy;
  /** A limit ended the phase while its best validation was in its last quarter (null without validation). */
  stillImproving: boolean | null;
}

/** The share of a phase's last steps in which a best validation counts as "still improving when stopped". */
export const STILL_IMPROVING_TAIL = 0.25;

/** Whether a phase ended by a limit was still improving: its best validation step is in the last quarter of its steps. */
export function stillImproving(stoppedBy: StoppedBy, bestStep: number, steps: number): boolean {
  return stoppedBy !== 'converged' && steps > 0 && bestStep >= (1 - STILL_IMPROVING_TAIL) * steps;
}

export async function trainPhase(o: PhaseOptions): Promise<PhaseResult> {
  const bar = new ProgressBar({ label: o.label, total: o.epochs * o.stepsPerEpoch, unit: 'step' });
  const history: PhaseHistoryPoint[] = [];
  let best: TrainerWeights | null = null;
  let bestValidation: number | null = null;
  let bestStep = 0;
  let sinceBest = 0;
  const patience = o.patience ?? 0;
  const loop = trainingLoop({
    trainer: o.trainer,
    epochBatches: (epoch) => o.epochBatches(epoch - 1),
    stepsPerEpoch: o.stepsPerEpoch,
    limits: { epochs: o.epochs, seconds: o.seconds > 0 ? o.seconds : null, clock: 'training' },
    validation: { count: Math.max(1, o.validations) },
    label: o.label,
    stopAfterValidation: () => o.validate !== null && patience > 0 && sinceBest >= patience,
  });
  for await (const event of loop) {
    if (event.type === 'step') bar.tick(1, `loss ${event.loss.toFixed(3)}`);
    else if (event.type === 'validate') {
      const validation = o.validate === null ? null : await o.validate();
      const point: PhaseHistoryPoint = { step: event.step, images: event.images, epoch: event.epoch, seconds: event.trainSeconds, trainLoss: event.trainLoss, validation };
      history.push(point);
      o.onValidation?.(point);
      // Without validation the last weights are kept; with it, those of the lowest score so far.
      if (validation === null || bestValidation === null || validation < bestValidation) {
        bestValidation = validation;
        bestStep = event.step;
        best = await o.trainer.getWeights();
        sinceBest = 0;
      } else sinceBest += 1;
    } else if (event.type === 'end') {
      bar.finish(event.stoppedBy === 'time' ? `time budget reached at step ${event.steps}`
        : event.stoppedBy === 'converged' ? `no better validation for ${patience} validations: stopped at step ${event.steps}` : undefined);
      return {
        history,
        best: best ?? (await o.trainer.getWeights()),
        bestValidation,
        bestStep,
        steps: event.steps,
        images: event.images,
        epochs: event.steps / o.stepsPerEpoch,
        trainSeconds: event.trainSeconds,
        imagesPerSecond: event.trainSeconds > 0 ? event.images / event.trainSeconds : 0,
        validations: event.validations,
        stoppedBy: event.stoppedBy,
        stillImproving: o.validate === null ? null : stillImproving(event.stoppedBy, bestStep, event.steps),
      };
    }
  }
  throw new Error(`${o.label}: the training loop ended without its end event`);
}
