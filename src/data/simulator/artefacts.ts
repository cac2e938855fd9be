/**
 * Imaging artefacts: satellite trails, saturated stars (diffraction spikes, clipped cores, bleed trails along
 * the readout columns) and bad detector columns. Light-like artefacts are added before the PSF blur; detector
 * effects (saturation, bleeding, bad columns) after the noise, on counts.
 */
import type { Rng } from '../../util/rng.js';
import { addLine, addPointSource } from './blob.js';
import type { ArtefactKind } from './morphology.js';
import { skyVariance, type Observation } from './observation.js';

/** Full-well level, in sky-noise units above the sky. */
const SATURATION_SIGMAS = 1500;

export function saturationLevel(obs: Observation): number {
  return obs.sky + SATURATION_SIGMAS * Math.sqrt(skyVariance(obs));
}

/** Detector effects decided before blurring and applied after the noise. */
export interface DetectorDefects {
  /** Saturated stars: position and bleed half-length (pixels). */
  saturated: { x: number; y: number; bleed: number }[];
  /** Bad columns: column index, first and last affected row, and the level (counts) they read. */
  columns: { column: number; from: number; to: number; level: number }[];
}

export function noDefects(): DetectorDefects {
  return { saturated: [], columns: [] };
}

/**
 * Adds one artefact of `kind`. With `centred` it passes through (trail, column) or sits on (star) the image
 * centre, as for objects Galaxy Zoo volunteers call "star or artefact"; otherwise it lands anywhere.
 */
export function addArtefact(
  kind: ArtefactKind,
  light: Float32Array,
  size: number,
  obs: Observation,
  rng: Rng,
  centred: boolean,
  defects: DetectorDefects,
): void {
  const sigma = Math.sqrt(skyVariance(obs));
  const cx = centred ? size / 2 + rng.range(-1, 1) : rng.range(0, size);
  const cy = centred ? size / 2 + rng.range(-1, 1) : rng.range(0, size);
  switch (kind) {
    case 'none':
      return;
    case 'satellite-trail': {
      const angle = rng.range(0, Math.PI);
      const half = size * 1.5;
      const dx = Math.cos(angle) * half;
      const dy = Math.sin(angle) * half;
      const perPixel = rng.range(10, 60) * sigma * obs.psfFwhm;
      addLine(light, size, cx - dx, cy - dy, cx + dx, cy + dy, () => perPixel);
      return;
    }
    case 'saturated-star': {
      const flux = saturationLevel(obs) * obs.psfFwhm * obs.psfFwhm * rng.range(4, 30);
      addPointSource(light, size, cx, cy, flux);
      const spike = (size / 64) * rng.range(6, 14);
      const spikeFlux = flux * 0.004;
      const profile = (d: number) => spikeFlux / (1 + d * 0.4);
      addLine(light, size, cx, cy, cx + spike, cy, profile);
      addLine(light, size, cx, cy, cx - spike, cy, profile);
      addLine(light, size, cx, cy, cx, cy + spike, profile);
      addLine(light, size, cx, cy, cx, cy - spike, profile);
      defects.saturated.push({ x: cx, y: cy, bleed: (size / 64) * rng.range(2, 12) });
      return;
    }
    case 'bad-column': {
      const column = Math.min(size - 1, Math.floor(cx));
      const fromTop = rng.bernoulli(0.5);
      const cut = Math.floor(rng.range(0, size / 3));
      const hot = rng.bernoulli(0.7);
      defects.columns.push({
        column,
        from: fromTop ? 0 : cut,
        to: fromTop ? size - 1 - cut : size - 1,
        level: hot ? obs.sky + rng.range(30, 400) * sigma : obs.sky - rng.range(5, 20) * sigma,
      });
      return;
    }
  }
}

/** Clips at full well, bleeds saturated stars along their columns and overwrites bad columns. */
export function applyDetectorDefects(counts: Float32Array, size: number, obs: Observation, defects: DetectorDefects): void {
  const full = saturationLevel(obs);
  for (const star of defects.saturated) {
    const column = Math.floor(star.x);
    const j0 = Math.max(0, Math.floor(star.y - star.bleed));
    const j1 = Math.min(size - 1, Math.ceil(star.y + star.bleed));
    for (let j = j0; j <= j1; j++) {
      if (column >= 0 && column < size) counts[j * size + column] = full;
    }
  }
  for (let k = 0; k < counts.length; k++) if (counts[k] > full) counts[k] = full;
  for (const bad of defects.columns) {
    for (let j = bad.from; j <= bad.to; j++) counts[j * size + bad.column] = bad.level;
  }
}
