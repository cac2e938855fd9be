/**
 * Stopping a job cleanly on SIGINT (Ctrl-C) or SIGTERM. The CLI installs the handlers; the first signal is
 * recorded, and
 *   - while a training job is inside its loop (`stoppableWhile`), the training-loop core notices it at its next step
 *     boundary (the step in progress finishes) and throws an InterruptedError saying where it stopped; the job saves
 *     its checkpoint, logs "interrupted at …; resume with …" and the CLI exits with 128 + the signal's number
 *     (130 for SIGINT, 143 for SIGTERM);
 *   - otherwise (reading data, writing reports: nothing to save) the listeners registered with `onImmediateStop`
 *     (the open run folders: a line in run.log) run and the process exits at once with that code.
 * A second signal exits at once. Run-folder locks are released by their exit hook either way.
 *
 * The API can ask running jobs to stop the same way with `requestInterrupt`.
 */

export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** Exit status of a process stopped by a signal: 128 + the signal's number. */
export const INTERRUPT_EXIT_CODES: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Where a training loop stopped, inside its epoch: enough to continue the epoch exactly (train --resume). */
export interface EpochProgress {
  /** The epoch (1-based) that was cut. */
  epoch: number;
  /** Batches of the epoch consumed (stepped, or left out by the small-batch rule). */
  batches: number;
  /** Optimiser steps taken in the epoch. */
  steps: number;
  /** Galaxies trained on in the epoch. */
  galaxies: number;
  /** Sum over the epoch's steps of loss × batch size (for the epoch's mean). */
  lossSum: number;
  /** Same sums for each step metric. */
  metricSums: Record<string, number>;
}

export class InterruptedError extends Error {
  constructor(
    readonly signal: InterruptSignal,
    /** Where the loop stopped, or null when it was not inside a training loop. */
    readonly progress: EpochProgress | null,
    /** The loop's label (e.g. "table1 supervised-100-s0"). */
    readonly label: string,
    /** Optimiser steps the loop had taken (in this call) when it stopped. */
    readonly loopSteps: number,
    message?: string,
  ) {
    super(message ?? `interrupted by ${signal}` + (progress === null ? '' : ` in ${label} at epoch ${progress.epoch} step ${loopSteps}`));
    this.name = 'InterruptedError';
  }

  get exitCode(): number {
    return INTERRUPT_EXIT_CODES[this.signal];
  }
}

let requested: InterruptSignal | null = null;
let stoppable = 0;
const immediateListeners = new Set<(signal: InterruptSignal) => void>();
let installed = false;

/** Asks running jobs to stop at their next step boundary (what the first SIGINT/SIGTERM does). */
export function requestInterrupt(signal: InterruptSignal): void {
  requested ??= signal;
}

/** The signal that asked jobs to stop, or null. */
export function interruptRequested(): InterruptSignal | null {
  return requested;
}

/** Forgets a request (the API, after handling an interrupted job, before starting another). */
export function clearInterrupt(): void {
  requested = null;
}

/** Runs `body` with signals deferred to the training loop's next step boundary instead of ending the process. */
export async function stoppableWhile<T>(body: () => Promise<T>): Promise<T> {
  stoppable += 1;
  try {
    return await body();
  } finally {
    stoppable -= 1;
  }
}

/** Registers what to do (synchronously) before the process exits on a signal outside a stoppable region. */
export function onImmediateStop(listener: (signal: InterruptSignal) => void): () => void {
  immediateListeners.add(listener);
  return () => immediateListeners.delete(listener);
}

/** Installs the SIGINT/SIGTERM handlers (the CLI; once per process). */
export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of INTERRUPT_SIGNALS) process.on(signal, () => handleSignal(signal));
}

function handleSignal(signal: InterruptSignal): void {
  const code = INTERRUPT_EXIT_CODES[signal];
  if (requested !== null) {
    process.stderr.write(`galmorph: ${signal} again: stopping now, without a checkpoint\n`);
    process.exit(code);
  }
  requested = signal;
  if (stoppable > 0) {
    process.stderr.write(`galmorph: ${signal} received: stopping after the current step and saving a checkpoint (send it again to stop at once)\n`);
    return;
  }
  for (const listener of immediateListeners) {
    try {
      listener(signal);
    } catch {
      // Exiting anyway: a failing listener must not keep the process alive.
    }
  }
  process.exit(code);
}

/** Lets pending I/O and signal handlers run (a step of synchronous tfjs work otherwise never yields to them). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
