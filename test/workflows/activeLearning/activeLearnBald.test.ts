import { describe, expect, it } from 'vitest';
import { createSchema } from '../../../src/data/schema.js';
import { resolveHead } from '../../../src/models/bayesianCnnHead.js';
import { expectedVotes, galaxyBald, poolUncertainty } from '../../../src/workflows/activeLearning/activeLearnBald.js';
import { headBiasOf } from '../../../src/workflows/activeLearning/activeLearnLoop.js';

/** Shannon entropy in nats, written out here rather than taken from src/active/bald.ts. */
const H = (p: number[]) => -p.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0);

// Two questions: q1 (2 answers) is scored; q2 (3 answers) is another question of the tree.
const schema = createSchema({
  name: 'tiny',
  questions: [
    { key: 'q1', text: 'smooth or featured?', answers: [{ key: 'q1_smooth', text: 'smooth' }, { key: 'q1_featured', text: 'featured' }] },
    { key: 'q2', text: 'how round?', answers: [{ key: 'q2_a', text: 'a' }, { key: 'q2_b', text: 'b' }, { key: 'q2_c', text: 'c' }] },
  ],
});

describe('BALD of the scored question (the paper\'s acquisition) against the reference formula by hand', () => {
  it('binomial head: H[mean_t Bin(k; 2, ρ_t)] − mean_t H[Bin(k; 2, ρ_t)] for ρ = 0.2 and 0.6', () => {
    const head = resolveHead({ kind: 'binomial', target: 'q1_featured' }, schema);
    // Bin(·; 2, 0.2) = (0.64, 0.32, 0.04); Bin(·; 2, 0.6) = (0.16, 0.48, 0.36); their mean (0.40, 0.40, 0.20).
    const reference = H([0.4, 0.4, 0.2]) - (H([0.64, 0.32, 0.04]) + H([0.16, 0.48, 0.36])) / 2;
    const passes = [[[0.2], [0.5]], [[0.6], [0.5]]]; // [T = 2][B = 2][1]; the second galaxy: both passes agree
    const r = poolUncertainty(head, schema, passes, [], { scope: 'scored', answerIndex: 1, votes: 2, seed: 0 });
    expect(r.mutualInformation[0]).toBeCloseTo(reference, 12);
    expect(r.mutualInformation[1]).toBeCloseTo(0, 12);
    expect(() => poolUncertainty(head, schema, passes, [], { scope: 'all', answerIndex: 1, votes: 2, seed: 0 }))
      .toThrow(/option "baldScope": expected "scored" with the binomial head/);
  });

  it('Dirichlet head: only the scored question\'s Dirichlet-multinomial term; the sum over questions with scope "all"', () => {
    const head = resolveHead({ kind: 'dirichlet', target: null }, schema);
    // Labelled galaxies with 2 votes on q1 (and 1 on q2): N_q1 = 2, N_q2 = 1.
    const labelled = [{ counts: Float32Array.of(1, 1, 1, 0, 0) }, { counts: Float32Array.of(2, 0, 0, 1, 0) }];
    expect(expectedVotes(labelled, head.questions)).toEqual([2, 1]);
    // Pass 1: q1 α = (1, 1) → DM(k_smooth = 0, 1, 2) = (1/3, 1/3, 1/3).
    // Pass 2: q1 α = (2, 1) → C(2, k) B(2 + k, 3 − k) / B(2, 1) = (1/6, 1/3, 1/2).
    // q2 differs between the passes too: the scored scope must leave it out.
    const passes = [[[1, 1, 1, 1, 1]], [[2, 1, 5, 1, 1]]];
    const q1 = H([1 / 4, 1 / 3, 5 / 12]) - (H([1 / 3, 1 / 3, 1 / 3]) + H([1 / 6, 1 / 3, 1 / 2])) / 2;
    // q2 with one vote: DM(·; 1, α) = α / Σα → (1/3, 1/3, 1/3) and (5/7, 1/7, 1/7).
    const q2 = H([(1 / 3 + 5 / 7) / 2, (1 / 3 + 1 / 7) / 2, (1 / 3 + 1 / 7) / 2]) - (H([1 / 3, 1 / 3, 1 / 3]) + H([5 / 7, 1 / 7, 1 / 7])) / 2;
    const scored = poolUncertainty(head, schema, passes, labelled, { scope: 'scored', answerIndex: 1, votes: 40, seed: 0 });
    expect(scored.mutualInformation[0]).toBeCloseTo(q1, 12);
    const all = poolUncertainty(head, schema, passes, labelled, { scope: 'all', answerIndex: 1, votes: 40, seed: 0 });
    expect(all.mutualInformation[0]).toBeCloseTo(q1 + q2, 12);
  });

  it('the head starts broad: bias −3 for the Dirichlet head (α ≈ 5.7), 0 for the binomial one, unless given', () => {
    expect(headBiasOf({ head: 'dirichlet', headBias: null })).toBe(-3);
    expect(headBiasOf({ head: 'binomial', headBias: null })).toBe(0);
    expect(headBiasOf({ head: 'dirichlet', headBias: 1 })).toBe(1);
  });
});

describe('galaxyBald (galmorph predict\'s BALD columns) against the reference formula by hand', () => {
  const head = resolveHead({ kind: 'dirichlet', target: null }, schema);
  // The same passes as above for galaxy a; galaxy b's passes agree with each other (no epistemic uncertainty).
  const passes = [[[1, 1, 1, 1, 1], [3, 2, 1, 1, 2]], [[2, 1, 5, 1, 1], [3, 2, 1, 1, 2]]];
  const q1 = H([1 / 4, 1 / 3, 5 / 12]) - (H([1 / 3, 1 / 3, 1 / 3]) + H([1 / 6, 1 / 3, 1 / 2])) / 2;
  const q2 = H([(1 / 3 + 5 / 7) / 2, (1 / 3 + 1 / 7) / 2, (1 / 3 + 1 / 7) / 2]) - (H([1 / 3, 1 / 3, 1 / 3]) + H([5 / 7, 1 / 7, 1 / 7])) / 2;

  it('Dirichlet head: each question with the galaxy\'s own expected votes round(N × P(asked)); 0 votes, BALD 0', () => {
    // N = 2: galaxy a's q1 gets 2 votes, its q2 (asked of half) 1 vote; galaxy b's q2 (asked of 20%) round(0.4) = 0.
    const asked = [Float64Array.of(1, 0.5), Float64Array.of(1, 0.2)];
    const r = galaxyBald(head, schema, passes, ['a', 'b'], asked, 2, 0);
    expect(r?.questions).toEqual([0, 1]);
    expect(r?.perQuestion[0][0]).toBeCloseTo(q1, 12);
    expect(r?.perQuestion[1][0]).toBeCloseTo(q2, 12);
    expect(r?.total[0]).toBeCloseTo(q1 + q2, 12);
    expect(r?.perQuestion[0][1]).toBeCloseTo(0, 12);
    expect(r?.perQuestion[1][1]).toBe(0);
    // An unknown P(asked) (NaN) counts as asked: q2 then gets both votes.
    const unknown = galaxyBald(head, schema, passes, ['a', 'b'], [Float64Array.of(1, Number.NaN), asked[1]], 2, 0);
    expect(unknown?.perQuestion[1][0]).toBeGreaterThan(q2);
  });

  it('a galaxy\'s Monte-Carlo estimate does not depend on the galaxies predicted with it', () => {
    // 200 votes over 3 answers: C(202, 2) = 20,301 count vectors, beyond the exact limit, so sampled.
    const asked = [Float64Array.of(1, 1), Float64Array.of(1, 1)];
    const both = galaxyBald(head, schema, passes, ['a', 'b'], asked, 200, 7);
    const alone = galaxyBald(head, schema, [[passes[0][0]], [passes[1][0]]], ['a'], [asked[0]], 200, 7);
    expect(alone?.perQuestion[1][0]).toBe(both?.perQuestion[1][0]);
    expect(both?.perQuestion[1][0]).toBeGreaterThan(0);
    const otherSeed = galaxyBald(head, schema, [[passes[0][0]], [passes[1][0]]], ['a'], [asked[0]], 200, 8);
    expect(otherSeed?.perQuestion[1][0]).not.toBe(both?.perQuestion[1][0]);
  });

  it('binomial head: the scored answer with N votes; multinomial head: none', () => {
    const binomial = resolveHead({ kind: 'binomial', target: 'q1_featured' }, schema);
    const reference = H([0.4, 0.4, 0.2]) - (H([0.64, 0.32, 0.04]) + H([0.16, 0.48, 0.36])) / 2;
    const r = galaxyBald(binomial, schema, [[[0.2]], [[0.6]]], ['a'], [Float64Array.of(1)], 2, 0);
    expect(r?.questions).toEqual([0]);
    expect(r?.total[0]).toBeCloseTo(reference, 12);
    const multinomial = resolveHead({ kind: 'multinomial', target: 'q2' }, schema);
    expect(galaxyBald(multinomial, schema, [[[0.2, 0.3, 0.5]]], ['a'], [Float64Array.of(1)], 2, 0)).toBeNull();
  });
});
