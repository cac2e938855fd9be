/**
 * The rounds of personalised anomaly finding, as the reference runs them (mwalmsley/morphology-tools
 * `anomaly/gp.py`): round 0 picks `perRound` galaxies at random; every later round fits the GP (gaussianProcess.ts)
 * to all ratings so far and picks the `perRound` unrated galaxies of highest expected improvement
 * (expectedImprovement.ts, streamed over the catalog in batches); the rater scores them 0–5. After each round the same
 * GP ranks every galaxy by its posterior mean (the metrics, when anomaly labels are known, and the final ranking).
 *
 * Resuming is exact: the galaxies of round r depend only on the ratings of rounds < r and the seed, so a ratings file
 * cut off in the middle of round r gives back the same round r, whose already-rated galaxies are not asked again.
 */
import { GaussianProcess, type RqWhiteParams } from '../../explore/gaussianProcess.js';
import { acquireByExpectedImprovement, rowBatches } from '../../explore/expectedImprovement.js';
import { Rng } from '../../util/rng.js';
import type { Rating } from './anomaliesRatings.js';
import { rankingMetrics, type CutMetrics } from './anomaliesMetrics.js';

/** What the rater is shown with a galaxy. */
export interface RateRequest {
  index: number;
  round: number;
  /** 1-based position within the round, and the round's size. */
  position: number;
  perRound: number;
  /** The GP's posterior mean and sd of the rating (null in the random first round). */
  mean: number | null;
  sd: number | null;
}

/** Gives a rating 0–5 for a galaxy, or null to stop (the session is saved and can be resumed). */
export interface Rater {
  /** Called once a round with all its galaxies, before the first is rated (the interactive rater draws them). */
  startRound?(requests: readonly RateRequest[]): Promise<void>;
  rate(request: RateRequest): Promise<number | null>;
}

export interface AnomalyLoopOptions {
  rounds: number;
  perRound: number;
  tradeoff: number;
  gpRestarts: number;
  seed: number;
  /** Candidates per acquisition/prediction batch. */
  batchSize: number;
}

export interface RoundRecord {
  round: number;
  /** Ratings after the round. */
  rated: number;
  /** Galaxies the round picked, in pick order. */
  picked: number[];
  /** Highest rating so far. */
  bestRating: number;
  /** The GP fitted after the round (ranking every galaxy). */
  gp: RqWhiteParams & { logMarginalLikelihood: number; fitSeconds: number };
  /** Ranking metrics of the posterior mean (null without anomaly labels). */
  metrics: CutMetrics[] | null;
  seconds: number;
}

export interface AnomalyLoopResult {
  records: RoundRecord[];
  /** The rater asked to stop before the last round ended. */
  stopped: boolean;
  /** Posterior mean of every galaxy under the last GP (null when no round finished). */
  finalMean: Float64Array | null;
}

export interface AnomalyLoopHooks {
  /** After every new rating (save the ratings file here). */
  onRating(ratings: readonly Rating[]): void;
  /** After every finished round. */
  onRound?(record: RoundRecord): void;
}

/** The galaxies being ranked: standardised PCA coordinates (n × dimension) and ids. */
export interface AnomalyInputs {
  ids: readonly string[];
  x: Float32Array;
  dimension: number;
  /** 1 where the galaxy is an anomaly (for the metrics); null when unknown. */
  anomaly: Uint8Array | null;
}

function gpSeed(seed: number, round: number): number {
  return Rng.derive(seed, 'anomalies-gp', round).nextUint32();
}

function fitGp(inputs: AnomalyInputs, ratings: readonly Rating[], seed: number, restarts: number): { gp: GaussianProcess; seconds: number } {
  const d = inputs.dimension;
  const x = new Float64Array(ratings.length * d);
  ratings.forEach((r, k) => {
    for (let c = 0; c < d; c++) x[k * d + c] = inputs.x[r.index * d + c];
  });
  const start = performance.now();
  const gp = GaussianProcess.fit(x, ratings.map((r) => r.rating), d, { seed, restarts });
  return { gp, seconds: (performance.now() - start) / 1000 };
}

/** `count` distinct indices in [0, n) outside `exclude`, uniformly at random (seeded). */
function randomPicks(n: number, count: number, exclude: ReadonlySet<number>, rng: Rng): number[] {
  const pool = Array.from({ length: n }, (_, i) => i).filter((i) => !exclude.has(i));
  const m = Math.min(count, pool.length);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, m);
}

/** Posterior mean of every galaxy, in batches. */
function posteriorMean(gp: GaussianProcess, inputs: AnomalyInputs, batchSize: number): Float64Array {
  const out = new Float64Array(inputs.ids.length);
  for (const batch of rowBatches(inputs.x, inputs.dimension, batchSize)) out.set(gp.predictMean(batch.vectors), batch.offset);
  return out;
}

/**
 * Runs rounds 0 … rounds − 1, starting from `ratings` (a resumed session's; extended in place) and asking `rater`
 * for the galaxies not yet rated.
 */
export async function runAnomalyRounds(inputs: AnomalyInputs, ratings: Rating[], rater: Rater, options: AnomalyLoopOptions, hooks: AnomalyLoopHooks): Promise<AnomalyLoopResult> {
  const n = inputs.ids.length;
  const records: RoundRecord[] = [];
  let finalMean: Float64Array | null = null;
  // the GP fitted on the ratings of rounds ≤ fittedThrough (reused by the next round's acquisition)
  let fitted: { gp: GaussianProcess; through: number; count: number; seconds: number } | null = null;
  for (let round = 0; round < options.rounds; round++) {
    const start = performance.now();
    const before = ratings.filter((r) => r.round < round);
    const ratedBefore = new Set(before.map((r) => r.index));
    if (ratedBefore.size >= n) break; // every galaxy is rated
    let picks: { index: number; mean: number | null; sd: number | null }[];
    if (before.length === 0) {
      picks = randomPicks(n, options.perRound, ratedBefore, Rng.derive(options.seed, 'anomalies-first-round', round)).map((index) => ({ index, mean: null, sd: null }));
    } else {
      if (fitted === null || fitted.through !== round - 1 || fitted.count !== before.length) {
        fitted = { ...fitGp(inputs, before, gpSeed(options.seed, round - 1), options.gpRestarts), through: round - 1, count: before.length };
      }
      const best = Math.max(...before.map((r) => r.rating));
      picks = acquireByExpectedImprovement(fitted.gp, rowBatches(inputs.x, inputs.dimension, options.batchSize), {
        count: options.perRound, best, tradeoff: options.tradeoff, exclude: (i) => ratedBefore.has(i),
      }).map((a) => ({ index: a.index, mean: a.mean, sd: a.sd }));
    }
    const requests: RateRequest[] = picks.map((p, k) => ({ index: p.index, round, position: k + 1, perRound: picks.length, mean: p.mean, sd: p.sd }));
    const already = new Set(ratings.map((r) => r.index));
    const pending = requests.filter((q) => !already.has(q.index));
    if (pending.length > 0) await rater.startRound?.(requests);
    for (const request of pending) {
      const rating = await rater.rate(request);
      if (rating === null) return { records, stopped: true, finalMean };
      ratings.push({ index: request.index, id: inputs.ids[request.index], rating, round });
      hooks.onRating(ratings);
    }
    const through = ratings.filter((r) => r.round <= round);
    const fit = fitGp(inputs, through, gpSeed(options.seed, round), options.gpRestarts);
    fitted = { ...fit, through: round, count: through.length };
    finalMean = posteriorMean(fit.gp, inputs, options.batchSize);
    const record: RoundRecord = {
      round,
      rated: through.length,
      picked: picks.map((p) => p.index),
      bestRating: Math.max(...through.map((r) => r.rating)),
      gp: { ...fit.gp.params, logMarginalLikelihood: fit.gp.logMarginalLikelihood, fitSeconds: fit.seconds },
      metrics: inputs.anomaly === null ? null : rankingMetrics(finalMean, inputs.anomaly),
      seconds: (performance.now() - start) / 1000,
    };
    records.push(record);
    hooks.onRound?.(record);
  }
  return { records, stopped: false, finalMean };
}
