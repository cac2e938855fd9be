import { describe, expect, it } from 'vitest';
import { getSchema } from '../../../src/data/schemas/index.js';
import { createGalaxySimulator } from '../../../src/data/simulator/simulateGalaxy.js';
import { sampleVotes } from '../../../src/data/simulator/volunteerVotes.js';
import { Rng } from '../../../src/util/rng.js';

describe('sampleVotes', () => {
  it('vote fractions converge to the true probabilities as volunteers grow', () => {
    const simulate = createGalaxySimulator({ schema: 'gz2', seed: 3 });
    const galaxy = simulate(17);
    const schema = simulate.schema;
    const p = galaxy.probabilities;
    const maxError = (volunteers: number): number => {
      const counts = sampleVotes(schema, p, volunteers, new Rng(volunteers));
      let worst = 0;
      for (const q of schema.questions) {
        let n = 0;
        for (let a = q.start; a < q.end; a++) n += counts[a];
        if (n < volunteers * 0.05) continue; // questions hardly reached carry little information
        for (let a = q.start; a < q.end; a++) worst = Math.max(worst, Math.abs(counts[a] / n - p[a]));
      }
      return worst;
    };
    const small = maxError(30);
    const large = maxError(40_000);
    expect(large).toBeLessThan(0.02);
    expect(large).toBeLessThan(small / 3);
  });

  it('respects the gz2 tree: each child question gets exactly its parent answer’s votes', () => {
    const simulate = createGalaxySimulator({ schema: 'gz2', seed: 1 });
    const schema = simulate.schema;
    for (let i = 0; i < 40; i++) {
      const { counts, volunteers } = simulate(i);
      for (const q of schema.questions) {
        let n = 0;
        for (let a = q.start; a < q.end; a++) n += counts[a];
        if (q.parent === null) expect(n).toBe(volunteers);
        else expect(n).toBe(counts[q.parent.answerIndex]);
        for (let a = q.start; a < q.end; a++) expect(Number.isInteger(counts[a]) && counts[a] >= 0).toBe(true);
      }
    }
  });

  it('respects the decals-dr5 tree: no child question has more votes than its parent answer', () => {
    const simulate = createGalaxySimulator({ schema: 'decals-dr5', seed: 2 });
    const schema = simulate.schema;
    let childVotes = 0;
    for (let i = 0; i < 40; i++) {
      const { counts, volunteers } = simulate(i);
      for (const q of schema.questions) {
        let n = 0;
        for (let a = q.start; a < q.end; a++) n += counts[a];
        if (q.parent === null) expect(n).toBe(volunteers);
        else {
          expect(n).toBeLessThanOrEqual(counts[q.parent.answerIndex]);
          childVotes += n;
        }
      }
    }
    expect(childVotes).toBeGreaterThan(0);
  });

  it('never votes on a question whose parent answer has probability 0', () => {
    const schema = getSchema('gz2');
    const p = new Float32Array(schema.numAnswers);
    for (const q of schema.questions) for (let a = q.start; a < q.end; a++) p[a] = 1 / (q.end - q.start);
    p[schema.answerIndex('q1_smooth')] = 1;
    p[schema.answerIndex('q1_features_or_disk')] = 0;
    p[schema.answerIndex('q1_star_or_artifact')] = 0;
    const counts = sampleVotes(schema, p, 200, new Rng(5));
    for (const key of ['q2', 'q3', 'q4', 'q5', 'q9', 'q10', 'q11']) {
      const q = schema.question(key);
      for (let a = q.start; a < q.end; a++) expect(counts[a]).toBe(0);
    }
    const q7 = schema.question('q7');
    expect(counts.slice(q7.start, q7.end).reduce((s, x) => s + x, 0)).toBe(200);
  });
});
