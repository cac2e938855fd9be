/**
 * The central source of a cutout, segmented: the pixels that belong to the galaxy in the middle of the image, so that
 * stars and companion galaxies elsewhere in the frame can be replaced by sky (the clusters of AstroVaDEr track
 * companions; README, "Unsupervised clusters"). A detection as SExtractor-style photometry does it, without deblending:
 *   1. the sky-subtracted image smoothed by a 3 × 3 box mean;
 *   2. its noise σ_s measured on its own border pixels (84.13th percentile minus the median: the upper side, as the
 *      front end's `noiseAbove`, since a display stretch may clip the sky at black); for independent pixel noise σ_s
 *      is σ/3, but JPEG cutouts have correlated noise (on GZ2, 1.3–4 × σ/3), which an assumed σ/3 lets percolate
 *      through the whole frame; detected = smoothed − median > `threshold` × σ_s;
 *   3. the seed is the brightest smoothed pixel within `seedRadius` × side of the centre; if it is not detected, there
 *      is no central source and every pixel is kept;
 *   4. the 8-connected detected region containing the seed; if it has fewer than `minArea` pixels it is noise and there
 *      is no central source (SExtractor's minimum area), else it is grown by `grow` pixels (a square dilation) so the
 *      faint outskirts below the threshold stay with it.
 * A star or companion that touches the galaxy above the threshold stays in its region (no deblending).
 * Written by hand: a breadth-first flood fill and a dilation on one small grey image; no library in the project does
 * connected components on a host array.
 */
import { OptionError } from '../util/errors.js';
import { sortedBorder, sortedMedian, sortedUpperSigma } from './imageBorder.js';

export interface CentralSourceOptions {
  /** Detection threshold on the smoothed image, in units of its measured noise σ_s. */
  threshold: number;
  /** The seed is searched within this share of the side from the centre. */
  seedRadius: number;
  /** Pixels the detected region is grown by. */
  grow: number;
  /** Fewest pixels of a detection; a smaller region around the seed counts as noise (no central source). */
  minArea: number;
}

export const CENTRAL_SOURCE_DEFAULTS: CentralSourceOptions = { threshold: 2, seedRadius: 0.125, grow: 2, minArea: 5 };

/**
 * 1 for the pixels of the central source of a grey `side` × `side` image (row-major), 0 elsewhere; all ones when no
 * source is detected near the centre or the smoothed border has no noise to measure.
 */
export function centralSourceMask(image: ArrayLike<number>, side: number, options: Partial<CentralSourceOptions> = {}): Uint8Array {
  const o = { ...CENTRAL_SOURCE_DEFAULTS, ...options };
  if (image.length !== side * side) throw new OptionError('image', `${side} × ${side} values`, `${image.length} values`);
  const mask = new Uint8Array(side * side);
  const smooth = new Float64Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    let s = 0, n = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const yy = y + dy, xx = x + dx;
      if (yy < 0 || xx < 0 || yy >= side || xx >= side) continue;
      s += image[yy * side + xx];
      n++;
    }
    smooth[y * side + x] = s / n;
  }
  const border = sortedBorder(smooth, side);
  const level = sortedMedian(border);
  const noise = sortedUpperSigma(border);
  if (!(noise > 0)) return mask.fill(1);
  const cut = level + o.threshold * noise;
  const centre = (side - 1) / 2;
  const reach = Math.max(1, o.seedRadius * side);
  let seed = -1;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    if (Math.hypot(x - centre, y - centre) > reach) continue;
    const k = y * side + x;
    if (seed < 0 || smooth[k] > smooth[seed]) seed = k;
  }
  if (seed < 0 || !(smooth[seed] > cut)) return mask.fill(1);
  const region = new Uint8Array(side * side);
  const queue = [seed];
  region[seed] = 1;
  let area = 1;
  while (queue.length > 0) {
    const k = queue.pop() as number;
    const y = Math.floor(k / side), x = k % side;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const yy = y + dy, xx = x + dx;
      if (yy < 0 || xx < 0 || yy >= side || xx >= side) continue;
      const j = yy * side + xx;
      if (region[j] === 0 && smooth[j] > cut) {
        region[j] = 1;
        area++;
        queue.push(j);
      }
    }
  }
  if (area < o.minArea) return mask.fill(1);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    if (region[y * side + x] === 0) continue;
    for (let yy = Math.max(0, y - o.grow); yy <= Math.min(side - 1, y + o.grow); yy++) {
      for (let xx = Math.max(0, x - o.grow); xx <= Math.min(side - 1, x + o.grow); xx++) mask[yy * side + xx] = 1;
    }
  }
  return mask;
}
