/**
 * The epochs of a standalone Bayesian-CNN training run as an async generator (so the CLI draws a progress bar per
 * epoch and a web UI could stream the same loop): each epoch trains on the seeded, optionally augmented batches of
 * the training split through the trainer (this thread or data-parallel workers), copies the weights into a model in
 * this thread, scores the validation split, and saves
 *   - `last/`: every epoch — weights, Adam state, step, epoch and the history so far (what `--resume` continues);
 *   - `model/`: whenever the validation loss improves — the best model, which `galmorph predict --model` loads.
 * With `--weight-average` the weights validated and kept in `model/` are the optimiser's moving average of the
 * weights; `last/` always holds the current weights (its optimiser state carries the average on).
 * With a wall-time budget the loop stops at the first batch boundary past it and validates that part-epoch like a
 * whole one, so the best-validation model is chosen among every epoch that ran, including the last.
 * With `patience` (early stopping, used by `galmorph finetune`) training ends after that many epochs in a row without
 * a better validation loss; `dirs.last` null saves no `last/` (a run that is never resumed).
 */
import { trainingLoop } from '../../train/trainingLoop.js';
import type { EpochProgress } from '../../util/interrupt.js';
import type { OptimizerState } from '../../models/optimizerState.js';
import type { Trainer, TrainerWeights } from '../../train/localTrainer.js';
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
  /** Where an interrupted run stopped inside epoch `epoch + 1` (saved with `last/`; training continues from it). */
  within?: EpochProgress;
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
  data: Pick<TrainData, 'datasets' | 'catalog'>;
  preprocessing: PreprocessOptions;
  epochs: number;
  /** Wall-time budget of this call in seconds, or null: training stops at the first batch boundary past it. */
  maxSeconds: number | null;
  /** Where training starts (a fresh run: epoch 0, no history, best +∞). */
  resume: ResumeState;
  /** Folders of the best and the latest checkpoint (null: no `last/`). */
  dirs: { model: string; last: string | null };
  seed: number;
  /** Stop after this many epochs in a row without a better validation loss; null trains every epoch. @default null */
  patience?: number | null;
  /** What trained the model, saved in the best model's `extra.source`. @default 'galmorph train' */
  source?: string;
}

export async function* trainLoop(input: TrainLoopInput): AsyncGenerator<TrainEvent> {
  const { trainer, model, data, epochs } = input;
  const { within, ...resume } = input.resume;
  const state: ResumeState = { ...resume, history: [...resume.history] };
  const train = data.datasets.train;
  let epochStarted = Date.now();
  let validated: { loss: number; questionLoss: Record<string, number>; optimizer: OptimizerState; current: TrainerWeights } | null = null;
  const loop = trainingLoop({
    trainer,
    epochBatches: (epoch) => train.batches(epoch),
    stepsPerEpoch: train.batchesPerEpoch,
    // The wall clock: validation and checkpoints count against the user's --max-seconds.
    limits: { epochs, seconds: input.maxSeconds, clock: 'wall' },
    validation: 'epoch',
    firstEpoch: state.epoch + 1,
    resumeWithin: within ?? null,
    label: 'train',
  });
  let lastRecord: EpochRecord | null = null;
  for await (const event of loop) {
    // The budget can also run out between epochs (while the caller saves the epoch's checkpoints): the loop then
    // ends before another step, and the epoch just recorded is the one the budget ended.
    if (event.type === 'end' && event.stoppedBy === 'time' && lastRecord !== null && lastRecord.stoppedBy === undefined) lastRecord.stoppedBy = 'time';
    if (event.type === 'epoch-start') {
      epochStarted = Date.now();
      yield { type: 'epoch-start', epoch: event.epoch, epochs, batches: event.batches };
    } else if (event.type === 'step') yield { type: 'batch', epoch: event.epoch, loss: event.loss };
    else if (event.type === 'note') yield event;
    else if (event.type === 'validate') {
      // Validation scores (and `model/` keeps) the weight average when the run keeps one; `last/` keeps the current
      // weights, which training continues from.
      applyTrainerWeights(model, await trainer.getWeights('averaged'));
      const current = await trainer.getWeights('current');
      const optimizer = await trainer.getOptimizerState();
      const val = await evaluateBayesianCnn(model, data.datasets.val, { passes: 0, seed: input.seed, views: 1 });
      validated = { loss: val.loss, questionLoss: val.questionLoss, optimizer, current };
    } else if (event.type === 'epoch-end') {
      if (validated === null) throw new Error(`train: epoch ${event.summary.epoch} ended without its validation`);
      const { epoch, galaxies } = event.summary;
      const { optimizer, current } = validated;
      const best = validated.loss < state.bestValLoss;
      const trainQuestionLoss = Object.fromEntries(model.head.questionKeys.map((k) => [k, event.summary.metrics[`loss/${k}`] ?? Number.NaN]));
      const record: EpochRecord = {
        epoch, step: optimizer.step, galaxies, trainLoss: event.summary.loss, trainQuestionLoss,
        valLoss: validated.loss, valQuestionLoss: validated.questionLoss, best, seconds: (Date.now() - epochStarted) / 1000,
        ...(event.summary.stopped ? { stoppedBy: 'time' as const } : {}),
      };
      validated = null;
      state.history.push(record);
      lastRecord = record;
      state.epoch = epoch;
      if (best) {
        state.bestEpoch = epoch;
        state.bestValLoss = record.valLoss;
        saveBayesianCnn(input.dirs.model, model, { preprocessing: input.preprocessing, step: optimizer.step, optimizer,
          extra: { source: input.source ?? 'galmorph train', epoch, valLoss: record.valLoss, data: data.catalog.source } });
      }
      applyTrainerWeights(model, current);
      if (input.dirs.last !== null) saveBayesianCnn(input.dirs.last, model, { preprocessing: input.preprocessing, step: optimizer.step, optimizer, extra: { ...state } });
      yield { type: 'epoch-end', record };
      const patience = input.patience ?? null;
      if (patience !== null && epoch - state.bestEpoch >= patience) {
        yield { type: 'note', message: `early stopping after epoch ${epoch}: no better validation loss for ${patience} epochs (best: epoch ${state.bestEpoch})` };
        return;
      }
    }
  }
}
