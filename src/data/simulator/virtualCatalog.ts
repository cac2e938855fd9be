/**
 * A virtual catalog: `sim:<count>[,seed=<s>][,size=<px>]` names `count` simulated galaxies that exist only as
 * numbers — row i is galaxy `sim-<i>` (the simulator's id) and its "image file" is the string
 * `sim:<seed>:<size>:<i>`, which the image decoder renders on demand with the simulator (same seed and index →
 * the same pixels, in any process, batch or order). So a catalog of a million galaxies costs no disk, and the
 * streaming jobs (predict --shard-size, queue workers) can be measured at any size.
 *
 *   galmorph predict --model gz2 --catalog sim:100000,seed=1 --shard-size 4096 --out runs/sim100k
 */
import { InputError } from '../../util/errors.js';
import type { PlanarImage } from '../planarImage.js';
import { preprocess, type PreprocessedImage, type PreprocessOptions } from '../preprocess.js';
import { createGalaxySimulator, galaxyId, type GalaxySimulator } from './simulateGalaxy.js';

export const VIRTUAL_CATALOG_PREFIX = 'sim:';

export interface VirtualCatalog {
  /** The spec as given (the catalog's identity). */
  spec: string;
  count: number;
  seed: number;
  size: number;
}

const SPEC_HINT = 'write sim:<count>[,seed=<s>][,size=<px>], e.g. sim:100000,seed=1,size=64';

export function isVirtualCatalog(path: string): boolean {
  return path.startsWith(VIRTUAL_CATALOG_PREFIX);
}

export function parseVirtualCatalog(spec: string): VirtualCatalog {
  const [countText, ...options] = spec.slice(VIRTUAL_CATALOG_PREFIX.length).split(',');
  const integer = (text: string, what: string, min: number, max: number): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new InputError(`virtual catalog ${what} "${text}" is not an integer in [${min}, ${max}]`, { file: spec }, SPEC_HINT);
    return v;
  };
  const out: VirtualCatalog = { spec, count: integer(countText, 'count', 1, 2 ** 40), seed: 0, size: 64 };
  for (const option of options) {
    const [key, value = ''] = option.split('=');
    if (key === 'seed') out.seed = integer(value, 'seed', 0, 2 ** 32 - 1);
    else if (key === 'size') out.size = integer(value, 'size', 16, 1024);
    else throw new InputError(`unknown virtual catalog option "${option}"`, { file: spec }, SPEC_HINT);
  }
  return out;
}

/** Rows [start, end) of a virtual catalog: ids and image "paths" the decoder renders. */
export function virtualCatalogRows(catalog: VirtualCatalog, start: number, end: number): { id: string; image: string }[] {
  const rows: { id: string; image: string }[] = [];
  for (let i = start; i < Math.min(end, catalog.count); i++) rows.push({ id: galaxyId(i), image: `${VIRTUAL_CATALOG_PREFIX}${catalog.seed}:${catalog.size}:${i}` });
  return rows;
}

/** Whether an image path names a virtual image (`sim:<seed>:<size>:<index>`). */
export function isVirtualImage(path: string): boolean {
  return /^sim:\d+:\d+:\d+$/.test(path);
}

const simulators = new Map<string, GalaxySimulator>();

/** Renders virtual image `sim:<seed>:<size>:<index>` and preprocesses it like a decoded grey PNG of that size. */
export function loadVirtualImage(path: string, options: PreprocessOptions): PreprocessedImage {
  if (!isVirtualImage(path)) throw new InputError('not a virtual image name', { file: path }, 'virtual images are named sim:<seed>:<size>:<index>');
  const [, seed, size, index] = path.split(':').map(Number);
  const key = `${seed}:${size}`;
  let simulate = simulators.get(key);
  if (simulate === undefined) {
    simulate = createGalaxySimulator({ seed, size });
    simulators.set(key, simulate);
  }
  const image: PlanarImage = { width: size, height: size, bands: 1, data: simulate(index).image, format: 'png', invalidPixels: 0 };
  return preprocess(image, options, path);
}
