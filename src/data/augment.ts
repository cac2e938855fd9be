/**
 * Seeded augmentation of preprocessed images: flips, rotation by any angle about the centre, random
 * crops resized back to full size. The drawn flips, angle and crop compose into one affine map, so each
 * output pixel is sampled once (bilinear, zeros outside the image).
 *
 * Conventions (row 0 at the top, x along a row): the centre is ((W − 1)/2, (H − 1)/2); a positive angle
 * turns the picture counter-clockwise as displayed, so after +90° a pixel right of the centre sits above it.
 * Order: flip, then rotate, then crop.
 */
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import type { Rng } from '../util/rng.js';
import type { ImageArray } from './preprocess.js';

export const ROTATION_MODES = ['none', 'right', 'any'] as const;
export type RotationMode = (typeof ROTATION_MODES)[number];

export interface AugmentOptions {
  /** Random horizontal and vertical flips, each with probability ½. @default true */
  flip: boolean;
  /** 'any': angle uniform in [0, 2π), bilinear; 'right': a multiple of 90° (exact); 'none'. @default 'any' */
  rotate: RotationMode;
  /**
   * Random crop side as a fraction of the image side, drawn uniformly in [min, max] and placed uniformly
   * inside the image, then resized back to the full size; [1, 1] turns crops off. @default [1, 1]
   */
  cropScale: [number, number];
}

export const AUGMENT_DEFAULTS: AugmentOptions = { flip: true, rotate: 'any', cropScale: [1, 1] };

const AUGMENT_SPEC: Spec<AugmentOptions> = {
  flip: check.boolean(),
  rotate: check.oneOf(ROTATION_MODES),
  cropScale: (v, name) => {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isFinite(x) && x > 0 && x <= 1) || v[0] > v[1]) {
      throw new OptionError(name, 'two fractions [min, max] with 0 < min ≤ max ≤ 1', v);
    }
  },
};

export function resolveAugmentOptions(given: Partial<AugmentOptions> = {}): AugmentOptions {
  return resolveOptions(AUGMENT_DEFAULTS, AUGMENT_SPEC, given);
}

/** One draw of the augmentation parameters. */
export interface Augmentation {
  flipX: boolean;
  flipY: boolean;
  /** Radians, counter-clockwise as displayed. */
  angle: number;
  /** Crop side / image side, in (0, 1]. */
  scale: number;
  /** Crop centre offset from the image centre, in pixels. */
  shiftX: number;
  shiftY: number;
}

export const IDENTITY: Augmentation = { flipX: false, flipY: false, angle: 0, scale: 1, shiftX: 0, shiftY: 0 };

/** Draws parameters for a width × height image; the same rng state gives the same draw. */
export function drawAugmentation(rng: Rng, options: AugmentOptions, width: number, height: number): Augmentation {
  const flipX = options.flip && rng.bernoulli(0.5);
  const flipY = options.flip && rng.bernoulli(0.5);
  let angle = 0;
  if (options.rotate === 'any') angle = rng.range(0, 2 * Math.PI);
  else if (options.rotate === 'right') angle = (rng.int(4) * Math.PI) / 2;
  const [lo, hi] = options.cropScale;
  const scale = lo === hi ? lo : rng.range(lo, hi);
  const shiftX = ((1 - scale) * (width - 1) / 2) * rng.range(-1, 1);
  const shiftY = ((1 - scale) * (height - 1) / 2) * rng.range(-1, 1);
  return { flipX, flipY, angle, scale, shiftX, shiftY };
}

/** Draws and applies an augmentation. */
export function augmentImage(image: ImageArray, rng: Rng, options: AugmentOptions): ImageArray {
  return applyAugmentation(image, drawAugmentation(rng, options, image.width, image.height));
}

/** Rotates about the centre by `angle` radians (counter-clockwise as displayed), bilinear, zeros outside. */
export function rotateImage(image: ImageArray, angle: number): ImageArray {
  return applyAugmentation(image, { ...IDENTITY, angle });
}

/** Resamples the image through the augmentation's affine map (output pixel → source position). */
export function applyAugmentation(image: ImageArray, a: Augmentation): ImageArray {
  const { width: w, height: h, channels: ch, data: src } = image;
  const out = new Float32Array(src.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = snap(Math.cos(a.angle));
  const sin = snap(Math.sin(a.angle));
  const fx = a.flipX ? -1 : 1;
  const fy = a.flipY ? -1 : 1;
  for (let yo = 0; yo < h; yo++) {
    for (let xo = 0; xo < w; xo++) {
      // crop: output → rotated frame; rotation inverse; flip inverse; back to pixel indices.
      const xr = a.scale * (xo - cx) + a.shiftX;
      const yr = a.scale * (yo - cy) + a.shiftY;
      const sx = fx * (cos * xr - sin * yr) + cx;
      const sy = fy * (sin * xr + cos * yr) + cy;
      sampleBilinear(src, w, h, ch, sx, sy, out, (yo * w + xo) * ch);
    }
  }
  return { data: out, width: w, height: h, channels: ch };
}

function sampleBilinear(
  src: Float32Array, w: number, h: number, ch: number, sx: number, sy: number, out: Float32Array, at: number,
): void {
  if (sx <= -1 || sy <= -1 || sx >= w || sy >= h) return;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const tx = sx - x0;
  const ty = sy - y0;
  // The four neighbours (x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1); those outside the image count as 0.
  corner(src, w, h, ch, x0, y0, (1 - tx) * (1 - ty), out, at);
  corner(src, w, h, ch, x0 + 1, y0, tx * (1 - ty), out, at);
  corner(src, w, h, ch, x0, y0 + 1, (1 - tx) * ty, out, at);
  corner(src, w, h, ch, x0 + 1, y0 + 1, tx * ty, out, at);
}

function corner(src: Float32Array, w: number, h: number, ch: number, x: number, y: number, weight: number, out: Float32Array, at: number): void {
  if (weight === 0 || x < 0 || y < 0 || x >= w || y >= h) return;
  const from = (y * w + x) * ch;
  for (let c = 0; c < ch; c++) out[at + c] += weight * src[from + c];
}

/** Rounds values within 1e-12 of −1, 0 or 1, so right-angle rotations move pixels exactly. */
function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-12 ? r : v;
}
