/**
 * The uncertainty an active-learning round acquires by, from the T MC-dropout passes of its head over the pool:
 * - binomial head (the paper's setup, Walmsley et al. 2019): BALD of the scored answer's expected votes,
 *   Binomial(N = `votes`, ρ_t);
 * - Dirichlet head, scope 'scored' (the default): BALD of the scored answer's question alone — the
 *   Dirichlet-multinomial over that question's count vectors, with its expected votes — so acquisition aims at what
 *   is measured;
 * - Dirichlet head, scope 'all': the sum of every question's BALD term (the multi-question form; it aims at all
 *   eleven questions of GZ2 while only one is scored).
 * A question's expected votes N_q are the labelled set's mean vote total for it, rounded.
 */
import { binomialBald, dirichletMultinomialBald, type BaldResult } from '../../active/bald.js';
import type { ResolvedHead } from '../../models/bayesianCnnHead.js';
import type { Schema } from '../../data/schema.js';
import { OptionError } from '../../util/errors.js';

export const BALD_SCOPES = ['scored', 'all'] as const;
export type BaldScope = (typeof BALD_SCOPES)[number];

export interface PoolUncertaintyOptions {
  /** Which questions' BALD terms (Dirichlet head; the binomial head has only the scored answer). */
  scope: BaldScope;
  /** Schema index of the scored answer. */
  answerIndex: number;
  /** N of the binomial head's BALD. */
  votes: number;
  /** Seed of the Monte-Carlo estimate for questions too large to enumerate. */
  seed: number;
}

/** Mean vote total of each question over the labelled galaxies, rounded (the N_q of the Dirichlet-multinomial BALD). */
export function expectedVotes(labelled: readonly { counts: Float32Array }[], slices: readonly (readonly [number, number])[]): number[] {
  return slices.map(([s, e]) => {
    let total = 0;
    for (const g of labelled) for (let a = s; a < e; a++) total += g.counts[a];
    return Math.round(total / labelled.length);
  });
}

/**
 * @param passes head outputs [T][B][width] (binomial: ρ in column 0; Dirichlet: concentrations per schema answer)
 */
export function poolUncertainty(
  head: ResolvedHead, schema: Schema, passes: number[][][], labelled: readonly { counts: Float32Array }[], o: PoolUncertaintyOptions,
): BaldResult {
  switch (head.kind) {
    case 'binomial':
      if (o.scope !== 'scored') throw new OptionError('baldScope', '"scored" with the binomial head (it predicts the scored answer only)', o.scope);
      return binomialBald(passes.map((p) => p.map((g) => g[0])), { votes: o.votes });
    case 'dirichlet': {
      const slices = o.scope === 'all' ? head.questions : [head.questions[schema.answers[o.answerIndex].questionIndex]];
      return dirichletMultinomialBald(passes, slices, { expectedVotes: expectedVotes(labelled, slices), samplesPerPass: 40, maxEnumerated: 20_000, seed: o.seed });
    }
    case 'multinomial':
      throw new OptionError('head', 'binomial or dirichlet for active learning', head.kind);
    default: {
      const never: never = head.kind;
      throw new Error(`poolUncertainty: unknown head ${String(never)}`);
    }
  }
}
