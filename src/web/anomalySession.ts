/**
 * The explorer's Anomalies page on the server: the rounds of `galmorph anomalies --interactive` (the same loop,
 * runAnomalyRounds, with the same defaults and seed, so the same galaxies are asked for) with a rater that waits for
 * the browser instead of the terminal. Each rating is written at once to the ratings file (anomaliesRatings.ts:
 * the whole file through a flushed temporary file renamed into place, so a crash mid-write keeps every earlier
 * rating), and a new session on the same file — after a server restart — resumes where the last one stopped.
 * The file is a `galmorph anomalies --ratings` file: `galmorph anomalies --interactive --ratings FILE` resumes it too.
 */
import { EmbeddingStore } from '../data/embeddingStore.js';
import { fieldDefaults } from '../util/fields.js';
import { ANOMALIES_FIELDS } from '../workflows/anomalies/anomalies.js';
import { projectStore } from '../workflows/anomalies/anomaliesData.js';
import { runAnomalyRounds, type AnomalyLoopOptions, type Rater, type RateRequest } from '../workflows/anomalies/anomaliesLoop.js';
import { isRating, MAX_RATING, readRatingsIfPresent, writeRatings, type Rating } from '../workflows/anomalies/anomaliesRatings.js';

/** The loop's settings: `galmorph anomalies`' defaults, with rounds unbounded in practice (the page rates on). */
export function webLoopOptions(): AnomalyLoopOptions {
  const d = fieldDefaults(ANOMALIES_FIELDS);
  return { rounds: 100_000, perRound: d.perRound, tradeoff: d.tradeoff, gpRestarts: d.gpRestarts, seed: d.seed, batchSize: d.batchSize };
}

export interface AnomalyRequestView {
  id: string;
  round: number;
  position: number;
  perRound: number;
  /** The GP's guess of the rating (null in the random first round). */
  mean: number | null;
  sd: number | null;
}

export interface AnomalyState {
  /** The galaxy to rate now (null when every galaxy is rated). */
  current: AnomalyRequestView | null;
  /** The galaxies the current round picked (the expected-improvement suggestions), in pick order. */
  round: AnomalyRequestView[];
  ratings: { id: string; rating: number; round: number }[];
  ratingsFile: string;
}

/** An HTTP-level refusal of a rating (the server answers with `status` and the message). */
export class RatingRefused extends Error {
  constructor(readonly status: 400 | 409, message: string) {
    super(message);
    this.name = 'RatingRefused';
  }
}

/** A Rater whose ratings arrive from `give` (the browser's POST) rather than a terminal. */
class WebRater implements Rater {
  current: RateRequest | null = null;
  round: RateRequest[] = [];
  /** Set by close(): every later request is answered with a stop. */
  closed = false;
  private answer: ((rating: number | null) => void) | null = null;
  private waiters: (() => void)[] = [];

  async startRound(requests: readonly RateRequest[]): Promise<void> {
    this.round = [...requests];
  }

  rate(request: RateRequest): Promise<number | null> {
    if (this.closed) return Promise.resolve(null);
    this.current = request;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    return new Promise((resolve) => (this.answer = resolve));
  }

  /** Resolves when the loop waits for a rating (or has ended: `wake` is also called then). */
  ready(): Promise<void> {
    if (this.answer !== null) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  give(rating: number | null): void {
    const answer = this.answer;
    this.answer = null;
    this.current = null;
    answer?.(rating);
  }
}

export class AnomalySession {
  private readonly rater = new WebRater();
  private readonly ids: readonly string[];
  private readonly ratings: Rating[];
  private loop: Promise<void> | null = null;
  private failure: Error | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(ids: readonly string[], ratings: Rating[], readonly ratingsFile: string) {
    this.ids = ids;
    this.ratings = ratings;
  }

  /** Opens the store's session on `ratingsFile` (resuming its ratings) and starts the loop. */
  static async open(storeDir: string, ratingsFile: string): Promise<AnomalySession> {
    const store = EmbeddingStore.open(storeDir);
    const options = webLoopOptions();
    const data = await projectStore(store, fieldDefaults(ANOMALIES_FIELDS).components, 1);
    const ratings = readRatingsIfPresent(ratingsFile, data.indexOfId);
    const session = new AnomalySession(data.ids, ratings, ratingsFile);
    session.loop = runAnomalyRounds({ ids: data.ids, x: data.gpInputs, dimension: data.gpDimension, anomaly: null }, ratings, session.rater, options, {
      onRating: (all) => writeRatings(ratingsFile, all),
    }).then(() => session.rater.wake(), (e: Error) => {
      session.failure = e;
      session.rater.wake();
    });
    await session.rater.ready();
    return session;
  }

  private view(r: RateRequest): AnomalyRequestView {
    return { id: this.ids[r.index], round: r.round, position: r.position, perRound: r.perRound, mean: r.mean, sd: r.sd };
  }

  state(): AnomalyState {
    if (this.failure !== null) throw this.failure;
    const current = this.rater.current;
    return {
      current: current === null ? null : this.view(current),
      round: this.rater.round.map((r) => this.view(r)),
      ratings: this.ratings.map((r) => ({ id: r.id, rating: r.rating, round: r.round })),
      ratingsFile: this.ratingsFile,
    };
  }

  /**
   * Rates the galaxy being asked for (`id` must be it: a stale page is refused with 409) and returns the state once
   * the loop asks for the next one (the rating is on disk by then). Ratings are handled one at a time.
   */
  rate(id: string, rating: unknown): Promise<AnomalyState> {
    const next = this.queue.then(async () => {
      if (typeof rating !== 'number' || !isRating(rating)) throw new RatingRefused(400, `rating ${JSON.stringify(rating)} is not a whole number from 0 to ${MAX_RATING}`);
      const current = this.rater.current;
      if (current === null) throw new RatingRefused(409, 'no galaxy is waiting for a rating (every galaxy is rated)');
      if (this.ids[current.index] !== id) {
        throw new RatingRefused(409, `galaxy "${id}" is not the one being asked for ("${this.ids[current.index]}"); reload the page`);
      }
      this.rater.give(rating);
      await this.rater.ready(); // the loop has saved the rating and asks for the next galaxy (or has ended)
      return this.state();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops the loop (the ratings given are already saved). */
  async close(): Promise<void> {
    this.rater.closed = true;
    this.rater.give(null);
    await this.loop;
  }
}
