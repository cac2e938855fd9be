/**
 * Expected improvement (EI), the acquisition of personalised anomaly finding (Walmsley et al. 2022; the reference
 * uses modAL's `max_EI`, and Astronomaly's GP stage its trade-off 0.5):
 *
 *   EI(x) = (μ − f⁺ − ξ) Φ(z) + σ φ(z),   z = (μ − f⁺ − ξ) / σ,
 *
 * μ and σ the GP's posterior mean and predictive standard deviation at x, f⁺ the best rating so far, ξ the
 * trade-off (larger explores more). With σ = 0 it is max(μ − f⁺ − ξ, 0).
 *
 * `acquireByExpectedImprovement` streams the candidates in batches and keeps only the best `count` (a heap): memory
 * is one batch of posterior values however many millions of candidates there are, and no candidate × candidate
 * covariance is ever formed (each candidate needs only its n covariances with the rated galaxies).
 */
import { OptionError } from '../util/errors.js';
import { normalCdf, normalPdf } from '../util/specialFunctions.js';
import type { GaussianProcess } from './gaussianProcess.js';
import { TopK } from './topK.js';

/** The reference's trade-off ξ. */
export const DEFAULT_EI_TRADEOFF = 0.5;

/** EI at one point (see the module comment). */
export function expectedImprovement(mean: number, sd: number, best: number, tradeoff: number): number {
  const gain = mean - best - tradeoff;
  if (!(sd > 0)) return Math.max(gain, 0);
  const z = gain / sd;
  return gain * normalCdf(z) + sd * normalPdf(z);
}

/** A block of candidate rows: `vectors` holds rows × dimension values, row-major; row r is candidate `offset + r`. */
export interface CandidateBatch {
  offset: number;
  vectors: ArrayLike<number>;
}

/** The rows of an in-memory matrix as batches of at most `batchSize` rows (views, not copies, for typed arrays). */
export function* rowBatches(vectors: Float32Array | Float64Array, dimension: number, batchSize: number): Generator<CandidateBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError('batchSize', 'a positive integer', batchSize);
  const rows = vectors.length / dimension;
  for (let start = 0; start < rows; start += batchSize) {
    const end = Math.min(rows, start + batchSize);
    yield { offset: start, vectors: vectors.subarray(start * dimension, end * dimension) };
  }
}

export interface Acquired {
  /** Candidate index (batch offset + row). */
  index: number;
  ei: number;
  mean: number;
  sd: number;
}

export interface AcquireOptions {
  /** How many candidates to pick. */
  count: number;
  /** The trade-off ξ. @default 0.5 */
  tradeoff?: number;
  /** f⁺, the best rating seen so far. */
  best: number;
  /** Candidates never picked (e.g. the galaxies already rated). */
  exclude?: (index: number) => boolean;
  /** Called after each batch with the candidates scored so far (for progress). */
  onBatch?: (scored: number) => void;
}

/**
 * The `count` candidates of highest EI under `gp`, best first (ties to the lower index), from a stream of batches.
 */
export function acquireByExpectedImprovement(gp: GaussianProcess, batches: Iterable<CandidateBatch>, options: AcquireOptions): Acquired[] {
  const tradeoff = options.tradeoff ?? DEFAULT_EI_TRADEOFF;
  if (!Number.isFinite(tradeoff)) throw new OptionError('tradeoff', 'a finite number', tradeoff);
  if (!Number.isFinite(options.best)) throw new OptionError('best', 'a finite number (the best rating so far)', options.best);
  const d = gp.dimension;
  const top = new TopK<{ mean: number; sd: number }>(options.count);
  let scored = 0;
  for (const batch of batches) {
    const rows = batch.vectors.length / d;
    const keep: number[] = [];
    for (let r = 0; r < rows; r++) if (options.exclude?.(batch.offset + r) !== true) keep.push(r);
    if (keep.length === 0) continue;
    const block = new Float64Array(keep.length * d);
    keep.forEach((r, k) => {
      for (let c = 0; c < d; c++) block[k * d + c] = batch.vectors[r * d + c];
    });
    const pred = gp.predict(block);
    keep.forEach((r, k) => {
      const mean = pred.mean[k];
      const sd = pred.sd[k];
      top.push(batch.offset + r, expectedImprovement(mean, sd, options.best, tradeoff), { mean, sd });
    });
    scored += keep.length;
    options.onBatch?.(scored);
  }
  return top.sorted().map((s) => ({ index: s.index, ei: s.score, mean: s.item.mean, sd: s.item.sd }));
}
