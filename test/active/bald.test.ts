import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { binomialBald, dirichletMultinomialBald } from '../../src/active/bald.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const T = 15;

describe('binomialBald', () => {
  it('is ≈ 0 when every pass agrees', () => {
    const rho = Array.from({ length: T }, () => [0.3, 0.9]);
    const { mutualInformation, predictiveEntropy } = binomialBald(rho, { votes: 40 });
    mutualInformation.forEach((mi) => expect(Math.abs(mi)).toBeLessThan(1e-12));
    expect(predictiveEntropy[0]).toBeGreaterThan(1);
  });

  it('is ln 2 when passes confidently disagree (ρ = 0.05 vs 0.95, nearly disjoint count distributions)', () => {
    const rho = Array.from({ length: 16 }, (_, t) => [t % 2 === 0 ? 0.05 : 0.95]);
    expect(binomialBald(rho, { votes: 40 }).mutualInformation[0]).toBeCloseTo(Math.log(2), 6);
  });

  it('matches a tiny case by hand: N = 2, ρ = 0.2 and 0.6', () => {
    // p(0.2) = [0.64, 0.32, 0.04], p(0.6) = [0.16, 0.48, 0.36], mean = [0.40, 0.40, 0.20].
    const h = (p: number[]) => -p.reduce((s, v) => s + v * Math.log(v), 0);
    const expected = h([0.4, 0.4, 0.2]) - 0.5 * (h([0.64, 0.32, 0.04]) + h([0.16, 0.48, 0.36]));
    const result = binomialBald(tf.tensor2d([[0.2], [0.6]]), { votes: 2 });
    // Tensor input is float32: ρ = 0.2 is stored as 0.20000000298…
    expect(result.mutualInformation[0]).toBeCloseTo(expected, 6);
  });

  it('rejects probabilities outside [0, 1] and ragged passes with messages', () => {
    expect(() => binomialBald([[0.5], [1.5]])).toThrow(/rho\[1\]\[0\] = 1.5, expected a probability in \[0, 1\]/);
    expect(() => binomialBald([[0.5, 0.2], [0.5]])).toThrow(/pass 1 has 1 galaxies, pass 0 has 2/);
    expect(() => binomialBald([[0.5]], { votes: 0 })).toThrow(/option "votes"/);
  });
});

describe('dirichletMultinomialBald', () => {
  it('on a 2-answer question with huge concentrations equals the binomial form', () => {
    const rhos = [0.1, 0.4, 0.7, 0.95];
    const c = 1e7;
    const dm = dirichletMultinomialBald(
      rhos.map((r) => [[c * r, c * (1 - r)]]),
      [[0, 2]],
      { expectedVotes: 40 },
    );
    const bin = binomialBald(rhos.map((r) => [r]), { votes: 40 });
    expect(dm.mutualInformation[0]).toBeCloseTo(bin.mutualInformation[0], 4);
    expect(dm.predictiveEntropy[0]).toBeCloseTo(bin.predictiveEntropy[0], 4);
  });

  it('is ≈ 0 for agreeing passes and large for confident disagreement', () => {
    const agree = dirichletMultinomialBald(Array.from({ length: 5 }, () => [[3, 20, 2]]), [[0, 3]], { expectedVotes: 20 });
    expect(Math.abs(agree.mutualInformation[0])).toBeLessThan(1e-10);
    const disagree = dirichletMultinomialBald(
      Array.from({ length: 6 }, (_, t) => [t % 2 === 0 ? [100, 1, 1] : [1, 1, 100]]),
      [[0, 3]],
      { expectedVotes: 20 },
    );
    expect(disagree.mutualInformation[0]).toBeGreaterThan(0.6);
    expect(disagree.mutualInformation[0]).toBeLessThanOrEqual(Math.log(2) + 1e-9);
  });

  it('sums questions, with zero for a question expecting no votes', () => {
    const passes = [
      [[5, 1, 2, 30, 2]],
      [[1, 6, 2, 2, 30]],
      [[2, 2, 9, 10, 10]],
    ];
    const slices: [number, number][] = [
      [0, 3],
      [3, 5],
    ];
    const both = dirichletMultinomialBald(passes, slices, { expectedVotes: [10, 8] });
    expect(both.mutualInformation[0]).toBeCloseTo(
      both.perQuestion[0].mutualInformation[0] + both.perQuestion[1].mutualInformation[0],
      12,
    );
    const second = dirichletMultinomialBald(passes, slices, { expectedVotes: [10, 0] });
    expect(second.perQuestion[1].mutualInformation[0]).toBe(0);
    expect(second.mutualInformation[0]).toBeCloseTo(both.perQuestion[0].mutualInformation[0], 12);
  });

  it('Monte-Carlo estimate agrees with enumeration when the question is too large to enumerate', () => {
    const passes = [[[2, 8, 3]], [[9, 2, 4]], [[3, 3, 12]], [[5, 5, 5]]];
    const exact = dirichletMultinomialBald(passes, [[0, 3]], { expectedVotes: 12 });
    const sampled = dirichletMultinomialBald(passes, [[0, 3]], { expectedVotes: 12, maxEnumerated: 1, samplesPerPass: 2000, seed: 3 });
    expect(Math.abs(sampled.mutualInformation[0] - exact.mutualInformation[0])).toBeLessThan(0.03);
    expect(Math.abs(sampled.expectedEntropy[0] - exact.expectedEntropy[0])).toBeLessThan(0.05);
    const again = dirichletMultinomialBald(passes, [[0, 3]], { expectedVotes: 12, maxEnumerated: 1, samplesPerPass: 2000, seed: 3 });
    expect(again.mutualInformation[0]).toBe(sampled.mutualInformation[0]);
  });

  it('rejects bad slices, vote lists and concentrations with messages', () => {
    const passes = [[[1, 2]]];
    expect(() => dirichletMultinomialBald(passes, [[0, 3]])).toThrow(/question 0 has slice \[0, 3\), expected 0 ≤ start < end ≤ 2/);
    expect(() => dirichletMultinomialBald(passes, [[0, 2]], { expectedVotes: [1, 2] })).toThrow(/expectedVotes has 2 entries for 1 questions/);
    expect(() => dirichletMultinomialBald([[[0, 2]]], [[0, 2]])).toThrow(/concentrations\[0\]\[0\] has a non-positive value in question 0/);
  });
});
