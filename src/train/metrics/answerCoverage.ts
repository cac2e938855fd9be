/**
 * Coverage calibration of one answer's predicted vote counts (Walmsley et al. 2019; active/calibration.ts): from
 * T MC-dropout passes of any head, the predictive distribution of the answer's count given its question's N_q
 * (a binomial mixture for ρ or softmax probabilities, a beta-binomial mixture for Dirichlet concentrations), then
 * the coverage error within ±τ vote fraction. Galaxies whose question got no votes are left out; fractional
 * (expected) counts are rounded to whole votes.
 */
import { binomialMixturePredictive, betaBinomialMixturePredictive } from '../../active/predictiveCounts.js';
import { discreteCoverage, type DiscreteCoverage } from '../../active/calibration.js';
import type { HeadKind } from '../../models/bayesianCnnHead.js';
import type { Schema } from '../../data/schema.js';
import { questionVotes } from './voteFractionMetrics.js';

/**
 * @param passes head predictions [T][B][width]: ρ [1] (binomial), the question's probabilities (multinomial) or
 *   concentrations over every schema answer (dirichlet)
 * @param counts per galaxy, vote counts over the schema's answers
 * @returns the coverage and the galaxies it was measured on; null when no galaxy was asked the answer's question
 */
export function answerCoverage(
  passes: readonly (readonly (readonly number[])[])[], counts: readonly ArrayLike<number>[], schema: Schema, head: HeadKind, answer: string,
  fractionTolerance = 0.2,
): (DiscreteCoverage & { galaxies: number }) | null {
  const a = schema.answerIndex(answer);
  const q = schema.questions[schema.answers[a].questionIndex];
  const totals = counts.map((c) => Math.round(questionVotes(c, q)));
  const keep = totals.map((n, b) => (n > 0 ? b : -1)).filter((b) => b >= 0);
  if (keep.length === 0) return null;
  const votes = keep.map((b) => totals[b]);
  const observed = keep.map((b) => Math.min(totals[b], Math.round(counts[b][a])));
  const subset = passes.map((pass) => keep.map((b) => pass[b]));
  const predictive = head === 'dirichlet'
    ? betaBinomialMixturePredictive(subset, [q.start, q.end], a, votes)
    : binomialMixturePredictive(subset.map((pass) => pass.map((g) => (head === 'binomial' ? g[0] : g[a - q.start]))), votes);
  return { ...discreteCoverage(predictive, observed, { fractionTolerance }), galaxies: keep.length };
}
