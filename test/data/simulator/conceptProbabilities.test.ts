import { describe, expect, it } from 'vitest';
import { conceptProbabilities, CONCEPT_ANSWERS, CONCEPTS } from '../../../src/data/simulator/conceptProbabilities.js';
import { sampleMorphology, type Morphology } from '../../../src/data/simulator/morphology.js';
import type { Observation } from '../../../src/data/simulator/observation.js';
import { Rng } from '../../../src/util/rng.js';

const obs = (snr: number, psfFwhm = 1.8): Observation => ({ sky: 200, readNoise: 5, psfFwhm, psfBeta: 3.5, snr });

function barredSpiral(): Morphology {
  return { ...sampleMorphology(new Rng(3), 'barred-spiral', 64, obs(100)), barStrength: 0.35, arms: 2, armStrength: 0.8, axisRatio: 0.95, halfLightRadius: 7 };
}

describe('conceptProbabilities', () => {
  it('gives a distribution over each concept’s answers', () => {
    const p = conceptProbabilities(barredSpiral(), obs(100));
    for (const c of CONCEPTS) {
      expect(p[c].length).toBe(CONCEPT_ANSWERS[c].length);
      expect(p[c].reduce((s, x) => s + x, 0)).toBeCloseTo(1, 10);
    }
  });

  it('volunteers see fewer features as the galaxy gets fainter', () => {
    const m = barredSpiral();
    const featured = [400, 60, 20, 8].map((snr) => conceptProbabilities(m, obs(snr)).smoothFeatured[1]);
    for (let k = 1; k < featured.length; k++) expect(featured[k]).toBeLessThan(featured[k - 1]);
    expect(featured[0]).toBeGreaterThan(0.8);
    expect(featured[3]).toBeLessThan(0.5);
  });

  it('volunteers see fewer features as the galaxy gets smaller relative to the seeing', () => {
    const m = barredSpiral();
    const spiral = [8, 4, 2, 1].map((r) => conceptProbabilities({ ...m, halfLightRadius: r }, obs(200)).spiral[0]);
    for (let k = 1; k < spiral.length; k++) expect(spiral[k]).toBeLessThan(spiral[k - 1]);
  });

  it('bars are harder to see in more inclined disks', () => {
    const m = barredSpiral();
    const strongBar = [0.95, 0.6, 0.3].map((q) => conceptProbabilities({ ...m, axisRatio: q }, obs(200)).bar[0]);
    for (let k = 1; k < strongBar.length; k++) expect(strongBar[k]).toBeLessThan(strongBar[k - 1]);
  });

  it('edge-on votes follow the inclination of a disk', () => {
    const m = barredSpiral();
    const yes = [30, 70, 85].map((inclination) => conceptProbabilities({ ...m, inclination }, obs(300)).edgeOn[0]);
    expect(yes[0]).toBeLessThan(0.1);
    expect(yes[2]).toBeGreaterThan(0.8);
    expect(yes[1]).toBeGreaterThan(yes[0]);
  });
});
