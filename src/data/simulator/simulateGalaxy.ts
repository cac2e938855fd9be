/**
 * The in-memory simulator: galaxy number `index` under a seed → its image, true morphology, observing
 * conditions, true per-question answer probabilities and sampled volunteer vote counts. Each galaxy draws from
 * its own streams `Rng.derive(seed, index, …)`, so a galaxy is the same whatever batch or order it is made in.
 */
import { OptionError } from '../../util/errors.js';
import { z } from 'zod';
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
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

const CLASS_MIX = z.record(z.string(), z.number().finite().min(0)).refine(
  (mix) => Object.keys(mix).every((k) => (GALAXY_CLASSES as readonly string[]).includes(k)) && GALAXY_CLASSES.every((c) => typeof mix[c] === 'number') &&
    GALAXY_CLASSES.some((c) => mix[c] > 0),
) as unknown as z.ZodType<ClassMix>;
const SNR_RANGE = z.tuple([z.number().finite().positive(), z.number().finite().positive()]).refine(([lo, hi]) => hi >= lo);

/** The simulator's options, declared once (type, defaults, validation; `galmorph simulate`'s flags). */
export const SIMULATE_GALAXY_FIELDS = {
  seed: field.with(field.integer({ default: 0, min: 0, max: 2 ** 32 - 1 }), { flag: '--seed <n>', help: 'random seed (same seed → identical images and votes)' }),
  size: field.integer({ default: 64, min: 16, max: 1024, flag: '--size <px>', help: 'image width and height in pixels' }),
  schema: field.choice(BUILTIN_SCHEMAS as unknown as readonly [BuiltinSchemaName, ...BuiltinSchemaName[]], { default: 'gz2', flag: '--schema <name>', help: 'decision tree the volunteers answer' }),
  minVolunteers: field.integer({ default: 5, min: 1, max: 10_000, flag: '--min-volunteers <n>', help: 'fewest volunteers per galaxy' }),
  maxVolunteers: field.integer({ default: 60, min: 1, max: 10_000, flag: '--max-volunteers <n>', help: 'most volunteers per galaxy (drawn uniformly between the two)' }),
  classMix: field.custom<ClassMix>(CLASS_MIX, {
    default: { ...DEFAULT_CLASS_MIX }, expected: `a weight ≥ 0 for each of ${GALAXY_CLASSES.join(', ')} (at least one > 0)`, parse: (raw) => raw,
  }),
  snrRange: field.custom<[number, number]>(SNR_RANGE, {
    default: [DEFAULT_OBSERVATION_RANGES.snr[0], DEFAULT_OBSERVATION_RANGES.snr[1]], expected: 'low,high with 0 < low ≤ high', flag: '--snr-range <low,high>',
    help: 'signal-to-noise range, drawn log-uniformly', parse: (raw) => raw.split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x))),
  }),
};

export type SimulateGalaxyOptions = FieldValues<typeof SIMULATE_GALAXY_FIELDS>;

export function resolveSimulateGalaxyOptions(given: Partial<SimulateGalaxyOptions> = {}): SimulateGalaxyOptions {
  const o = resolveFields(SIMULATE_GALAXY_FIELDS, given);
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
