/**
 * The in-memory simulator: galaxy number `index` under a seed → its image, true morphology, observing
 * conditions, true per-question answer probabilities and sampled volunteer vote counts. Each galaxy draws from
 * its own streams `Rng.derive(seed, index, …)`, so a galaxy is the same whatever batch or order it is made in.
 */
import { OptionError } from '../../util/errors.js';
import { check, resolveOptions, type Spec } from '../../util/options.js';
import { Rng } from '../../util/rng.js';
import type { Schema } from '../schema.js';
import { BUILTIN_SCHEMAS, getSchema, type BuiltinSchemaName } from '../schemas/index.js';
import { conceptProbabilities } from './conceptProbabilities.js';
import { toDisplay } from './display.js';
import { DEFAULT_CLASS_MIX, GALAXY_CLASSES, type ClassMix } from './galaxyClass.js';
import { sampleMorphology, type Morphology } from './morphology.js';
import { DEFAULT_OBSERVATION_RANGES, sampleObservation, type Observation } from './observation.js';
import { renderCounts } from './scene.js';
import { checkSimulatable, schemaProbabilities } from './schemaConcepts.js';
import { sampleVotes } from './volunteerVotes.js';

export interface SimulateGalaxyOptions {
  /** Seed of the whole simulated sample. @default 0 */
  seed: number;
  /** Image width and height, pixels. @default 64 */
  size: number;
  /** Galaxy Zoo decision tree the volunteers answer. @default 'gz2' */
  schema: BuiltinSchemaName;
  /** Fewest volunteers who classify a galaxy. @default 5 */
  minVolunteers: number;
  /** Most volunteers who classify a galaxy (drawn uniformly between the two). @default 60 */
  maxVolunteers: number;
  /** Relative frequency of each galaxy class. @default DEFAULT_CLASS_MIX */
  classMix: ClassMix;
  /** Target S/N range, drawn log-uniformly. @default [8, 800] */
  snrRange: [number, number];
}

export const SIMULATE_GALAXY_DEFAULTS: Readonly<SimulateGalaxyOptions> = Object.freeze({
  seed: 0,
  size: 64,
  schema: 'gz2',
  minVolunteers: 5,
  maxVolunteers: 60,
  classMix: { ...DEFAULT_CLASS_MIX },
  snrRange: [DEFAULT_OBSERVATION_RANGES.snr[0], DEFAULT_OBSERVATION_RANGES.snr[1]] as [number, number],
});

const SPEC: Spec<SimulateGalaxyOptions> = {
  seed: check.integer(0, 2 ** 32 - 1),
  size: check.integer(16, 1024),
  schema: check.oneOf(BUILTIN_SCHEMAS),
  minVolunteers: check.integer(1, 10_000),
  maxVolunteers: check.integer(1, 10_000),
  classMix: (mix, name) => {
    if (typeof mix !== 'object' || mix === null) throw new OptionError(name, `an object with weights for ${GALAXY_CLASSES.join(', ')}`, mix);
    for (const key of Object.keys(mix)) {
      if (!(GALAXY_CLASSES as readonly string[]).includes(key)) throw new OptionError(`${name}.${key}`, `one of the classes ${GALAXY_CLASSES.join(', ')}`, 'an unknown class');
    }
    let total = 0;
    for (const c of GALAXY_CLASSES) {
      const w = mix[c];
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new OptionError(`${name}.${c}`, 'a finite weight ≥ 0 (give every class a weight, 0 to leave it out)', w);
      total += w;
    }
    if (total <= 0) throw new OptionError(name, 'at least one class with a positive weight', 'all weights 0');
  },
  snrRange: (range, name) => {
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] > 0) || !(range[1] >= range[0]) || !Number.isFinite(range[1])) {
      throw new OptionError(name, '[low, high] with 0 < low ≤ high', range);
    }
  },
};

export function resolveSimulateGalaxyOptions(given: Partial<SimulateGalaxyOptions> = {}): SimulateGalaxyOptions {
  const o = resolveOptions(SIMULATE_GALAXY_DEFAULTS as SimulateGalaxyOptions, SPEC, given);
  if (o.maxVolunteers < o.minVolunteers) {
    throw new OptionError('maxVolunteers', `an integer ≥ minVolunteers (${o.minVolunteers})`, o.maxVolunteers);
  }
  return o;
}

export interface SimulatedGalaxy {
  index: number;
  /** Catalog id, `sim-<index>` zero-padded to 7 digits. */
  id: string;
  size: number;
  /** Grey image in [0, 1], size × size, row-major, row 0 at the top. */
  image: Float32Array;
  morphology: Morphology;
  observation: Observation;
  /** True per-question answer probabilities, flat in schema answer order (each question sums to 1). */
  probabilities: Float32Array;
  /** Sampled vote counts per schema answer. */
  counts: Float32Array;
  /** Number of volunteers who classified the galaxy (= votes on the first question). */
  volunteers: number;
}

export type GalaxySimulator = ((index: number) => SimulatedGalaxy) & { options: SimulateGalaxyOptions; schema: Schema };

/** Resolves options and the schema once; returns a function from galaxy index to simulated galaxy. */
export function createGalaxySimulator(options: Partial<SimulateGalaxyOptions> = {}): GalaxySimulator {
  const o = resolveSimulateGalaxyOptions(options);
  const schema = getSchema(o.schema);
  checkSimulatable(schema);
  const weights = GALAXY_CLASSES.map((c) => o.classMix[c]);
  const ranges = { ...DEFAULT_OBSERVATION_RANGES, snr: o.snrRange };
  const simulate = (index: number): SimulatedGalaxy => {
    if (!Number.isInteger(index) || index < 0) throw new OptionError('index', 'an integer ≥ 0', index);
    const shapeRng = Rng.derive(o.seed, index, 'morphology');
    const galaxyClass = GALAXY_CLASSES[shapeRng.categorical(weights)];
    const observation = sampleObservation(shapeRng, o.size, ranges);
    const morphology = sampleMorphology(shapeRng, galaxyClass, o.size, observation);
    const image = toDisplay(renderCounts(morphology, observation, Rng.derive(o.seed, index, 'image'), o.size), observation);
    const probabilities = schemaProbabilities(schema, conceptProbabilities(morphology, observation));
    const voteRng = Rng.derive(o.seed, index, 'votes');
    const volunteers = o.minVolunteers + voteRng.int(o.maxVolunteers - o.minVolunteers + 1);
    const counts = sampleVotes(schema, probabilities, volunteers, voteRng);
    return { index, id: galaxyId(index), size: o.size, image, morphology, observation, probabilities, counts, volunteers };
  };
  return Object.assign(simulate, { options: o, schema });
}

/** One simulated galaxy (resolves options each call; use createGalaxySimulator for many). */
export function simulateGalaxy(index: number, options: Partial<SimulateGalaxyOptions> = {}): SimulatedGalaxy {
  return createGalaxySimulator(options)(index);
}

export function galaxyId(index: number): string {
  return `sim-${String(index).padStart(7, '0')}`;
}
