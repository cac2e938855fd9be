/**
 * Display stretch: counts → grey levels in [0, 1], an arcsinh stretch in units of the sky noise like the
 * SDSS colour composites Galaxy Zoo volunteers saw (Lupton et al. 2004). The stretch is fixed, not per image,
 * so faint galaxies stay faint and noisy and bright cores saturate, as they do in real cutouts.
 */
import { skyVariance, type Observation } from './observation.js';

/** Softening of the arcsinh, in sky-noise units: below it the stretch is linear. */
const SOFTENING = 5;
/** Level (sky-noise units above sky) that maps to white. */
const WHITE = 600;
/** Offset (sky-noise units) added so the sky sits just above black, with its noise visible. */
const PEDESTAL = 0.5;

/** The stretch tabulated on [0, WHITE/SOFTENING] (then linear interpolation): white at the last entry. */
const TABLE_SIZE = 4096;
const TABLE_MAX = WHITE / SOFTENING;
const STRETCH = buildStretchTable();

function buildStretchTable(): Float32Array {
  const table = new Float32Array(TABLE_SIZE + 2);
  const scale = 1 / Math.asinh(TABLE_MAX);
  for (let k = 0; k <= TABLE_SIZE + 1; k++) table[k] = Math.min(1, Math.asinh((k / TABLE_SIZE) * TABLE_MAX) * scale);
  return table;
}

export function toDisplay(counts: Float32Array, obs: Observation, out = new Float32Array(counts.length)): Float32Array {
  const invSigma = 1 / Math.sqrt(skyVariance(obs));
  const toIndex = TABLE_SIZE / SOFTENING / TABLE_MAX;
  const table = STRETCH;
  for (let k = 0; k < counts.length; k++) {
    const t = ((counts[k] - obs.sky) * invSigma + PEDESTAL) * toIndex;
    if (t <= 0) out[k] = 0;
    else if (t >= TABLE_SIZE) out[k] = 1;
    else {
      const i = t | 0;
      out[k] = table[i] + (t - i) * (table[i + 1] - table[i]);
    }
  }
  return out;
}
