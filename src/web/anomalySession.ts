/**
 * The explorer's Anomalies page on the server: the rounds of `galmorph anomalies --interactive` (the same loop,
 * runAnomalyRounds, with the same defaults and seed, so the same galaxies are asked for) with a rater that waits for
 * the browser instead of the terminal. The loop — the store's projection and every round's Gaussian-process fit —
 * runs in a worker thread (anomalyWorker.ts), so the server keeps answering (thumbnails, maps, other pages) while a
 * fit runs; this side relays the browser's ratings and keeps the last state the worker sent. Each rating is written
 * at once to the ratings file (anomaliesRatings.ts: the whole file through a flushed temporary file renamed into
 * place, so a crash mid-write keeps every earlier rating), and a new session on the same file — after a server
 * restart — resumes where the last one stopped. The file is a `galmorph anomalies --ratings` file:
 * `galmorph anomalies --interactive --ratings FILE` resumes it too.
 */
import type { Worker } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { fieldDefaults } from '../util/fields.js';
import { startModuleWorker } from '../util/moduleWorker.js';
import { ANOMALIES_FIELDS } from '../workflows/anomalies/anomalies.js';
import type { AnomalyLoopOptions } from '../workflows/anomalies/anomaliesLoop.js';
import { isRating, MAX_RATING } from '../workflows/anomalies/anomaliesRatings.js';

/** The loop's settings: `galmorph anomalies`' defaults, with rounds unbounded in practice (the page rates on). */
export function webLoopOptions(): AnomalyLoopOptions {
  const d = fieldDefaults(ANOMALIES_FIELDS);
  return { rounds: 100_000, perRound: d.perRound, tradeoff: d.tradeoff, gpRestarts: d.gpRestarts, seed: d.seed, batchSize: d.batchSize };
}

/** How long close() lets the worker finish the galaxy it is on before stopping it (its ratings are saved already). */
const CLOSE_GRACE_MS = 2000;

export interface AnomalyRequestView {
  id: string;
  round: number;
  position: number;
  perRound: number;
  /** The GP's guess of the rating (null in the random first round). */
  mean: number | null;
  sd: number | null;
}

export interface RatingView {
  id: string;
  rating: number;
  round: number;
}

export interface AnomalyState {
  /** The galaxy to rate now (null when every galaxy is rated). */
  current: AnomalyRequestView | null;
  /** The galaxies the current round picked (the expected-improvement suggestions), in pick order. */
  round: AnomalyRequestView[];
  ratings: RatingView[];
  ratingsFile: string;
}

/** What the worker is started with. */
export interface AnomalyWorkerData {
  storeDir: string;
  ratingsFile: string;
}

/** Worker → session: a galaxy to rate (the loop waits), the loop's end, or its failure. */
export type FromAnomalyWorker =
  | { type: 'ask'; current: AnomalyRequestView; round: AnomalyRequestView[]; ratings: RatingView[] }
  | { type: 'end'; ratings: RatingView[] }
  | { type: 'error'; message: string; input: boolean };

/** Session → worker: the rating of the galaxy asked for, or stop. */
export type ToAnomalyWorker = { type: 'rate'; rating: number } | { type: 'stop' };

/** An HTTP-level refusal of a rating (the server answers with `status` and the message). */
export class RatingRefused extends Error {
  constructor(readonly status: 400 | 409, message: string) {
    super(message);
    this.name = 'RatingRefused';
  }
}

export class AnomalySession {
  private current: AnomalyRequestView | null = null;
  private round: AnomalyRequestView[] = [];
  private ratings: RatingView[] = [];
  private failure: Error | null = null;
  private ended = false;
  private waiters: (() => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly worker: Worker, readonly ratingsFile: string) {
    worker.on('message', (m: FromAnomalyWorker) => this.receive(m));
    worker.on('error', (e) => this.fail(new Error(`the anomaly loop failed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (!this.ended && this.failure === null) this.fail(new Error(`the anomaly loop stopped unexpectedly (exit code ${code})`));
    });
  }

  /** Opens the store's session on `ratingsFile` (resuming its ratings) in a worker thread; resolves once it asks for a rating. */
  static async open(storeDir: string, ratingsFile: string): Promise<AnomalySession> {
    const data: AnomalyWorkerData = { storeDir, ratingsFile };
    const session = new AnomalySession(startModuleWorker(import.meta.url, 'anomalyWorker', data), ratingsFile);
    await session.next();
    if (session.failure !== null) {
      await session.worker.terminate();
      throw session.failure;
    }
    return session;
  }

  private receive(m: FromAnomalyWorker): void {
    switch (m.type) {
      case 'ask':
        this.current = m.current;
        this.round = m.round;
        this.ratings = m.ratings;
        break;
      case 'end':
        this.current = null;
        this.ratings = m.ratings;
        this.ended = true;
        break;
      case 'error':
        this.fail(m.input ? new InputError(m.message) : new Error(m.message));
        return;
      default: {
        const never: never = m;
        throw new Error(`anomaly session: unknown message ${JSON.stringify(never)}`);
      }
    }
    this.wake();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.current = null;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves at the worker's next message (a galaxy asked for, the end, or a failure). */
  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  state(): AnomalyState {
    if (this.failure !== null) throw this.failure;
    return { current: this.current, round: this.round, ratings: this.ratings, ratingsFile: this.ratingsFile };
  }

  /**
   * Rates the galaxy being asked for (`id` must be it: a stale page is refused with 409) and returns the state once
   * the loop asks for the next one (the rating is on disk by then). Ratings are handled one at a time.
   */
  rate(id: string, rating: unknown): Promise<AnomalyState> {
    const next = this.queue.then(async () => {
      if (this.failure !== null) throw this.failure;
      if (typeof rating !== 'number' || !isRating(rating)) throw new RatingRefused(400, `rating ${JSON.stringify(rating)} is not a whole number from 0 to ${MAX_RATING}`);
      const current = this.current;
      if (current === null) throw new RatingRefused(409, 'no galaxy is waiting for a rating (every galaxy is rated)');
      if (current.id !== id) throw new RatingRefused(409, `galaxy "${id}" is not the one being asked for ("${current.id}"); reload the page`);
      const answered = this.next();
      this.worker.postMessage({ type: 'rate', rating } satisfies ToAnomalyWorker);
      await answered; // the worker has saved the rating and asks for the next galaxy (or has ended)
      return this.state();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops the loop (the ratings given are already saved) and its worker. */
  async close(): Promise<void> {
    if (!this.ended && this.failure === null) {
      const ended = Promise.race([this.next(), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
      this.worker.postMessage({ type: 'stop' } satisfies ToAnomalyWorker);
      await ended;
    }
    this.ended = true;
    await this.worker.terminate();
  }
}
