import { describe, expect, it } from 'vitest';
import { meanAbsDifference, meanVoteFractions, questionErrors, voteFractionMetrics, type QuestionColumns } from '../../../src/train/metrics/voteFractionMetrics.js';

/** Two questions: q1 (3 answers, columns 0–2) and q2 (2 answers, columns 3–4). */
const questions: QuestionColumns[] = [
  { key: 'q1', start: 0, end: 3, answers: ['a', 'b', 'c'] },
  { key: 'q2', start: 3, end: 5, answers: ['d', 'e'] },
];

describe('voteFractionMetrics', () => {
  it('matches hand-computed sum-abs, RMSE and MAE, leaving out galaxies never asked a question', () => {
    // Galaxy 1: q1 votes 20/10/10 → f = .5/.25/.25; q2 votes 0/0 (not asked).
    // Galaxy 2: q1 votes 0/40/0 → f = 0/1/0; q2 votes 30/10 → f = .75/.25.
    const counts = [[20, 10, 10, 0, 0], [0, 40, 0, 30, 10]];
    const predicted = [[0.6, 0.2, 0.2, 0.9, 0.1], [0.1, 0.8, 0.1, 0.5, 0.5]];
    const m = voteFractionMetrics(predicted, counts, questions);
    // q1 diffs: g1 (.1, −.05, −.05) Σ|·| = .2; g2 (.1, −.2, .1) Σ|·| = .4 → sum-abs .3
    // squares: .01 + .0025 + .0025 + .01 + .04 + .01 = .075 over 6 → RMSE √.0125; MAE .6 / 6 = .1
    expect(m.perQuestion[0].sumAbs).toBeCloseTo(0.3, 12);
    expect(m.perQuestion[0].rmse).toBeCloseTo(Math.sqrt(0.0125), 12);
    expect(m.perQuestion[0].mae).toBeCloseTo(0.1, 12);
    expect(m.perQuestion[0].galaxies).toBe(2);
    // q2: only galaxy 2 counts; diffs (−.25, .25)
    expect(m.perQuestion[1]).toMatchObject({ galaxies: 1, leftOut: 1 });
    expect(m.perQuestion[1].sumAbs).toBeCloseTo(0.5, 12);
    expect(m.perQuestion[1].rmse).toBeCloseTo(0.25, 12);
    // answer b: diffs −.05 and −.2
    const b = m.perAnswer.find((a) => a.answer === 'b');
    expect(b?.rmse).toBeCloseTo(Math.sqrt((0.0025 + 0.04) / 2), 12);
    expect(b?.mae).toBeCloseTo(0.125, 12);
    // pooled over the 8 counted pairs: squares .075 + .125 = .2, abs .6 + .5
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.2 / 8), 12);
    expect(m.mae).toBeCloseTo(1.1 / 8, 12);
  });

  it('with minAskedFraction counts a question only for galaxies where that share of the volunteers was asked it', () => {
    // Galaxy 1: 40 volunteers, 10 reached q2 (25%). Galaxy 2: 40 volunteers, 30 reached q2 (75%).
    const counts = [[20, 10, 10, 6, 4], [0, 40, 0, 30, 0]];
    const predicted = [[0.5, 0.25, 0.25, 0.5, 0.5], [0, 1, 0, 0.8, 0.2]];
    const all = voteFractionMetrics(predicted, counts, questions);
    const most = voteFractionMetrics(predicted, counts, questions, { minAskedFraction: 0.5 });
    expect(all.perQuestion[1]).toMatchObject({ galaxies: 2, leftOut: 0 });
    // q2 at ≥ 50%: galaxy 2 only, f = (1, 0), p = (.8, .2) → sum-abs .4, RMSE .2
    expect(most.perQuestion[1]).toMatchObject({ galaxies: 1, leftOut: 1 });
    expect(most.perQuestion[1].sumAbs).toBeCloseTo(0.4, 12);
    expect(most.perQuestion[1].rmse).toBeCloseTo(0.2, 12);
    // q1 is asked of everyone: unchanged
    expect(most.perQuestion[0]).toEqual(all.perQuestion[0]);
    // exactly at the threshold counts: 20 of 40
    expect(voteFractionMetrics(predicted.slice(0, 1), [[20, 10, 10, 10, 10]], questions, { minAskedFraction: 0.5 }).perQuestion[1].galaxies).toBe(1);
    expect(() => voteFractionMetrics(predicted, counts, questions, { minAskedFraction: 1.5 })).toThrow(/minAskedFraction must be in \[0, 1\], got 1.5/);
  });

  it('scores only the predicted answers of a one-answer head', () => {
    const m = voteFractionMetrics([[0.7, Number.NaN, Number.NaN]], [[10, 30, 0]], [{ key: 'q1', start: 0, end: 3, answers: ['a', null, null] }]);
    expect(m.perAnswer.map((a) => a.answer)).toEqual(['a']);
    expect(m.perQuestion[0].sumAbs).toBeCloseTo(0.45, 12);
    expect(m.rmse).toBeCloseTo(0.45, 12);
  });

  it('gives NaN, not 0, for a question no galaxy was asked', () => {
    const m = voteFractionMetrics([[0.5, 0.5, 0, 0.5, 0.5]], [[1, 1, 0, 0, 0]], questions);
    expect(m.perQuestion[1].galaxies).toBe(0);
    expect(Number.isNaN(m.perQuestion[1].sumAbs)).toBe(true);
  });

  it('predict-the-mean: per-question means over asked galaxies only', () => {
    const mean = meanVoteFractions([[20, 10, 10, 0, 0], [0, 40, 0, 30, 10]], questions, 5);
    expect(Array.from(mean)).toEqual([0.25, 0.625, 0.125, 0.75, 0.25]);
  });

  it('refuses prediction and count rows of different lengths', () => {
    expect(() => voteFractionMetrics([[1]], [], questions)).toThrow(/1 prediction rows for 0 count rows/);
  });
});

describe('questionErrors (one question from flat N × A arrays)', () => {
  it('matches hand-computed sum-abs and RMSE; fractions, counts and probabilities give the same figures', () => {
    const p = [0.5, 0.3, 0.2, 0.1, 0.8, 0.1];
    const f = [0.6, 0.2, 0.2, 0.0, 1.0, 0.0];
    // galaxy 1: 0.1 + 0.1 + 0 = 0.2; galaxy 2: 0.1 + 0.2 + 0.1 = 0.4 → mean 0.3; squares sum 0.08 over 6
    const e = questionErrors(p, f, { key: 'q1', answers: ['a', 'b', 'c'] });
    expect(e.sumAbs).toBeCloseTo(0.3, 12);
    expect(e.rmse).toBeCloseTo(Math.sqrt(0.08 / 6), 12);
    expect(e.galaxies).toBe(2);
    expect(e.leftOut).toBe(0);
    const counts = f.map((x, i) => x * (i < 3 ? 40 : 17));
    expect(questionErrors(p, counts, { key: 'q1', answers: ['a', 'b', 'c'] }).sumAbs).toBeCloseTo(0.3, 12);
  });

  it('leaves out galaxies whose question was not asked (reference summing to 0) and counts them', () => {
    const e = questionErrors([0.5, 0.5, 0.2, 0.8], [1, 0, 0, 0], { key: 'q', answers: ['y', 'n'] });
    expect(e.galaxies).toBe(1);
    expect(e.leftOut).toBe(1);
    expect(e.sumAbs).toBeCloseTo(1, 12);
  });

  it('refuses mismatched sizes, and measures mean |Δp|', () => {
    expect(() => questionErrors([0.5, 0.5], [1, 0, 0], { key: 'q', answers: ['y', 'n'] })).toThrow(/N × 2/);
    expect(meanAbsDifference([0.2, 0.8], [0.3, 0.6])).toBeCloseTo(0.15, 12);
  });
});
