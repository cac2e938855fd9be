/**
 * The ground-truth table of a simulated sample (truth.csv): per galaxy its id, class, every true morphology
 * parameter, the observing conditions, the number of volunteers and the true per-question answer probability
 * of every schema answer (`p_<answer key>`).
 */
import type { Schema } from '../schema.js';
import type { Morphology } from './morphology.js';
import type { Observation } from './observation.js';
import type { SimulatedGalaxy } from './simulateGalaxy.js';

const MORPHOLOGY_COLUMNS: (keyof Morphology)[] = [
  'galaxyClass', 'centreX', 'centreY', 'halfLightRadius', 'totalFlux', 'bulgeFraction', 'sersicIndex', 'bulgeRadius',
  'bulgeAxisRatio', 'diskScale', 'axisRatio', 'inclination', 'positionAngle', 'arms', 'pitchAngle', 'winding',
  'armStrength', 'armPhase', 'barStrength', 'barLength', 'barAngle', 'ringStrength', 'ringRadius', 'dustLane',
  'clumps', 'disturbance', 'partnerFluxRatio', 'partnerSeparation', 'partnerAngle', 'tails', 'companions', 'stars',
  'artefact',
];

const OBSERVATION_COLUMNS: (keyof Observation)[] = ['snr', 'sky', 'readNoise', 'psfFwhm', 'psfBeta'];

export function truthHeader(schema: Schema): string[] {
  return ['id', ...MORPHOLOGY_COLUMNS, ...OBSERVATION_COLUMNS, 'volunteers', ...schema.answers.map((a) => `p_${a.key}`)];
}

/** Rounds to 6 significant digits so the table stays readable. */
function round(x: number): number {
  return Number.isInteger(x) ? x : Number(x.toPrecision(6));
}

export function truthRow(galaxy: SimulatedGalaxy): (string | number)[] {
  const m = galaxy.morphology;
  const o = galaxy.observation;
  return [
    galaxy.id,
    ...MORPHOLOGY_COLUMNS.map((k) => (typeof m[k] === 'number' ? round(m[k] as number) : (m[k] as string))),
    ...OBSERVATION_COLUMNS.map((k) => round(o[k])),
    galaxy.volunteers,
    ...Array.from(galaxy.probabilities, round),
  ];
}
