import { describe, expect, it } from 'vitest';
import { labelSaving } from '../../../src/workflows/activeLearning/activeLearnMetrics.js';
import { meanCurves, savingOverSeeds, type SeedRun } from '../../../src/workflows/activeLearning/activeLearnSeeds.js';

/** A seed's results as activeLearnReport writes them, from BALD's and random's RMSE at 100 / 200 labels. */
function seedRun(seed: number, bald: [number, number], random: [number, number]): SeedRun {
  const curve = (acquisition: string, e: [number, number]) => e.map((error, round) => ({
    acquisition, round, labels: 100 * (round + 1), errorVotes: error, errorTruth: null, coverageError: 0.1 * (seed + 1),
  }));
  const points = (e: [number, number]) => e.map((error, round) => ({ labels: 100 * (round + 1), error }));
  return {
    seed, dir: `seed${seed}`,
    results: { curve: [...curve('bald', bald), ...curve('random', random)], labelSaving: { votes: labelSaving(points(bald), points(random)) }, calibration: {} },
  };
}

describe('active learning combined over seeds', () => {
  // Seed 0: BALD reaches random's final 0.25 halfway (150 labels) → saving 0.25. Seed 1: random reaches BALD's
  // final 0.28 at 140 labels, BALD at 200 → 1 − 200/140 = −0.4286. Seed 2: the same curves → saving 0.
  const runs = [seedRun(0, [0.3, 0.2], [0.3, 0.25]), seedRun(1, [0.3, 0.28], [0.3, 0.25]), seedRun(2, [0.3, 0.26], [0.3, 0.26])];

  it('averages the curves per round with a 95% CI', () => {
    const curves = meanCurves(runs);
    const bald1 = curves.find((c) => c.acquisition === 'bald' && c.round === 1)!;
    expect(bald1).toMatchObject({ labels: 200, seeds: 3 });
    expect(bald1.errorVotes.mean).toBeCloseTo((0.2 + 0.28 + 0.26) / 3, 12);
    // sd of (0.2, 0.28, 0.26) = √(((−0.0467)² + 0.0333² + 0.0133²)/2) = 0.041633; half-width 4.302653 · sd / √3.
    expect(bald1.errorVotes.sd).toBeCloseTo(0.0416333, 6);
    expect(bald1.errorVotes.halfWidth).toBeCloseTo((4.302653 * 0.0416333) / Math.sqrt(3), 5);
    expect(bald1.errorTruth).toBeNull();
    expect(bald1.coverageError.mean).toBeCloseTo(0.2, 12);
  });

  it('gives every seed a saving, their mean ± CI, and the saving on the seed-mean curves', () => {
    const s = savingOverSeeds(runs, meanCurves(runs), 'bald', 'random', 'votes')!;
    const savings = [0.25, 1 - 200 / 140, 0];
    s.perSeed.forEach((p, i) => expect(p.saving.saving).toBeCloseTo(savings[i], 9));
    const mean = savings.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(savings.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    expect(s.interval.mean).toBeCloseTo(mean, 9);
    expect(s.interval.halfWidth).toBeCloseTo((4.302653 * sd) / Math.sqrt(3), 5);
    // Mean curves: BALD 0.3 → 0.2467, random 0.3 → 0.2533; random's 0.2533 is the worse final; BALD reaches it at
    // 100 + 100 · (0.3 − 0.2533) / (0.3 − 0.2467) = 187.5 labels → saving 1 − 187.5/200 = 0.0625.
    expect(s.onMeanCurves.acquisitionLabels).toBeCloseTo(187.5, 9);
    expect(s.onMeanCurves.saving).toBeCloseTo(0.0625, 9);
    expect(savingOverSeeds(runs, meanCurves(runs), 'bald', 'random', 'truth')).toBeNull();
  });

  it('refuses seeds that disagree on the labels of a round', () => {
    const other = seedRun(3, [0.3, 0.2], [0.3, 0.25]);
    other.results.curve[1].labels = 250;
    expect(() => meanCurves([runs[0], other])).toThrow(/the seeds disagree on the labels of bald round 1: 200, 250/);
  });
});
