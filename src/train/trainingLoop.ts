/**
 * The one training-loop core under every job that trains (`train`, the Table 1 phases, the active-learning rounds):
 * optimiser steps over seeded epochs of batches until a limit ends it — epochs, steps or seconds, whichever comes
 * first — with the step guard (small-batch rule, non-finite-loss stop), per-epoch loss means, and a validation
 * schedule that works whichever limit ends the phase.
 *
 * It is an async generator of events. A `validate` event pauses the loop while the caller scores (and saves) the
 * current weights — what validation means, and where the best model goes, is each job's own; the caller's time
 * spent there does not count as training time unless the budget is on the wall clock.
 *
 * Validation schedule:
 * - `'epoch'`: after every epoch (and after the part-epoch a budget stops);
 * - `{ count: V }`: at least V validations, spread over the limit that ends the phase: one every
 *   ⌈steps-limit / V⌉ steps and one every budget / V seconds, whichever comes first after the previous one, and a
 *   last one where training stopped — so a phase that a time budget stops early is validated V times, not never;
 * - `'none'`: no validations.
 * After each validation the caller may end training there (`stopAfterValidation`, e.g. early stopping when the
 * validation score has not improved for a while): the phase ends with stoppedBy 'converged'.
 *
 * Interruption (util/interrupt.ts): before each step the loop lets signal handlers run, and when SIGINT/SIGTERM
 * (or `requestInterrupt`) asked jobs to stop, it throws an InterruptedError carrying where it stopped inside the
 * epoch (the step before it has finished; the batch fetched is not used). `train` saves that position with its
 * checkpoint and continues the epoch from it (`resumeWithin`) exactly as if it had not stopped.
 */
import { guardedStep, smallBatchNote } from './guardedStep.js';
import { InterruptedError, interruptRequested, yieldToEventLoop, type EpochProgress } from '../util/interrupt.js';
import type { Trainer } from './localTrainer.js';
import type { HostBatch } from '../data/hostBatch.js';

export type ValidationSchedule = 'epoch' | 'none' | { count: number };

export interface LoopLimits {
  /** Last epoch (1-based, inclusive). */
  epochs: number;
  /** Most optimiser steps in this call; null for no step limit. */
  steps?: number | null;
  /** Budget in seconds for this call; null for none. */
  seconds?: number | null;
  /**
   * What the budget counts: 'training' = the steps only (validation excluded; comparable between regimes), or
   * 'wall' = everything since the call started (validation and checkpoints included; what a user's `--max-seconds`
   * means). @default 'training'
   */
  clock?: 'training' | 'wall';
}

export interface TrainingLoopOptions {
  trainer: Trainer;
  /** The batches of one epoch (seeded by the epoch number, 1-based). */
  epochBatches: (epoch: number) => AsyncIterable<HostBatch> | Iterable<HostBatch>;
  /** Steps in one full epoch (for the step-count schedule and fractional epochs). */
  stepsPerEpoch: number;
  limits: LoopLimits;
  validation: ValidationSchedule;
  /** First epoch to run (1-based; > 1 when resuming). @default 1 */
  firstEpoch?: number;
  /**
   * Continue `firstEpoch` from where an interrupted run stopped inside it: its first `batches` batches are skipped
   * and its loss sums start from the saved ones. @default null
   */
  resumeWithin?: EpochProgress | null;
  /** How a step is named in error messages, e.g. "table1 supervised-100-s0". */
  label: string;
  /** Asked after each validation, once the caller has scored it: true ends training there. @default never */
  stopAfterValidation?: () => boolean;
}

export interface EpochSummary {
  epoch: number;
  /** Galaxies trained on this epoch (batches too small to split across workers left out). */
  galaxies: number;
  /** Steps taken this epoch. */
  steps: number;
  /** Mean loss over this epoch's galaxies. */
  loss: number;
  /** Mean of each step metric over this epoch's galaxies. */
  metrics: Record<string, number>;
  /** Whether a limit (time or steps) ended training inside or at the end of this epoch. */
  stopped: boolean;
}

export type StoppedBy = 'epochs' | 'steps' | 'time' | 'converged';

export type LoopEvent =
  | { type: 'epoch-start'; epoch: number; batches: number }
  | { type: 'step'; epoch: number; step: number; loss: number; metrics: Record<string, number>; size: number }
  | { type: 'note'; message: string }
  /** Validate now: `step` steps so far, `epoch` (fractional) epochs, mean training loss since the last validation. */
  | { type: 'validate'; step: number; epoch: number; trainLoss: number; trainSeconds: number; images: number; endOfEpoch: boolean }
  | { type: 'epoch-end'; summary: EpochSummary }
  | { type: 'end'; stoppedBy: StoppedBy; steps: number; images: number; trainSeconds: number; validations: number };

/** When the next validation is due, for the `{ count }` schedule. */
export class ValidationPlan {
  private readonly stepInterval: number;
  private readonly secondInterval: number;
  private nextStep: number;
  private nextSecond: number;

  constructor(count: number, stepLimit: number, secondLimit: number | null) {
    if (!(Number.isInteger(count) && count >= 1)) throw new Error(`ValidationPlan: count ${count} must be an integer ≥ 1`);
    this.stepInterval = Math.max(1, Math.ceil(stepLimit / count));
    this.secondInterval = secondLimit !== null && secondLimit > 0 ? secondLimit / count : Number.POSITIVE_INFINITY;
    this.nextStep = this.stepInterval;
    this.nextSecond = this.secondInterval;
  }

  /** Whether a validation is due after `steps` steps and `seconds` of budgeted time. */
  due(steps: number, seconds: number): boolean {
    return steps >= this.nextStep || seconds >= this.nextSecond;
  }

  /** Record a validation at this point: the next marks are the first multiples past it. */
  done(steps: number, seconds: number): void {
    this.nextStep = (Math.floor(steps / this.stepInterval) + 1) * this.stepInterval;
    if (Number.isFinite(this.secondInterval)) this.nextSecond = (Math.floor(seconds / this.secondInterval) + 1) * this.secondInterval;
  }
}

export async function* trainingLoop(o: TrainingLoopOptions): AsyncGenerator<LoopEvent> {
  const { trainer, limits } = o;
  const firstEpoch = o.firstEpoch ?? 1;
  const stepLimit = limits.steps ?? Number.POSITIVE_INFINITY;
  const seconds = limits.seconds ?? null;
  const wallClock = limits.clock === 'wall';
  const started = performance.now();
  const plan = typeof o.validation === 'object'
    ? new ValidationPlan(o.validation.count, Math.min(stepLimit, (limits.epochs - firstEpoch + 1) * o.stepsPerEpoch), seconds)
    : null;
  let steps = 0;
  let images = 0;
  let trainMs = 0;
  let sinceLoss = 0;
  let sinceSteps = 0;
  let validations = 0;
  let lastValidatedStep = -1;
  let warnedSmall = false;
  let stoppedBy: StoppedBy = 'epochs';
  const budgetSeconds = () => (wallClock ? performance.now() - started : trainMs) / 1000;
  const outOfBudget = () => seconds !== null && budgetSeconds() >= seconds;

  function* validateNow(epochPosition: number, endOfEpoch: boolean): Generator<LoopEvent> {
    const event: LoopEvent = { type: 'validate', step: steps, epoch: epochPosition, trainLoss: sinceSteps > 0 ? sinceLoss / sinceSteps : Number.NaN,
      trainSeconds: trainMs / 1000, images, endOfEpoch };
    sinceLoss = 0;
    sinceSteps = 0;
    validations += 1;
    lastValidatedStep = steps;
    yield event;
    plan?.done(steps, budgetSeconds());
  }

  const within = o.resumeWithin ?? null;
  if (within !== null && within.epoch !== firstEpoch) {
    throw new Error(`${o.label}: resuming inside epoch ${within.epoch}, but the first epoch to run is ${firstEpoch}`);
  }
  for (let epoch = firstEpoch; epoch <= limits.epochs && stoppedBy === 'epochs'; epoch++) {
    yield { type: 'epoch-start', epoch, batches: o.stepsPerEpoch };
    const resumed = within !== null && epoch === within.epoch ? within : null;
    let galaxies = resumed?.galaxies ?? 0;
    let epochSteps = resumed?.steps ?? 0;
    let lossSum = resumed?.lossSum ?? 0;
    const metricSums: Record<string, number> = { ...resumed?.metricSums };
    let batches = 0;
    const skip = resumed?.batches ?? 0;
    for await (const batch of o.epochBatches(epoch)) {
      if (batches < skip) {
        batches += 1; // trained before the interruption
        continue;
      }
      await yieldToEventLoop();
      const signal = interruptRequested();
      if (signal !== null) {
        throw new InterruptedError(signal, { epoch, batches, steps: epochSteps, galaxies, lossSum, metricSums: { ...metricSums } }, o.label, steps);
      }
      if (outOfBudget()) {
        stoppedBy = 'time';
        break;
      }
      if (steps >= stepLimit) {
        stoppedBy = 'steps';
        break;
      }
      const t0 = performance.now();
      const r = await guardedStep(trainer, batch, `${o.label}, epoch ${epoch}, step ${steps + 1}`);
      trainMs += performance.now() - t0;
      batches += 1;
      if (r === null) {
        if (!warnedSmall) yield { type: 'note', message: smallBatchNote(batch.size, trainer.workers) };
        warnedSmall = true;
        continue;
      }
      steps += 1;
      epochSteps += 1;
      images += batch.size;
      galaxies += batch.size;
      lossSum += r.loss * batch.size;
      sinceLoss += r.loss;
      sinceSteps += 1;
      for (const [k, v] of Object.entries(r.metrics)) metricSums[k] = (metricSums[k] ?? 0) + v * batch.size;
      yield { type: 'step', epoch, step: steps, loss: r.loss, metrics: r.metrics, size: batch.size };
      if (plan?.due(steps, budgetSeconds())) {
        yield* validateNow(epoch - 1 + epochSteps / o.stepsPerEpoch, false);
        if (o.stopAfterValidation?.() === true) {
          stoppedBy = 'converged';
          break;
        }
      }
    }
    if (galaxies === 0) break; // a limit ended training before this epoch's first step (stoppedBy says which)
    // A limit reached exactly at the epoch's end stops here, marked on this epoch.
    if (stoppedBy === 'epochs' && outOfBudget()) stoppedBy = 'time';
    if (stoppedBy === 'epochs' && steps >= stepLimit && epoch < limits.epochs) stoppedBy = 'steps';
    const position = epoch - 1 + epochSteps / o.stepsPerEpoch;
    if (o.validation === 'epoch') {
      yield* validateNow(position, true);
      if (stoppedBy === 'epochs' && epoch < limits.epochs && o.stopAfterValidation?.() === true) stoppedBy = 'converged';
    } else if (plan !== null && stoppedBy !== 'epochs' && lastValidatedStep !== steps) yield* validateNow(position, false);
    // With the wall clock, the validation just run may have used up the budget: this epoch is then the last.
    if (stoppedBy === 'epochs' && wallClock && outOfBudget()) stoppedBy = 'time';
    const metrics = Object.fromEntries(Object.entries(metricSums).map(([k, v]) => [k, v / galaxies]));
    yield { type: 'epoch-end', summary: { epoch, galaxies, steps: epochSteps, loss: lossSum / galaxies, metrics, stopped: stoppedBy !== 'epochs' } };
  }
  if (plan !== null && lastValidatedStep !== steps && steps > 0) yield* validateNow(steps / o.stepsPerEpoch, false);
  yield { type: 'end', stoppedBy, steps, images, trainSeconds: trainMs / 1000, validations };
}
