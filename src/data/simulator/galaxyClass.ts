/**
 * The closed set of simulated galaxy classes and the default class mix.
 *
 * The class is the generating family of a simulated galaxy; finer morphology (arm count, bar strength, ring,
 * dust lane, roundness …) lives in `Morphology`. The default mix is chosen so that, after faint and small
 * featured galaxies are voted "smooth" by simulated volunteers, smooth vs featured is roughly balanced, while the
 * rarer classes (rings, mergers, irregulars, stars/artefacts) still appear a few percent of the time each.
 */

export const GALAXY_CLASSES = [
  'elliptical',
  'spiral',
  'barred-spiral',
  'edge-on',
  'ring',
  'merger',
  'irregular',
  'artefact',
] as const;

export type GalaxyClass = (typeof GALAXY_CLASSES)[number];

/** Relative frequency of each class; need not sum to one. */
export type ClassMix = Record<GalaxyClass, number>;

export const DEFAULT_CLASS_MIX: Readonly<ClassMix> = Object.freeze({
  elliptical: 0.35,
  spiral: 0.24,
  'barred-spiral': 0.14,
  'edge-on': 0.11,
  ring: 0.04,
  merger: 0.05,
  irregular: 0.04,
  artefact: 0.03,
});

/** True for the classes whose galaxies show features or a disk (Galaxy Zoo's "featured or disk"). */
export function isFeaturedClass(galaxyClass: GalaxyClass): boolean {
  switch (galaxyClass) {
    case 'elliptical':
    case 'artefact':
      return false;
    case 'spiral':
    case 'barred-spiral':
    case 'edge-on':
    case 'ring':
    case 'merger':
    case 'irregular':
      return true;
  }
}
