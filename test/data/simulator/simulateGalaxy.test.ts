import { describe, expect, it } from 'vitest';
import { BUILTIN_SCHEMAS } from '../../../src/data/schemas/index.js';
import { isFeaturedClass } from '../../../src/data/simulator/galaxyClass.js';
import { sampleMorphology } from '../../../src/data/simulator/morphology.js';
import type { Observation } from '../../../src/data/simulator/observation.js';
import { renderCounts } from '../../../src/data/simulator/scene.js';
import { createGalaxySimulator, simulateGalaxy } from '../../../src/data/simulator/simulateGalaxy.js';
import { Rng } from '../../../src/util/rng.js';

describe('simulateGalaxy', () => {
  it('is deterministic by (seed, index), whatever the order galaxies are made in', () => {
    const a = simulateGalaxy(7, { seed: 9 });
    const simulate = createGalaxySimulator({ seed: 9 });
    simulate(3);
    const b = simulate(7);
    expect(b.image).toEqual(a.image);
    expect(b.counts).toEqual(a.counts);
    expect(b.morphology).toEqual(a.morphology);
    const c = simulateGalaxy(7, { seed: 10 });
    expect(c.image).not.toEqual(a.image);
  });

  it('makes grey images of the chosen size in [0, 1]', () => {
    for (const size of [64, 128]) {
      const g = simulateGalaxy(1, { size });
      expect(g.image.length).toBe(size * size);
      expect(g.image.every((x) => x >= 0 && x <= 1)).toBe(true);
      expect(g.id).toBe('sim-0000001');
    }
  });

  it('gives true probabilities that sum to 1 per question for every built-in schema', () => {
    for (const schema of BUILTIN_SCHEMAS) {
      const simulate = createGalaxySimulator({ schema });
      for (let i = 0; i < 30; i++) {
        const g = simulate(i);
        for (const [s, e] of simulate.schema.questionSlices) {
          let total = 0;
          for (let a = s; a < e; a++) {
            expect(g.probabilities[a]).toBeGreaterThan(0);
            total += g.probabilities[a];
          }
          expect(total).toBeCloseTo(1, 5);
        }
      }
    }
  });

  it('has a roughly balanced smooth vs featured sample with the rarer classes present', () => {
    const simulate = createGalaxySimulator({ seed: 4 });
    const n = 600;
    let featured = 0;
    const classes = new Set<string>();
    let smoothVotes = 0, featuredVotes = 0;
    for (let i = 0; i < n; i++) {
      const g = simulate(i);
      if (isFeaturedClass(g.morphology.galaxyClass)) featured++;
      classes.add(g.morphology.galaxyClass);
      smoothVotes += g.counts[0];
      featuredVotes += g.counts[1];
    }
    expect(featured / n).toBeGreaterThan(0.4);
    expect(featured / n).toBeLessThan(0.7);
    const share = featuredVotes / (smoothVotes + featuredVotes);
    expect(share).toBeGreaterThan(0.35);
    expect(share).toBeLessThan(0.65);
    for (const c of ['merger', 'ring', 'irregular', 'artefact']) expect(classes.has(c)).toBe(true);
  });

  it('fainter galaxies have lower measured S/N, close to the target', () => {
    const size = 64;
    const targets = [6, 15, 40, 120, 400];
    const measured = targets.map((snr) => {
      const obs: Observation = { sky: 200, readNoise: 5, psfFwhm: 1.8, psfBeta: 3.5, snr };
      const m = { ...sampleMorphology(new Rng(21), 'elliptical', size, obs), companions: 0, stars: 0, artefact: 'none' as const };
      // Average over noise realisations of the aperture S/N: signal in a 2-half-light-radius ellipse over the
      // noise expected from the sky plus the galaxy's own photons.
      let total = 0;
      const reps = 20;
      for (let r = 0; r < reps; r++) {
        const counts = renderCounts(m, obs, new Rng(100 + r), size);
        let signal = 0, pixels = 0;
        const a = 2 * m.halfLightRadius + 1;
        for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
          if (Math.hypot(i + 0.5 - m.centreX, j + 0.5 - m.centreY) <= a) {
            signal += counts[j * size + i] - obs.sky;
            pixels++;
          }
        }
        total += signal / Math.sqrt(Math.max(signal, 0) + pixels * (obs.sky + obs.readNoise ** 2));
      }
      return total / reps;
    });
    for (let k = 1; k < targets.length; k++) expect(measured[k]).toBeGreaterThan(measured[k - 1]);
    targets.forEach((t, k) => {
      expect(measured[k] / t).toBeGreaterThan(0.5);
      expect(measured[k] / t).toBeLessThan(1.5);
    });
  });

  it('rejects bad options naming the parameter', () => {
    expect(() => simulateGalaxy(0, { schema: 'gz3' as never })).toThrow(/option "schema": expected one of gz2 \| decals-dr5 \| q1, got "gz3"/);
    expect(() => simulateGalaxy(0, { minVolunteers: 10, maxVolunteers: 5 })).toThrow(/option "maxVolunteers": expected an integer ≥ minVolunteers \(10\), got 5/);
    expect(() => simulateGalaxy(0, { classMix: { spiral: 1 } as never })).toThrow(/option "classMix": expected a weight ≥ 0 for each of/);
    expect(() => simulateGalaxy(0, { snrRange: [10, 5] })).toThrow(/option "snrRange": expected low,high with 0 < low ≤ high/);
    expect(() => simulateGalaxy(-1)).toThrow(/option "index": expected an integer ≥ 0, got -1/);
  });
});

describe('benchmarkSimulator', () => {
  it('reports positive, consistent throughput', async () => {
    const { benchmarkSimulator } = await import('../../../src/data/simulator/benchmark.js');
    const r = benchmarkSimulator(50);
    expect(r.galaxies).toBe(50);
    expect(r.size).toBe(64);
    expect(r.galaxiesPerSecond).toBeCloseTo(50 / r.seconds, 6);
    expect(r.galaxiesPerSecond).toBeGreaterThan(0);
  });
});
