/**
 * Coverage calibration of one answer's predicted vote counts (Walmsley et al. 2019; active/calibration.ts): from
 * T MC-dropout passes of any head, the predictive distribution of the answer's count given its question's N_q
 * (a binomial mixture for ρ or softmax probabilities, a beta-binomial mixture for Dirichlet concentrations), then
 * the coverage error within ±τ vote fraction. Galaxies whose question got no votes are left out; fractional
 * (expected) counts are rounded to whole votes. With a fitted over-dispersion scalar
 * (active/overdispersionCalibration.ts) the passes' distributions are widened by it first.
 */
import { discreteCoverage, type DiscreteCoverage } from '../../active/calibration.js';
import { calibratedMixturePredictive, type PassDistributions } from '../../active/overdispersionCalibration.js';
import type { HeadKind } from '../../models/bayesianCnnHead.js';
import type { Schema } from '../../data/schema.js';
import { questionVotes } from './voteFractionMetrics.js';

/** One answer's counts and per-pass count distributions, on the galaxies whose question got votes. */
export interface AnswerPassDistributions {
  /** Indices (into the given galaxies) of the galaxies kept. */
  kept: number[];
  /** N_q and the observed count k per kept galaxy (whole votes). */
  votes: number[];
  observed: number[];
  distributions: PassDistributions;
}

/**
 * @param passes head predictions [T][B][width]: ρ [1] (binomial), the question's probabilities (multinomial) or
 *   concentrations over every schema answer (dirichlet)
 * @param counts per galaxy, vote counts over the schema's answers
 * @returns null when no galaxy was asked the answer's question
 */
export function answerPassDistributions(
  passes: readonly (readonly (readonly number[])[])[], counts: readonly ArrayLike<number>[], schema: Schema, head: HeadKind, answer: string,
): AnswerPassDistributions | null {
  const a = schema.answerIndex(answer);
  const q = schema.questions[schema.answers[a].questionIndex];
  const totals = counts.map((c) => Math.round(questionVotes(c, q)));
  const kept = totals.map((n, b) => (n > 0 ? b : -1)).filter((b) => b >= 0);
  if (kept.length === 0) return null;
  const votes = kept.map((b) => totals[b]);
  const observed = kept.map((b) => Math.min(totals[b], Math.round(counts[b][a])));
  let distributions: PassDistributions;
  if (head === 'dirichlet') {
    const alpha = passes.map((pass) => kept.map((b) => pass[b][a]));
    const beta = passes.map((pass) => kept.map((b) => {
      let rest = 0;
      for (let j = q.start; j < q.end; j++) if (j !== a) rest += pass[b][j];
      return rest;
    }));
    distributions = { kind: 'beta-binomial', alpha, beta };
  } else {
    distributions = { kind: 'binomial', rho: passes.map((pass) => kept.map((b) => (head === 'binomial' ? pass[b][0] : pass[b][a - q.start]))) };
  }
  return { kept, votes, observed, distributions };
}

/**
 * @param calibration the fitted over-dispersion scalar (concentration for probability heads, scale for Dirichlet),
 *   or null for the model's own predictive
 * @returns the coverage and the galaxies it was measured on; null when no galaxy was asked the answer's question
 */
export function answerCoverage(
  passes: readonly (readonly (readonly number[])[])[], counts: readonly ArrayLike<number>[], schema: Schema, head: HeadKind, answer: string,
  fractionTolerance = 0.2, calibration: number | null = null,
): (DiscreteCoverage & { galaxies: number }) | null {
  const d = answerPassDistributions(passes, counts, schema, head, answer);
  if (d === null) return null;
  const predictive = calibratedMixturePredictive(d.distributions, d.votes, calibration);
  return { ...discreteCoverage(predictive, d.observed, { fractionTolerance }), galaxies: d.kept.length };
}
