/**
 * The epochs of a standalone Bayesian-CNN training run as an async generator (so the CLI draws a progress bar per
 * epoch and a web UI could stream the same loop): each epoch trains on the seeded, optionally augmented batches of
 * the training split through the trainer (this thread or data-parallel workers), copies the weights into a model in
 * this thread, scores the validation split, and saves
 *   - `last/`: every epoch — weights, Adam state, step, epoch and the history so far (what `--resume` continues);
 *   - `model/`: whenever the validation loss improves — the best model, which `galmorph predict --model` loads.
 * With a wall-time budget the loop stops at the first batch boundary past it and validates that part-epoch like a
 * whole one, so the best-validation model is chosen among every epoch that ran, including the last.
 */
import { guardedStep, smallBatchNote } from '../../train/guardedStep.js';
import type { Trainer } from '../../train/localTrainer.js';
import type { BayesianCnn } from '../../models/bayesianCnn.js';
import { saveBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { applyTrainerWeights } from '../../train/applyTrainerWeights.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import { evaluateBayesianCnn } from './trainBayesianCnnEvaluate.js';
import type { TrainData } from './trainBayesianCnnData.js';

export interface EpochRecord {
  /** 1-based epoch. */
  epoch: number;
  /** Optimiser steps taken by the end of the epoch. */
  step: number;
  /** Galaxies trained on this epoch (bad images and batches too small to split across workers left out). */
  galaxies: number;
  trainLoss: number;
  /** Per question key: mean training loss over the galaxies with votes for it. */
  trainQuestionLoss: Record<string, number>;
  valLoss: number;
  valQuestionLoss: Record<string, number>;
  /** Whether this epoch's model became the saved best. */
  best: boolean;
  seconds: number;
  /** 'time' when the wall-time budget ended training inside this epoch (the part trained was validated). */
  stoppedBy?: 'time';
}

/** What a run's `last/` checkpoint carries in `extra` to resume. */
export interface ResumeState {
  epoch: number;
  bestEpoch: number;
  bestValLoss: number;
  history: EpochRecord[];
}

export type TrainEvent =
  | { type: 'epoch-start'; epoch: number; epochs: number; batches: number }
  | { type: 'batch'; epoch: number; loss: number }
  | { type: 'note'; message: string }
  | { type: 'epoch-end'; record: EpochRecord };

export interface TrainLoopInput {
  trainer: Trainer;
  /** A model in this thread with the trainer's architecture: validation and checkpoints. */
  model: BayesianCnn;
  data: TrainData;
  preprocessing: PreprocessOptions;
  epochs: number;
  /** Wall-time budget of this call in seconds, or null: training stops at the first batch boundary past it. */
  maxSeconds: number | null;
  /** Where training starts (a fresh run: epoch 0, no history, best +∞). */
  resume: ResumeState;
  /** Folders of the best and the latest checkpoint. */
  dirs: { model: string; last: string };
  seed: number;
}

export async function* trainLoop(input: TrainLoopInput): AsyncGenerator<TrainEvent> {
  const { trainer, model, data, epochs } = input;
  const state: ResumeState = { ...input.resume, history: [...input.resume.history] };
  const train = data.datasets.train;
  let warnedSmall = false;
  const deadline = input.maxSeconds === null ? Number.POSITIVE_INFINITY : Date.now() + input.maxSeconds * 1000;
  let outOfTime = false;
  for (let epoch = state.epoch + 1; epoch <= epochs && !outOfTime; epoch++) {
    const started = Date.now();
    yield { type: 'epoch-start', epoch, epochs, batches: train.batchesPerEpoch };
    let galaxies = 0;
    let lossSum = 0;
    const metricSums: Record<string, number> = {};
    for await (const batch of train.batches(epoch)) {
      if (Date.now() >= deadline) {
        outOfTime = true;
        break;
      }
      const r = await guardedStep(trainer, batch, `epoch ${epoch} (step ${state.history.at(-1)?.step ?? 0} + ${galaxies} galaxies in)`);
      if (r === null) {
        if (!warnedSmall) yield { type: 'note', message: smallBatchNote(batch.size, trainer.workers) };
        warnedSmall = true;
        continue;
      }
      galaxies += batch.size;
      lossSum += r.loss * batch.size;
      for (const [k, v] of Object.entries(r.metrics)) metricSums[k] = (metricSums[k] ?? 0) + v * batch.size;
      yield { type: 'batch', epoch, loss: r.loss };
    }
    if (galaxies === 0) break;
    applyTrainerWeights(model, await trainer.getWeights());
    const optimizer = await trainer.getOptimizerState();
    const val = await evaluateBayesianCnn(model, data.datasets.val, { passes: 0, seed: input.seed });
    // A budget that runs out at the epoch's end or during its validation ends the run here, marked on this record
    // (otherwise the next epoch would stop before its first batch with no record saying why).
    if (Date.now() >= deadline) outOfTime = true;
    const best = val.loss < state.bestValLoss;
    const trainQuestionLoss = Object.fromEntries(model.head.questionKeys.map((k) => [k, (metricSums[`loss/${k}`] ?? Number.NaN) / galaxies]));
    const record: EpochRecord = {
      epoch, step: optimizer.step, galaxies, trainLoss: lossSum / galaxies, trainQuestionLoss,
      valLoss: val.loss, valQuestionLoss: val.questionLoss, best, seconds: (Date.now() - started) / 1000,
      ...(outOfTime ? { stoppedBy: 'time' as const } : {}),
    };
    state.history.push(record);
    state.epoch = epoch;
    if (best) {
      state.bestEpoch = epoch;
      state.bestValLoss = val.loss;
      saveBayesianCnn(input.dirs.model, model, { preprocessing: input.preprocessing, step: optimizer.step, optimizer,
        extra: { source: 'galmorph train', epoch, valLoss: val.loss, data: data.catalog.source } });
    }
    saveBayesianCnn(input.dirs.last, model, { preprocessing: input.preprocessing, step: optimizer.step, optimizer, extra: { ...state } });
    yield { type: 'epoch-end', record };
  }
}
