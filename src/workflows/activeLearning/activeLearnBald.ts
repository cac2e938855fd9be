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
 *
 * galaxyBald is the same BALD for `galmorph predict`, which has no labelled set: every question a head covers, with
 * each galaxy's own expected votes for it (N × P(asked), its `_expected_votes` columns summed, rounded), so a
 * question most volunteers would never be asked adds little.
 */
import { binomialBald, dirichletMultinomialBald, type BaldResult } from '../../active/bald.js';
import type { ResolvedHead } from '../../models/bayesianCnnHead.js';
import type { Schema } from '../../data/schema.js';
import { OptionError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';

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

/**
 * How the Dirichlet-multinomial BALD is estimated, here and in predict: exactly over every count vector up to
 * 20,000 of them (e.g. 4 answers × 40 votes: 12,341), else by Monte Carlo with 40 samples per pass.
 */
export const DIRICHLET_BALD_ESTIMATE = { samplesPerPass: 40, maxEnumerated: 20_000 } as const;

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
      return dirichletMultinomialBald(passes, slices, { expectedVotes: expectedVotes(labelled, slices), ...DIRICHLET_BALD_ESTIMATE, seed: o.seed });
    }
    case 'multinomial':
      throw new OptionError('head', 'binomial or dirichlet for active learning', head.kind);
    default: {
      const never: never = head.kind;
      throw new Error(`poolUncertainty: unknown head ${String(never)}`);
    }
  }
}

/** Per-galaxy BALD of every question a head covers (nats), and their sum. */
export interface GalaxyBald {
  /** Schema index of each covered question, in head order. */
  questions: number[];
  /** perQuestion[q][b]: the mutual information of question q's votes for galaxy b. */
  perQuestion: Float64Array[];
  /** Σ_q perQuestion[q][b]. */
  total: Float64Array;
}

/**
 * BALD of each galaxy's votes, per question the head covers (see the file comment): the binomial head's scored answer
 * with N votes; the Dirichlet head's questions each with the galaxy's expected votes round(N × P(asked)) (0 votes:
 * BALD 0). The Monte-Carlo stream of galaxy `ids[b]` and question q is derived from (seed, id, q), so a galaxy's
 * value does not depend on the other galaxies predicted with it. The multinomial head gets null (its one question is
 * a categorical choice without a vote-count model here).
 *
 * @param passes head outputs [T][B][width] (binomial: ρ in column 0; Dirichlet: concentrations per schema answer)
 * @param probabilityAsked per galaxy, per covered question (predictSummary's; NaN = unknown, taken as asked)
 * @param votes N, the nominal number of volunteers per galaxy
 */
export function galaxyBald(
  head: ResolvedHead, schema: Schema, passes: number[][][], ids: readonly string[], probabilityAsked: readonly Float64Array[], votes: number, seed: number,
): GalaxyBald | null {
  const questions = head.questions.map(([start]) => schema.answers[start].questionIndex);
  switch (head.kind) {
    case 'binomial': {
      const bald = binomialBald(passes.map((p) => p.map((g) => g[0])), { votes });
      return { questions, perQuestion: [bald.mutualInformation], total: Float64Array.from(bald.mutualInformation) };
    }
    case 'dirichlet': {
      const perQuestion = questions.map(() => new Float64Array(ids.length));
      const total = new Float64Array(ids.length);
      ids.forEach((id, b) => {
        const galaxy = passes.map((p) => [p[b]]);
        head.questions.forEach((slice, q) => {
          const asked = probabilityAsked[b][q];
          const expected = Math.round(votes * (Number.isNaN(asked) ? 1 : asked));
          if (expected === 0) return;
          const mi = dirichletMultinomialBald(galaxy, [slice], {
            expectedVotes: [expected], ...DIRICHLET_BALD_ESTIMATE, seed: Rng.derive(seed, 'galaxy-bald', id, q).nextUint32(),
          }).mutualInformation[0];
          perQuestion[q][b] = mi;
          total[b] += mi;
        });
      });
      return { questions, perQuestion, total };
    }
    case 'multinomial':
      return null;
    default: {
      const never: never = head.kind;
      throw new Error(`galaxyBald: unknown head ${String(never)}`);
    }
  }
}
