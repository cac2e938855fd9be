/**
 * The true morphology of one simulated galaxy and the class-conditional priors it is drawn from.
 *
 * Geometry conventions (used by the renderer and by the tests that recover these parameters):
 * - pixel (i, j) covers [i, i+1) × [j, j+1); positions are in pixels from the image's top-left corner;
 * - angles are measured counter-clockwise as the image is viewed (x to the right, y up the screen), in degrees;
 * - `axisRatio` is the observed minor/major axis ratio of the disk (or of the Sérsic body for ellipticals);
 * - winding 'Z' means an arm turns counter-clockwise (as viewed) while moving outward, 'S' clockwise.
 */
import type { Rng } from '../../util/rng.js';
import type { GalaxyClass } from './galaxyClass.js';
import { apertureArea, fluxForSnr, skyVariance, type Observation } from './observation.js';

export const ARTEFACT_KINDS = ['none', 'satellite-trail', 'bad-column', 'saturated-star'] as const;
export type ArtefactKind = (typeof ARTEFACT_KINDS)[number];

export const WINDINGS = ['none', 'S', 'Z'] as const;
export type Winding = (typeof WINDINGS)[number];

export interface Morphology {
  galaxyClass: GalaxyClass;
  /** Centre of the main galaxy, pixels. */
  centreX: number;
  centreY: number;
  /** Size parameter: approximate half-light radius of the main galaxy, pixels. */
  halfLightRadius: number;
  /** Total flux of the main galaxy, counts. */
  totalFlux: number;
  /** Bulge-to-total flux ratio (1 for ellipticals). */
  bulgeFraction: number;
  sersicIndex: number;
  /** Bulge effective radius, pixels. */
  bulgeRadius: number;
  bulgeAxisRatio: number;
  /** Exponential disk scale length, pixels (0 without a disk). */
  diskScale: number;
  /** Observed axis ratio b/a of the disk, or of the body of an elliptical. */
  axisRatio: number;
  /** Disk inclination, degrees (0 face-on, 90 edge-on). */
  inclination: number;
  /** Position angle of the major axis, degrees in [0, 180), counter-clockwise from +x as viewed. */
  positionAngle: number;
  /** Number of spiral arms (0 without arms). */
  arms: number;
  /** Pitch angle of the logarithmic arms, degrees. */
  pitchAngle: number;
  winding: Winding;
  /** Fraction of disk light in the arm pattern, [0, 1]. */
  armStrength: number;
  /** Phase of the arm pattern, degrees. */
  armPhase: number;
  /** Fraction of disk light moved into the bar, [0, 1) (0 without a bar). */
  barStrength: number;
  /** Bar half-length, pixels. */
  barLength: number;
  /** Bar angle in the disk plane relative to the major axis, degrees. */
  barAngle: number;
  /** Fraction of disk light moved into the ring (0 without a ring). */
  ringStrength: number;
  /** Ring radius in the disk plane, pixels. */
  ringRadius: number;
  /** Peak optical depth-like absorption of an edge-on dust lane, [0, 1]. */
  dustLane: number;
  /** Number of star-forming clumps (irregulars and some spirals). */
  clumps: number;
  /** Tidal disturbance strength, [0, 1]. */
  disturbance: number;
  /** Flux of a merging partner relative to the main galaxy (0 without one). */
  partnerFluxRatio: number;
  /** Partner centre distance, pixels. */
  partnerSeparation: number;
  /** Direction of the partner from the main galaxy, degrees. */
  partnerAngle: number;
  /** Number of tidal tails. */
  tails: number;
  /** Number of small companion galaxies elsewhere in the frame. */
  companions: number;
  /** Number of foreground stars. */
  stars: number;
  artefact: ArtefactKind;
}

/** Probability that a galaxy of any class also carries an incidental artefact. */
const INCIDENTAL_ARTEFACT_RATE = 0.03;

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Observed axis ratio of an oblate body of intrinsic thickness q0 at inclination i (radians). */
export function projectedAxisRatio(inclinationRad: number, intrinsicThickness: number): number {
  const c = Math.cos(inclinationRad);
  const q0 = intrinsicThickness;
  return Math.sqrt(c * c * (1 - q0 * q0) + q0 * q0);
}

function emptyMorphology(galaxyClass: GalaxyClass, size: number, rng: Rng): Morphology {
  return {
    galaxyClass,
    centreX: size / 2 + rng.range(-0.75, 0.75),
    centreY: size / 2 + rng.range(-0.75, 0.75),
    halfLightRadius: (size / 64) * Math.exp(rng.range(Math.log(2.6), Math.log(8.5))),
    totalFlux: 0,
    bulgeFraction: 0,
    sersicIndex: 4,
    bulgeRadius: 0,
    bulgeAxisRatio: 1,
    diskScale: 0,
    axisRatio: 1,
    inclination: 0,
    positionAngle: rng.range(0, 180),
    arms: 0,
    pitchAngle: 0,
    winding: 'none',
    armStrength: 0,
    armPhase: rng.range(0, 360),
    barStrength: 0,
    barLength: 0,
    barAngle: 0,
    ringStrength: 0,
    ringRadius: 0,
    dustLane: 0,
    clumps: 0,
    disturbance: 0,
    partnerFluxRatio: 0,
    partnerSeparation: 0,
    partnerAngle: 0,
    tails: 0,
    companions: rng.poisson(0.8),
    stars: rng.poisson(0.4),
    artefact: rng.bernoulli(INCIDENTAL_ARTEFACT_RATE) ? sampleArtefactKind(rng) : 'none',
  };
}

function sampleArtefactKind(rng: Rng): ArtefactKind {
  return (['satellite-trail', 'bad-column', 'saturated-star'] as const)[rng.categorical([0.4, 0.25, 0.35])];
}

/** Gives m a disk seen at inclination drawn with cos(i) uniform in [cosLo, cosHi]. */
function addDisk(m: Morphology, rng: Rng, bulgeFraction: number, cosLo: number, cosHi: number): void {
  const inc = Math.acos(rng.range(cosLo, cosHi));
  m.inclination = (inc * 180) / Math.PI;
  m.axisRatio = projectedAxisRatio(inc, rng.range(0.1, 0.16));
  m.bulgeAxisRatio = projectedAxisRatio(inc, rng.range(0.55, 0.8));
  m.bulgeFraction = bulgeFraction;
  m.diskScale = m.halfLightRadius / 1.678;
  m.bulgeRadius = m.halfLightRadius * rng.range(0.15, 0.4);
  m.sersicIndex = rng.range(1.5, 4);
}

function addArms(m: Morphology, rng: Rng, strengthLo: number, strengthHi: number): void {
  m.arms = 1 + rng.categorical([0.07, 0.58, 0.18, 0.12, 0.05]);
  // Bulgier spirals have tighter arms (Hubble sequence), with scatter.
  m.pitchAngle = clamp(32 - 40 * m.bulgeFraction + rng.normal() * 5, 8, 40);
  m.winding = rng.bernoulli(0.5) ? 'S' : 'Z';
  m.armStrength = rng.range(strengthLo, strengthHi);
}

function addBar(m: Morphology, rng: Rng, strengthLo: number, strengthHi: number): void {
  m.barStrength = rng.range(strengthLo, strengthHi);
  m.barLength = m.diskScale * rng.range(1.3, 2.3);
  m.barAngle = rng.range(0, 180);
}

/** Draws the morphology of one galaxy of the given class; sets `totalFlux` from the observation's target S/N. */
export function sampleMorphology(rng: Rng, galaxyClass: GalaxyClass, size: number, obs: Observation): Morphology {
  const m = emptyMorphology(galaxyClass, size, rng);
  switch (galaxyClass) {
    case 'elliptical':
      m.bulgeFraction = 1;
      m.sersicIndex = rng.range(2.5, 5.5);
      m.bulgeRadius = m.halfLightRadius;
      m.axisRatio = clamp(1 - Math.abs(rng.normal() * 0.3), 0.3, 1);
      m.bulgeAxisRatio = m.axisRatio;
      break;
    case 'spiral':
      addDisk(m, rng, clamp(Math.abs(rng.normal() * 0.22), 0.02, 0.55), 0.3, 1);
      addArms(m, rng, 0.35, 0.9);
      if (rng.bernoulli(0.15)) m.clumps = 2 + rng.int(5);
      break;
    case 'barred-spiral':
      addDisk(m, rng, clamp(Math.abs(rng.normal() * 0.22), 0.03, 0.5), 0.35, 1);
      addBar(m, rng, 0.2, 0.45);
      addArms(m, rng, 0.3, 0.85);
      break;
    case 'edge-on':
      m.halfLightRadius *= 1.25;
      addDisk(m, rng, rng.range(0, 0.45), 0, 0.13);
      m.dustLane = rng.bernoulli(0.6) ? rng.range(0.3, 0.85) : 0;
      break;
    case 'ring':
      addDisk(m, rng, rng.range(0.1, 0.45), 0.5, 1);
      m.ringStrength = rng.range(0.25, 0.55);
      m.ringRadius = m.diskScale * rng.range(1.3, 2.4);
      if (rng.bernoulli(0.5)) addBar(m, rng, 0.1, 0.3);
      if (rng.bernoulli(0.3)) addArms(m, rng, 0.1, 0.35);
      break;
    case 'merger':
      if (rng.bernoulli(0.5)) {
        m.bulgeFraction = 1;
        m.sersicIndex = rng.range(2, 4.5);
        m.bulgeRadius = m.halfLightRadius;
        m.axisRatio = rng.range(0.5, 1);
        m.bulgeAxisRatio = m.axisRatio;
      } else {
        addDisk(m, rng, rng.range(0.05, 0.4), 0.3, 1);
      }
      m.disturbance = rng.range(0.4, 1);
      m.partnerFluxRatio = Math.exp(rng.range(Math.log(0.2), Math.log(1)));
      m.partnerSeparation = m.halfLightRadius * rng.range(1.2, 3.2);
      m.partnerAngle = rng.range(0, 360);
      m.tails = 1 + rng.int(2);
      break;
    case 'irregular':
      m.halfLightRadius *= 1.2;
      addDisk(m, rng, rng.range(0, 0.08), 0.4, 1);
      m.clumps = 3 + rng.int(7);
      m.disturbance = rng.range(0.3, 0.8);
      break;
    case 'artefact':
      m.halfLightRadius *= 0.6;
      m.bulgeFraction = 1;
      m.sersicIndex = rng.range(1, 3);
      m.bulgeRadius = m.halfLightRadius;
      m.axisRatio = rng.range(0.5, 1);
      m.bulgeAxisRatio = m.axisRatio;
      m.artefact = sampleArtefactKind(rng);
      break;
  }
  const area = apertureArea(m.halfLightRadius, m.axisRatio, obs.psfFwhm);
  m.totalFlux = fluxForSnr(obs.snr, area, skyVariance(obs));
  return m;
}
