/**
 * Choosing the number of clusters as AstroVaDEr did (ALGORITHMS.md §7): fit the Dirichlet-process Bayesian GMM to many
 * random mini-batches of embeddings, count the components whose weight passes a threshold in each fit, and take the
 * count that comes up most often; repeating the whole procedure with other seeds shows whether that count is stable.
 *
 *   const result = chooseK(embeddings, { maxComponents: 20, batchSize: 1000, batches: 20, seeds: [0, 1, 2] });
 *   result.mode, result.stable, result.distribution, result.perSeed
 *   for (const fit of chooseKFits(embeddings, opts)) progress.tick();    // one value per Bayesian GMM fit
 *
 * Batch b of seed s is drawn without replacement with a stream derived from (s, b), and its Bayesian GMM is seeded by
 * (s, b) too, so a result is reproducible from its seeds. When batchSize ≥ the number of points every batch is the whole
 * set and only the k-means initialisation differs between fits. Ties for the mode go to the smaller count.
 */
import { InputError } from '../util/errors.js';
import { check, resolveOptions } from '../util/options.js';
import { Rng } from '../util/rng.js';
import { mean, median } from '../util/stats.js';
import { fitBayesianGmm, positiveOrNull } from './bayesianGmm.js';
import { type Points, type PointsInput, toPoints } from './points.js';

export interface ChooseKOptions {
  /**
   * K of each Bayesian GMM fit (the largest count that can be found).
   * @default 20
   */
  maxComponents: number;
  /**
   * Points per mini-batch.
   * @default 1000
   */
  batchSize: number;
  /**
   * Mini-batches (fits) per seed.
   * @default 20
   */
  batches: number;
  /**
   * Seeds: each repeats the whole procedure, for the stability of the count.
   * @default [0, 1, 2]
   */
  seeds: number[];
  /**
   * A component is in use when its expected weight exceeds this.
   * @default 0.01
   */
  weightThreshold: number;
  /**
   * γ₀ of the stick-breaking prior; null for 1/maxComponents (scikit-learn's default).
   * @default null
   */
  weightConcentrationPrior: number | null;
  /**
   * Iterations per fit at most.
   * @default 100
   */
  maxIterations: number;
  /**
   * Lower-bound change that ends a fit.
   * @default 1e-3
   */
  tolerance: number;
}

export const CHOOSE_K_DEFAULTS: ChooseKOptions = {
  maxComponents: 20,
  batchSize: 1000,
  batches: 20,
  seeds: [0, 1, 2],
  weightThreshold: 0.01,
  weightConcentrationPrior: null,
  maxIterations: 100,
  tolerance: 1e-3,
};

const CHOOSE_K_SPEC = {
  maxComponents: check.integer(1, 10_000),
  batchSize: check.integer(2, 100_000_000),
  batches: check.integer(1, 100_000),
  seeds: check.integerList(0),
  weightThreshold: check.number(0, 0.999),
  weightConcentrationPrior: positiveOrNull(),
  maxIterations: check.integer(1, 100_000),
  tolerance: check.number(0, Infinity),
};

/** One Bayesian GMM fit to one mini-batch. */
export interface ChooseKFit {
  seed: number;
  /** 0-based batch of this seed. */
  batch: number;
  /** Components in use (weight > threshold). */
  count: number;
  /** Expected weights of all components, by decreasing size. */
  weights: number[];
  lowerBound: number;
  iterations: number;
  converged: boolean;
}

/** How often each count came up. */
export interface CountShare {
  count: number;
  fits: number;
  share: number;
}

export interface CountSummary {
  /** Most frequent count (ties: the smaller). */
  mode: number;
  /** Share of the fits that gave the mode. */
  modeShare: number;
  mean: number;
  median: number;
  min: number;
  max: number;
  distribution: CountShare[];
}

export interface ChooseKResult extends CountSummary {
  points: number;
  batchSize: number;
  /** Fits whose count equals maxComponents: the limit may be too low. */
  fitsAtLimit: number;
  /** Fits that stopped at maxIterations before the bound settled. */
  fitsNotConverged: number;
  perSeed: (CountSummary & { seed: number })[];
  /** Every seed's mode equals the overall mode. */
  stable: boolean;
  fits: ChooseKFit[];
}

/** The fits one by one (for progress); returns the summary. */
export function* chooseKFits(input: PointsInput, options: Partial<ChooseKOptions> = {}): Generator<ChooseKFit, ChooseKResult> {
  const opts = resolveOptions(CHOOSE_K_DEFAULTS, CHOOSE_K_SPEC, options);
  const points = toPoints(input, 'chooseK: points');
  const batchSize = Math.min(opts.batchSize, points.count);
  if (batchSize < Math.max(2, opts.maxComponents)) {
    throw new InputError(
      `chooseK: mini-batches of ${batchSize} points for ${opts.maxComponents} components`,
      {},
      'give more points, a larger batchSize or a smaller maxComponents',
    );
  }
  const fits: ChooseKFit[] = [];
  for (const seed of opts.seeds) {
    for (let batch = 0; batch < opts.batches; batch++) {
      const sample = miniBatch(points, batchSize, Rng.derive(seed, 'chooseK', batch));
      const model = fitBayesianGmm(sample, {
        maxComponents: opts.maxComponents,
        weightConcentrationPrior: opts.weightConcentrationPrior,
        maxIterations: opts.maxIterations,
        tolerance: opts.tolerance,
        seed: Rng.derive(seed, 'chooseK-fit', batch).nextUint32(),
      });
      const fit: ChooseKFit = {
        seed,
        batch,
        count: model.effectiveComponents(opts.weightThreshold).count,
        weights: Array.from(model.weights()).sort((a, b) => b - a),
        lowerBound: model.lowerBound,
        iterations: model.iterations,
        converged: model.converged,
      };
      fits.push(fit);
      yield fit;
    }
  }
  const overall = summariseCounts(fits.map((f) => f.count));
  const perSeed = opts.seeds.map((seed) => ({ seed, ...summariseCounts(fits.filter((f) => f.seed === seed).map((f) => f.count)) }));
  return {
    ...overall,
    points: points.count,
    batchSize,
    fitsAtLimit: fits.filter((f) => f.count === opts.maxComponents).length,
    fitsNotConverged: fits.filter((f) => !f.converged).length,
    perSeed,
    stable: perSeed.every((s) => s.mode === overall.mode),
    fits,
  };
}

export function chooseK(input: PointsInput, options: Partial<ChooseKOptions> = {}): ChooseKResult {
  const it = chooseKFits(input, options);
  for (;;) {
    const step = it.next();
    if (step.done === true) return step.value;
  }
}

/** Distribution, mode (ties to the smaller count), mean, median and range of counts. */
export function summariseCounts(counts: readonly number[]): CountSummary {
  if (counts.length === 0) throw new InputError('summariseCounts: no counts');
  const tally = new Map<number, number>();
  for (const c of counts) tally.set(c, (tally.get(c) ?? 0) + 1);
  const distribution = [...tally.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([count, fits]) => ({ count, fits, share: fits / counts.length }));
  let mode = distribution[0];
  for (const d of distribution) if (d.fits > mode.fits) mode = d;
  return {
    mode: mode.count,
    modeShare: mode.share,
    mean: mean(counts),
    median: median(counts),
    min: Math.min(...counts),
    max: Math.max(...counts),
    distribution,
  };
}

/** `size` distinct points drawn uniformly (partial Fisher–Yates), as a new Points. */
function miniBatch(points: Points, size: number, rng: Rng): Points {
  const { count: n, dimension: d, values } = points;
  if (size === n) return points;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const out = new Float64Array(size * d);
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
    out.set(values.subarray(order[i] * d, (order[i] + 1) * d), i * d);
  }
  return { values: out, count: size, dimension: d };
}
