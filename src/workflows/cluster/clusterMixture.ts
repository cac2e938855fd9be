/**
 * The two mixture fits `galmorph cluster` makes on embedded means, on the library in src/cluster:
 * - the initial GMM prior (s3VDC's mini-batch GMM initialisation): k-means, then a diagonal GMM by EM;
 * - the choice of the number of clusters (AstroVaDEr §4; cluster/chooseK.ts): a Dirichlet-process Bayesian GMM fitted
 *   to many random mini-batches of the embeddings, the components in use counted in each, the most frequent count
 *   chosen, the whole procedure repeated with three seeds for its stability.
 */
import { fitDiagonalGmm } from '../../cluster/diagonalGmm.js';
import { chooseK, type ChooseKResult } from '../../cluster/chooseK.js';
import type { Mixture } from '../../models/vade.js';

/**
 * k-means then a diagonal GMM on the embedded means → π, μ_k, σ²_k (variances at least `varianceFloor`); with
 * `restarts` > 1 the fit of highest log-likelihood over that many seeds. Also returns every restart's mean
 * log-likelihood per point, for the log.
 */
export function fitInitialMixture(means: readonly Float64Array[], k: number, seed: number, varianceFloor: number, restarts = 1): { mixture: Mixture; restartLogLikelihoods: number[] } {
  const { params, restartLogLikelihoods } = fitDiagonalGmm(means, k, { seed, varianceFloor, restarts });
  const d = params.dimension;
  const rows = (flat: Float64Array) => Array.from({ length: k }, (_, c) => flat.slice(c * d, (c + 1) * d));
  return { mixture: { weights: params.weights.slice(), means: rows(params.means), variances: rows(params.variances) }, restartLogLikelihoods };
}

export interface ClusterCountOptions {
  /** Components of each Bayesian GMM (the most that can be in use). */
  maxComponents: number;
  /** A component is in use when its expected weight exceeds this. */
  threshold: number;
  /** Mini-batches fitted per seed. */
  batches: number;
  /** Galaxies per mini-batch (all of them when fewer). */
  batchSize: number;
  /** The procedure is repeated with seeds seed, seed + 1, seed + 2 for the stability of the count. */
  seed: number;
}

/** The count chosen and how it was reached (cluster/chooseK.ts's result without the individual fits). */
export type ClusterCountChoice = Omit<ChooseKResult, 'fits'>;

export function chooseClusterCount(means: readonly Float64Array[], o: ClusterCountOptions): ClusterCountChoice {
  const { fits: _fits, ...summary } = chooseK(means, {
    maxComponents: o.maxComponents, weightThreshold: o.threshold, batches: o.batches, batchSize: Math.min(o.batchSize, means.length), seeds: [o.seed, o.seed + 1, o.seed + 2],
  });
  return summary;
}
