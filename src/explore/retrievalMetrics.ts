/**
 * Ranking metrics of a similarity search with binary relevance (a neighbour is relevant when it shares the query's
 * class): precision@k and nDCG@k (Järvelin & Kekäläinen 2002), the measures of Walmsley et al. 2022 and of the
 * published galaxy similarity-search comparisons.
 */
import { OptionError } from '../util/errors.js';

/** Share of the first k results that are relevant (results beyond the list count as not relevant). */
export function precisionAtK(relevant: readonly boolean[], k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new OptionError('k', 'a positive integer', k);
  let hits = 0;
  for (let i = 0; i < Math.min(k, relevant.length); i++) if (relevant[i]) hits++;
  return hits / k;
}

/**
 * Normalised discounted cumulative gain at k: Σᵢ relᵢ / log₂(i + 1) over the first k results (i from 1), divided
 * by the same sum for an ideal ranking, which puts min(k, `totalRelevant`) relevant results first. `totalRelevant`
 * is how many relevant items the database holds for this query (the query itself excluded); 0 gives NaN (no ideal).
 */
export function ndcgAtK(relevant: readonly boolean[], k: number, totalRelevant: number): number {
  if (!Number.isInteger(k) || k < 1) throw new OptionError('k', 'a positive integer', k);
  if (!Number.isInteger(totalRelevant) || totalRelevant < 0) throw new OptionError('totalRelevant', 'an integer ≥ 0', totalRelevant);
  let dcg = 0;
  for (let i = 0; i < Math.min(k, relevant.length); i++) if (relevant[i]) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, totalRelevant); i++) ideal += 1 / Math.log2(i + 2);
  return ideal === 0 ? NaN : dcg / ideal;
}
