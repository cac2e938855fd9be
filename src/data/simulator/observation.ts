/**
 * Observing conditions of one simulated image: sky level, read noise, seeing (PSF width) and the target
 * signal-to-noise ratio that sets the galaxy's total flux.
 *
 * Units are detector counts per pixel; the PSF width is in output pixels. The S/N convention is the usual
 * aperture one: S/N = F / sqrt(F + A·(sky + readNoise²)), with A the area (pixels) of an ellipse of twice
 * the half-light radius, broadened by the PSF.
 */
import type { Rng } from '../../util/rng.js';

export interface Observation {
  /** Sky background, counts per pixel. */
  sky: number;
  /** Read noise, counts (standard deviation) per pixel. */
  readNoise: number;
  /** PSF full width at half maximum, pixels. */
  psfFwhm: number;
  /** Moffat β of the PSF wings (larger is closer to Gaussian). */
  psfBeta: number;
  /** Target aperture signal-to-noise ratio of the galaxy. */
  snr: number;
}

export interface ObservationRanges {
  /** Target S/N is drawn log-uniformly in this range. */
  snr: readonly [number, number];
  /** PSF FWHM in units of (image size / 64) pixels, drawn uniformly. */
  psfFwhm64: readonly [number, number];
}

export const DEFAULT_OBSERVATION_RANGES: ObservationRanges = {
  snr: [8, 800],
  psfFwhm64: [1.2, 2.6],
};

export function sampleObservation(rng: Rng, size: number, ranges: ObservationRanges): Observation {
  const [lo, hi] = ranges.snr;
  return {
    sky: rng.range(80, 400),
    readNoise: rng.range(3, 8),
    psfFwhm: (size / 64) * rng.range(ranges.psfFwhm64[0], ranges.psfFwhm64[1]),
    psfBeta: rng.range(2.5, 4.5),
    snr: Math.exp(rng.range(Math.log(lo), Math.log(hi))),
  };
}

/** Per-pixel noise variance of the empty sky (counts²). */
export function skyVariance(obs: Observation): number {
  return obs.sky + obs.readNoise * obs.readNoise;
}

/** Aperture area (pixels) used by the S/N convention for a galaxy of this half-light radius and axis ratio. */
export function apertureArea(halfLightRadius: number, axisRatio: number, psfFwhm: number): number {
  const psfSigma = psfFwhm / 2.3548;
  const a2 = 4 * halfLightRadius * halfLightRadius + psfSigma * psfSigma;
  const b2 = 4 * halfLightRadius * halfLightRadius * axisRatio * axisRatio + psfSigma * psfSigma;
  return Math.PI * Math.sqrt(a2 * b2);
}

/** Total flux F that gives the target S/N: solves S/N² (F + A·σ²) = F². */
export function fluxForSnr(snr: number, area: number, variance: number): number {
  const s2 = snr * snr;
  return (s2 + Math.sqrt(s2 * s2 + 4 * s2 * area * variance)) / 2;
}
