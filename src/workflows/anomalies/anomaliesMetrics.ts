/**
 * How well a ranking finds the anomalies, as the reference measures it (mwalmsley/morphology-tools
 * `anomaly/shared.py` `get_metrics`): every galaxy sorted by its score, highest first (the GP's posterior mean for
 * rated and unrated galaxies alike; the isolation-forest score for the baseline), then for each cut K
 *   precision@K = anomalies among the top K / K   (the reference's "accuracy_K"),
 *   recall@K    = anomalies among the top K / all anomalies,
 * with ties broken by the lower galaxy index. The top K are found with a heap, streamed over the scores.
 */
import { TopK } from '../../explore/topK.js';

/** The reference's cuts (50 and 150) and the 200. */
export const METRIC_CUTS = [50, 150, 200] as const;

export interface CutMetrics {
  k: number;
  found: number;
  precision: number;
  recall: number;
}

/** The indices of the `k` highest scores, best first (ties to the lower index). */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  const top = new TopK(Math.max(1, Math.min(k, scores.length)));
  for (let i = 0; i < scores.length; i++) top.push(i, scores[i], undefined);
  return top.sorted().map((s) => s.index);
}

/** precision@K and recall@K of the ranking by `scores` for each K of `cuts` (capped at the number of galaxies). */
export function rankingMetrics(scores: ArrayLike<number>, anomaly: ArrayLike<number>, cuts: readonly number[] = METRIC_CUTS): CutMetrics[] {
  let total = 0;
  for (let i = 0; i < anomaly.length; i++) total += anomaly[i];
  const order = topIndices(scores, Math.max(...cuts));
  return cuts.map((k) => {
    const top = order.slice(0, k);
    const found = top.reduce((s, i) => s + anomaly[i], 0);
    return { k, found, precision: top.length > 0 ? found / Math.min(k, scores.length) : 0, recall: total > 0 ? found / total : 0 };
  });
}

/** The metrics as flat columns: precision_at_50, …, recall_at_50, …, found_at_50, … */
export function metricColumns(metrics: readonly CutMetrics[], prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) out[`${prefix}precision_at_${m.k}`] = m.precision;
  for (const m of metrics) out[`${prefix}recall_at_${m.k}`] = m.recall;
  for (const m of metrics) out[`${prefix}found_at_${m.k}`] = m.found;
  return out;
}
