/**
 * The true answer probabilities of the morphological questions volunteers are asked, independent of how a
 * particular Galaxy Zoo schema phrases them ("concepts"). For each concept, a clean distribution follows from
 * the true morphology; it is mixed towards a "confused" distribution as clarity falls (faint, small or
 * inclined galaxies look smooth, round-ish, unbarred, with uncountable arms), and towards uniform by a small
 * share of careless volunteers. These are the probabilities a volunteer picks each answer — the limit of vote
 * fractions as the number of volunteers grows.
 */
import type { Morphology } from './morphology.js';
import type { Observation } from './observation.js';
import { clarity, diskFeatureClarity } from './visibility.js';

export const CONCEPT_ANSWERS = {
  smoothFeatured: ['smooth', 'featured', 'artifact'],
  edgeOn: ['yes', 'no'],
  bar: ['strong', 'weak', 'no'],
  spiral: ['yes', 'no'],
  bulge: ['none', 'small', 'moderate', 'large', 'dominant'],
  roundness: ['round', 'in-between', 'cigar'],
  odd: ['yes', 'no'],
  oddFeature: ['ring', 'lens-or-arc', 'disturbed', 'irregular', 'other', 'merger', 'dust-lane'],
  edgeOnBulge: ['rounded', 'boxy', 'none'],
  winding: ['tight', 'medium', 'loose'],
  armCount: ['1', '2', '3', '4', 'more-than-4', 'cant-tell'],
  merging: ['none', 'minor-disturbance', 'major-disturbance', 'merger'],
} as const;

export type Concept = keyof typeof CONCEPT_ANSWERS;
export const CONCEPTS = Object.keys(CONCEPT_ANSWERS) as Concept[];
export type ConceptAnswer<C extends Concept> = (typeof CONCEPT_ANSWERS)[C][number];

/** Per concept, probabilities in the order of CONCEPT_ANSWERS[concept]; each sums to 1. */
export type ConceptProbabilities = Record<Concept, number[]>;

/** Share of careless volunteers answering uniformly at random. */
const CARELESS = 0.03;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function normalise(w: number[]): number[] {
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
}

/** clarity·clean + (1 − clarity)·confused, then the careless share; result sums to 1. */
function blend(clean: number[], confused: number[], c: number): number[] {
  const a = normalise(clean);
  const b = normalise(confused);
  const k = a.length;
  return a.map((x, i) => (1 - CARELESS) * (c * x + (1 - c) * b[i]) + CARELESS / k);
}

/** Soft assignment of a value to the nearest of several centres (Gaussian kernels of the given width). */
function soft(value: number, centres: number[], width: number): number[] {
  return normalise(centres.map((c) => Math.exp(-((value - c) ** 2) / (2 * width * width)) + 1e-6));
}

function hasDisk(m: Morphology): boolean {
  return m.bulgeFraction < 1 && m.diskScale > 0;
}

/** Axis ratio as seen through the PSF: seeing makes small galaxies look rounder. */
function seenAxisRatio(m: Morphology, obs: Observation): number {
  const s2 = (obs.psfFwhm / 2.3548) ** 2;
  const a2 = m.halfLightRadius ** 2;
  return Math.sqrt((a2 * m.axisRatio ** 2 + s2) / (a2 + s2));
}

export function conceptProbabilities(m: Morphology, obs: Observation): ConceptProbabilities {
  const c = clarity(m, obs);
  const cDisk = diskFeatureClarity(m, obs);
  const disk = hasDisk(m);
  const qSeen = seenAxisRatio(m, obs);
  const merger = m.partnerFluxRatio > 0;

  // Smooth / featured / star-or-artefact.
  const featureStrength = Math.min(
    1,
    Math.max(
      m.armStrength * 1.2,
      m.barStrength * 2.5,
      m.ringStrength * 2,
      m.disturbance * 0.8,
      m.clumps > 0 ? 0.7 : 0,
      m.galaxyClass === 'edge-on' ? 1 : 0,
      disk ? 0.45 * (1 - m.bulgeFraction) : 0,
    ),
  );
  let smoothFeatured: number[];
  if (m.galaxyClass === 'artefact') smoothFeatured = [0.1, 0.05, 0.85];
  else if (merger) smoothFeatured = [0.35, 0.6, 0.05];
  else if (!disk && m.clumps === 0) smoothFeatured = [0.9, 0.08, 0.02];
  else smoothFeatured = [1 - featureStrength * 0.9, 0.1 + featureStrength * 0.85, 0.02];
  if (m.artefact !== 'none' && m.galaxyClass !== 'artefact') smoothFeatured[2] += 0.08;

  // Edge-on.
  const edgeYes = disk ? sigmoid((m.inclination - 76) / 3.5) * 0.95 + 0.02 : 0.3 * sigmoid((0.4 - m.axisRatio) / 0.08);
  const edgeConfused = 0.05 + 0.6 * sigmoid((0.4 - qSeen) / 0.08);

  // Bar.
  const bar = m.barStrength > 0.2 ? [0.75, 0.2, 0.05] : m.barStrength > 0 ? [0.25, 0.5, 0.25] : [0.03, 0.1, 0.87];

  // Spiral arms.
  const spiralYes = m.arms > 0 ? 0.45 + 0.5 * Math.min(1, m.armStrength / 0.5) : m.clumps > 0 ? 0.25 : 0.06;

  // Bulge prominence (bulge-to-total ratio on a log scale).
  const bulge = soft(Math.log(m.bulgeFraction + 0.01), [0.005, 0.06, 0.16, 0.33, 0.6].map((x) => Math.log(x + 0.01)), 0.45);

  // Roundness of smooth galaxies, from the axis ratio seen through the PSF.
  const roundness = soft(qSeen, [0.92, 0.65, 0.35], 0.1);
  const roundConfused = soft(qSeen, [0.92, 0.65, 0.35], 0.25);

  // Anything odd, and what.
  const oddness = Math.max(
    merger ? 0.9 : 0,
    m.ringStrength > 0 ? 0.5 + m.ringStrength : 0,
    m.galaxyClass === 'irregular' ? 0.75 : 0,
    m.dustLane * 0.6,
    m.disturbance * 0.5,
    m.artefact !== 'none' ? 0.35 : 0,
    0.07,
  );
  const oddFeature = [
    m.ringStrength * 6,
    0.15,
    merger ? 0.8 : m.disturbance * 2,
    m.galaxyClass === 'irregular' ? 3 : m.clumps > 0 ? 0.4 : 0,
    0.3 + (m.artefact !== 'none' ? 1.5 : 0),
    merger ? 4 : 0,
    m.dustLane * 4,
  ];

  // Bulge shape of edge-on disks.
  const noBulge = Math.exp(-m.bulgeFraction / 0.06);
  const edgeOnBulge = [(1 - noBulge) * (m.barStrength > 0 ? 0.6 : 0.85), (1 - noBulge) * (m.barStrength > 0 ? 0.4 : 0.15), noBulge];

  // Arm winding (pitch angle) and count.
  const winding = m.arms > 0 ? soft(m.pitchAngle, [10, 20, 32], 5) : [1, 1, 1];
  const armCount = [0, 0, 0, 0, 0, 0.05];
  if (m.arms > 0) {
    const k = Math.min(m.arms, 5) - 1;
    armCount[k] += 0.75;
    if (k > 0) armCount[k - 1] += 0.08;
    if (k < 4) armCount[k + 1] += 0.08;
  } else armCount[5] += 0.9;

  // Merging / tidal debris.
  const merging = merger
    ? [0.02, 0.08, 0.3, 0.6]
    : [1 - Math.min(0.9, m.disturbance), Math.min(0.9, m.disturbance) * 0.8, Math.min(0.9, m.disturbance) * 0.2, 0.01];

  return {
    smoothFeatured: blend(smoothFeatured, m.galaxyClass === 'artefact' ? [0.3, 0.1, 0.6] : [0.62, 0.33, 0.05], c),
    edgeOn: blend([edgeYes, 1 - edgeYes], [edgeConfused, 1 - edgeConfused], c),
    bar: blend(bar, [0.04, 0.14, 0.82], cDisk),
    spiral: blend([spiralYes, 1 - spiralYes], [0.3, 0.7], cDisk),
    bulge: blend(bulge, [0.1, 0.25, 0.35, 0.2, 0.1], c),
    roundness: blend(roundness, roundConfused, c),
    odd: blend([oddness, 1 - oddness], [0.15, 0.85], c),
    oddFeature: blend(oddFeature, [0.1, 0.15, 0.2, 0.15, 0.25, 0.1, 0.05], c),
    edgeOnBulge: blend(edgeOnBulge, [0.5, 0.2, 0.3], c),
    winding: blend(winding, [0.3, 0.4, 0.3], cDisk),
    armCount: blend(armCount, [0.05, 0.2, 0.05, 0.02, 0.01, 0.67], cDisk * Math.min(1, m.armStrength * 2 + 0.2)),
    merging: blend(merging, [0.7, 0.2, 0.07, 0.03], c),
  };
}
