/**
 * From T MC-dropout passes to per-galaxy predictions (zoobot's derived outputs, ALGORITHMS.md §1):
 * - vote fraction of each answer: the mean over passes (an equal-weight mixture) of the pass's fraction —
 *   α_a / A for the Dirichlet head, the softmax probability for the multinomial head, ρ for the binomial head;
 * - 90% interval: Dirichlet head, Beta(α_a, A − α_a) 5%/95% quantiles per pass, median across passes; the other
 *   heads, the 5%/95% percentiles of the per-pass fraction across passes;
 * - probability each question is asked (Dirichlet head only, the one covering the whole tree): the product of the
 *   parent answers' mean fractions up the tree; the other heads cover one question and report 1 for a root question
 *   and NaN otherwise (unknown without the parent's prediction);
 * - expected votes: fraction × N × P(asked), with N the nominal number of volunteers.
 */
import { voteFractionIntervals } from '../../active/voteFractionIntervals.js';
import { quantile } from '../../util/stats.js';
import { probabilityAsked, type Answer, type Question, type Schema } from '../../data/schema.js';
import type { ResolvedHead } from '../../models/bayesianCnnHead.js';

export interface PredictionSummary {
  /** The answers the head covers, in column order. */
  answers: Answer[];
  /** The questions the head covers. */
  questions: Question[];
  /** Per galaxy, per covered answer. */
  fraction: Float64Array[];
  lower: Float64Array[];
  upper: Float64Array[];
  expectedVotes: Float64Array[];
  /** Per galaxy, per covered question. */
  probabilityAsked: Float64Array[];
}

/**
 * @param passes head predictions [T][B][width] (ρ, probabilities or concentrations)
 * @param votes N, the nominal number of volunteers per galaxy
 */
export function summarisePasses(head: ResolvedHead, schema: Schema, passes: number[][][], votes: number): PredictionSummary {
  const T = passes.length;
  const B = passes[0]?.length ?? 0;
  const questions = head.questions.map(([start]) => schema.questions[schema.answers[start].questionIndex]);
  const answers = head.kind === 'binomial' ? [schema.answers[head.answer]] : questions.flatMap((q) => q.answers);
  const perPassFraction = (t: number, b: number): number[] => {
    const p = passes[t][b];
    if (head.kind !== 'dirichlet') return p;
    const out = new Array<number>(p.length);
    for (const [s, e] of head.questions) {
      let total = 0;
      for (let a = s; a < e; a++) total += p[a];
      for (let a = s; a < e; a++) out[a] = p[a] / total;
    }
    return out;
  };
  const fraction: Float64Array[] = [];
  const lower: Float64Array[] = [];
  const upper: Float64Array[] = [];
  const intervals = head.kind === 'dirichlet' && B > 0 ? voteFractionIntervals(passes, head.questions) : null;
  for (let b = 0; b < B; b++) {
    const width = answers.length;
    const mean = new Float64Array(width);
    const all = Array.from({ length: width }, () => new Array<number>(T));
    for (let t = 0; t < T; t++) {
      const f = perPassFraction(t, b);
      for (let a = 0; a < width; a++) {
        mean[a] += f[a] / T;
        all[a][t] = f[a];
      }
    }
    fraction.push(mean);
    if (intervals !== null) {
      lower.push(Float64Array.from(intervals[b], (i) => i.lower));
      upper.push(Float64Array.from(intervals[b], (i) => i.upper));
    } else {
      lower.push(Float64Array.from(all, (xs) => quantile(xs, 0.05)));
      upper.push(Float64Array.from(all, (xs) => quantile(xs, 0.95)));
    }
  }
  const probability = fraction.map((f) => {
    if (head.kind === 'dirichlet') return Float64Array.from(probabilityAsked(f, schema));
    return Float64Array.from(questions, (q) => (q.parent === null ? 1 : Number.NaN));
  });
  const questionOfColumn = answers.map((a) => questions.findIndex((q) => q.index === a.questionIndex));
  const expectedVotes = fraction.map((f, b) =>
    Float64Array.from(f, (x, a) => {
      const asked = probability[b][questionOfColumn[a]];
      return x * votes * (Number.isNaN(asked) ? 1 : asked);
    }));
  return { answers, questions, fraction, lower, upper, expectedVotes, probabilityAsked: probability };
}
