/**
 * The two rules every training loop applies to a step (`train`, the Table 1 phases, the active-learning rounds):
 * - the small-batch rule: a batch with fewer galaxies than data-parallel workers cannot be split (each worker needs
 *   at least one), so it is left out — the caller counts it and says so once;
 * - the non-finite-loss stop: a NaN or infinite loss ends the run with an InputError saying where and what to do,
 *   instead of training on garbage.
 */
import { InputError } from '../util/errors.js';
import type { HostBatch } from '../data/hostBatch.js';
import type { StepResult, Trainer } from './localTrainer.js';

/** One optimiser step, or null when the batch is too small to split across the trainer's workers. */
export async function guardedStep(trainer: Trainer, batch: HostBatch, where: string): Promise<StepResult | null> {
  if (batch.size < trainer.workers) return null;
  const result = await trainer.step(batch);
  if (!Number.isFinite(result.loss)) {
    throw new InputError(`${where}: the training loss became ${result.loss}`, {}, 'lower the learning rate, or check the labels for extreme vote counts');
  }
  return result;
}

/** The note a loop logs (once) when it leaves out batches too small for its workers. */
export function smallBatchNote(size: number, workers: number): string {
  return `a batch of ${size} galaxies cannot be split across ${workers} workers; such batches are left out (the galaxy counts show how many trained)`;
}
