/**
 * One training phase of a regime: optimiser steps over seeded epochs of batches until the epoch count or the
 * wall-time budget runs out, a validation every `validateEvery` steps (and at the end), the weights of the best
 * validation score kept, a progress bar with ETA, and the compute spent (steps, images, seconds, images/s).
 */
import { guardedStep } from '../guardedStep.js';
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
  /** The batches of one epoch (seeded by the epoch number). */
  epochBatches: (epoch: number) => AsyncGenerator<HostBatch>;
  /** Steps in one epoch (for the progress bar and fractional epochs). */
  stepsPerEpoch: number;
  epochs: number;
  /** Wall-time budget of the training steps in seconds; 0 for none. */
  seconds: number;
  /** Validate every this many steps (and at the end). */
  validateEvery: number;
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
  /** Why training stopped. */
  stoppedBy: 'epochs' | 'time';
}

export async function trainPhase(o: PhaseOptions): Promise<PhaseResult> {
  const totalSteps = o.epochs * o.stepsPerEpoch;
  const bar = new ProgressBar({ label: o.label, total: totalSteps, unit: 'step' });
  const history: PhaseHistoryPoint[] = [];
  let steps = 0;
  let images = 0;
  let trainMs = 0;
  let lossSum = 0;
  let lossCount = 0;
  let best: TrainerWeights | null = null;
  let bestValidation: number | null = null;
  let bestStep = 0;
  let stoppedBy: PhaseResult['stoppedBy'] = 'epochs';

  const checkpoint = async (): Promise<void> => {
    const validation = o.validate === null ? null : await o.validate();
    const point: PhaseHistoryPoint = {
      step: steps, images, epoch: steps / o.stepsPerEpoch, seconds: trainMs / 1000,
      trainLoss: lossCount > 0 ? lossSum / lossCount : NaN, validation,
    };
    history.push(point);
    lossSum = 0;
    lossCount = 0;
    o.onValidation?.(point);
    // Without validation the last weights are kept; with it, those of the lowest score so far.
    if (validation === null || bestValidation === null || validation < bestValidation) {
      bestValidation = validation;
      bestStep = steps;
      best = await o.trainer.getWeights();
    }
  };

  outer: for (let epoch = 0; epoch < o.epochs; epoch++) {
    for await (const batch of o.epochBatches(epoch)) {
      const start = performance.now();
      const result = await guardedStep(o.trainer, batch, `${o.label}, step ${steps + 1}`);
      trainMs += performance.now() - start;
      if (result === null) continue; // too small to split across the workers (counted by the images total)
      steps += 1;
      images += batch.size;
      lossSum += result.loss;
      lossCount += 1;
      bar.tick(1, `loss ${result.loss.toFixed(3)}`);
      if (steps % o.validateEvery === 0) await checkpoint();
      if (o.seconds > 0 && trainMs / 1000 >= o.seconds) {
        stoppedBy = 'time';
        break outer;
      }
    }
  }
  if (history.length === 0 || history[history.length - 1].step !== steps) await checkpoint();
  bar.finish(stoppedBy === 'time' ? `time budget reached at step ${steps}` : undefined);
  const trainSeconds = trainMs / 1000;
  return {
    history,
    best: best ?? (await o.trainer.getWeights()),
    bestValidation,
    bestStep,
    steps,
    images,
    epochs: steps / o.stepsPerEpoch,
    trainSeconds,
    imagesPerSecond: trainSeconds > 0 ? images / trainSeconds : 0,
    stoppedBy,
  };
}
