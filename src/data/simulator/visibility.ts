/**
 * How clearly volunteers can see a galaxy's details, in [0, 1]: near 1 for bright galaxies many PSF widths
 * across, falling as the galaxy gets fainter (S/N) or smaller relative to the seeing. Disk features (arms,
 * bars, rings) are also harder to see the more inclined the disk is.
 */
import type { Morphology } from './morphology.js';
import type { Observation } from './observation.js';

/** S/N at which brightness alone halves the clarity. */
const SNR_HALF = 20;
/** Half-light radius (in PSF FWHMs) at which size alone halves the clarity. */
const SIZE_HALF = 0.8;

export function clarity(m: Morphology, obs: Observation): number {
  const s2 = obs.snr * obs.snr;
  const x = m.halfLightRadius / obs.psfFwhm;
  return (s2 / (s2 + SNR_HALF * SNR_HALF)) * ((x * x) / (x * x + SIZE_HALF * SIZE_HALF));
}

/** Clarity of features lying in the disk plane: reduced by inclination (∝ √(b/a)). */
export function diskFeatureClarity(m: Morphology, obs: Observation): number {
  return clarity(m, obs) * Math.sqrt(m.axisRatio);
}
