/**
 * Preprocessing of a decoded image into a network input: central crop, FITS intensity scaling
 * (percentile clipping + arcsinh stretch), band choice or greyscale as the mean of bands (AstroVaDEr),
 * then an area-averaging resize to a square side. Output: Float32Array in [0, 1], HWC, 1 or 3 channels.
 *
 * Invalid FITS pixels (NaN, BLANK) are left out of the percentiles and written as 0 (the clipped
 * background level); how many there were is returned in `invalidPixels`, never hidden.
 */
import { InputError, OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import type { PlanarImage } from './planarImage.js';
import { quantileSorted } from '../util/stats.js';

export const COLOUR_MODES = ['grey', 'rgb'] as const;
export type ColourMode = (typeof COLOUR_MODES)[number];

export const FITS_STRETCHES = ['linear', 'arcsinh'] as const;
export type FitsStretch = (typeof FITS_STRETCHES)[number];

export interface PreprocessOptions {
  /** Side of the square output in pixels. @default 64 */
  size: number;
  /**
   * Central square crop before resizing. A value ≤ 1 is a fraction of the shorter side (0.5 turns GZ2's
   * 424 px into the central 212 px, as in the ET-VAE pipeline); a value > 1 is a side in whole pixels. @default 1
   */
  crop: number;
  /** 'grey': one channel, the mean of the chosen bands; 'rgb': three channels. @default 'grey' */
  colour: ColourMode;
  /**
   * 0-based bands to use; null = all bands for grey, the first three for rgb (a one-band image is repeated).
   * With colour 'rgb' exactly three. @default null
   */
  bands: number[] | null;
  /** FITS only: lower and upper percentiles (0–100) of each band clipped to 0 and 1. @default [0.5, 99.5] */
  clipPercentiles: [number, number];
  /** FITS only: intensity curve after clipping. @default 'arcsinh' */
  stretch: FitsStretch;
  /** FITS only: arcsinh softening β in y = asinh(β x) / asinh(β); larger lifts faint light more. @default 10 */
  arcsinhSoftening: number;
  /** FITS only: HDU to read (0 = primary); null = the first HDU with an image. @default null */
  fitsHdu: number | null;
}

export const PREPROCESS_DEFAULTS: PreprocessOptions = {
  size: 64,
  crop: 1,
  colour: 'grey',
  bands: null,
  clipPercentiles: [0.5, 99.5],
  stretch: 'arcsinh',
  arcsinhSoftening: 10,
  fitsHdu: null,
};

const PREPROCESS_SPEC: Spec<PreprocessOptions> = {
  size: check.integer(1, 4096),
  crop: (v, name) => {
    check.number(0, Infinity)(v, name);
    if (v <= 0 || (v > 1 && !Number.isInteger(v))) {
      throw new OptionError(name, 'a fraction in (0, 1] or a whole number of pixels > 1', v);
    }
  },
  colour: check.oneOf(COLOUR_MODES),
  bands: (v, name) => {
    if (v !== null) check.integerList(0)(v, name);
  },
  clipPercentiles: (v, name) => {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isFinite(x) && x >= 0 && x <= 100) || v[0] >= v[1]) {
      throw new OptionError(name, 'two percentiles [low, high] with 0 ≤ low < high ≤ 100', v);
    }
  },
  stretch: check.oneOf(FITS_STRETCHES),
  arcsinhSoftening: check.number(1e-6, 1e6),
  fitsHdu: (v, name) => {
    if (v !== null) check.integer(0)(v, name);
  },
};

export function resolvePreprocessOptions(given: Partial<PreprocessOptions> = {}): PreprocessOptions {
  const options = resolveOptions(PREPROCESS_DEFAULTS, PREPROCESS_SPEC, given);
  if (options.colour === 'rgb' && options.bands !== null && options.bands.length !== 3) {
    throw new OptionError('bands', 'exactly three bands when colour is "rgb"', options.bands);
  }
  return options;
}

/** A preprocessed image: HWC floats in [0, 1]. */
export interface ImageArray {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

export interface PreprocessedImage extends ImageArray {
  /** Invalid (NaN/BLANK) pixels in the cropped region of the bands used, written as 0. */
  invalidPixels: number;
}

/** Runs the pipeline on a decoded image; `file` names it in errors. Options must be resolved. */
export function preprocess(image: PlanarImage, options: PreprocessOptions, file: string): PreprocessedImage {
  const side = cropSide(image, options.crop, file);
  const left = Math.floor((image.width - side) / 2);
  const top = Math.floor((image.height - side) / 2);
  const bands = chooseBands(image.bands, options, file);

  // FITS bands are scaled one by one (percentiles of each band), so they are cropped into planes first;
  // JPEG/PNG values are already in [0, 1] and are averaged straight from the decoded image.
  const scaled = new Map<number, Float32Array>();
  let invalidPixels = 0;
  const combine = (chosen: number[]): Float32Array => {
    const out = new Float32Array(side * side);
    const weight = 1 / chosen.length;
    for (const band of chosen) {
      if (image.format === 'fits') {
        let p = scaled.get(band);
        if (p === undefined) {
          p = cropPlane(image, band, left, top, side);
          invalidPixels += scaleIntensity(p, options);
          scaled.set(band, p);
        }
        for (let i = 0; i < p.length; i++) out[i] += weight * p[i];
      } else {
        const data = image.data;
        const base = band * image.width * image.height + top * image.width + left;
        for (let y = 0; y < side; y++) {
          const from = base + y * image.width;
          const to = y * side;
          for (let x = 0; x < side; x++) out[to + x] += weight * data[from + x];
        }
      }
    }
    return out;
  };
  const outputs = options.colour === 'grey' ? [combine(bands)] : bands.map((b) => combine([b]));

  const size = options.size;
  const channels = outputs.length;
  const data = new Float32Array(size * size * channels);
  outputs.forEach((p, c) => {
    const resized = resizePlane(p, side, side, size, size);
    for (let i = 0; i < size * size; i++) data[i * channels + c] = resized[i];
  });
  return { data, height: size, width: size, channels, invalidPixels };
}

function cropSide(image: PlanarImage, crop: number, file: string): number {
  const shorter = Math.min(image.width, image.height);
  const side = crop <= 1 ? Math.max(1, Math.round(crop * shorter)) : crop;
  if (side > shorter) {
    throw new InputError(
      `crop of ${side} px is larger than the image (${image.width} × ${image.height})`,
      { file },
      'lower the crop option, or give it as a fraction (≤ 1) of the shorter side',
    );
  }
  return side;
}

function chooseBands(available: number, options: PreprocessOptions, file: string): number[] {
  let bands = options.bands;
  if (bands === null) {
    if (options.colour === 'grey') return Array.from({ length: available }, (_, i) => i);
    if (available === 1) return [0, 0, 0];
    if (available < 3) {
      throw new InputError(`colour "rgb" needs three bands, the image has ${available}`, { file },
        'use colour: "grey" or choose bands explicitly (e.g. bands [0, 1, 1])');
    }
    bands = [0, 1, 2];
  }
  const missing = bands.filter((b) => b >= available);
  if (missing.length > 0) {
    throw new InputError(`band ${missing[0]} requested but the image has ${available} band(s) (0–${available - 1})`,
      { file }, 'check the bands option');
  }
  return bands;
}

function cropPlane(image: PlanarImage, band: number, left: number, top: number, side: number): Float32Array {
  const out = new Float32Array(side * side);
  const base = band * image.width * image.height;
  for (let y = 0; y < side; y++) {
    const from = base + (top + y) * image.width + left;
    out.set(image.data.subarray(from, from + side), y * side);
  }
  return out;
}

/** FITS intensities → [0, 1] in place; returns the number of NaN pixels (set to 0). */
function scaleIntensity(plane: Float32Array, options: PreprocessOptions): number {
  const finite = plane.filter((v) => !Number.isNaN(v));
  const invalid = plane.length - finite.length;
  finite.sort();
  const lo = quantileSorted(finite, options.clipPercentiles[0] / 100);
  const hi = quantileSorted(finite, options.clipPercentiles[1] / 100);
  const inv = hi > lo ? 1 / (hi - lo) : 0;
  const beta = options.arcsinhSoftening;
  const norm = 1 / Math.asinh(beta);
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i];
    if (Number.isNaN(v)) {
      plane[i] = 0;
      continue;
    }
    const x = Math.min(1, Math.max(0, (v - lo) * inv));
    plane[i] = options.stretch === 'arcsinh' ? Math.asinh(beta * x) * norm : x;
  }
  return invalid;
}

/**
 * Sampling weights from `inSize` input pixels to `outSize` output pixels along one axis. Shrinking
 * averages the input pixels each output pixel covers (weighted by overlap, so 424 → 64 is exact area
 * averaging); enlarging interpolates bilinearly between pixel centres.
 */
export function resampleWeights(inSize: number, outSize: number): { start: Int32Array; taps: Float32Array[] } {
  const start = new Int32Array(outSize);
  const taps: Float32Array[] = [];
  const ratio = inSize / outSize;
  for (let j = 0; j < outSize; j++) {
    if (ratio >= 1) {
      const a = j * ratio;
      const b = (j + 1) * ratio;
      const first = Math.floor(a);
      const last = Math.min(inSize, Math.ceil(b - 1e-9));
      const w = new Float32Array(last - first);
      for (let i = first; i < last; i++) w[i - first] = (Math.min(b, i + 1) - Math.max(a, i)) / ratio;
      start[j] = first;
      taps.push(w);
    } else {
      const src = Math.min(inSize - 1, Math.max(0, (j + 0.5) * ratio - 0.5));
      const i0 = Math.min(Math.floor(src), inSize - 2);
      const f = src - i0;
      start[j] = Math.max(0, i0);
      taps.push(inSize === 1 ? Float32Array.of(1) : Float32Array.of(1 - f, f));
    }
  }
  return { start, taps };
}

/** Separable resize of one plane (rows of `inW`) to outW × outH. */
export function resizePlane(plane: Float32Array, inW: number, inH: number, outW: number, outH: number): Float32Array {
  if (inW === outW && inH === outH) return plane;
  const horizontal = resampleWeights(inW, outW);
  const vertical = resampleWeights(inH, outH);
  const rows = new Float32Array(inH * outW);
  for (let y = 0; y < inH; y++) {
    const row = y * inW;
    for (let x = 0; x < outW; x++) {
      const w = horizontal.taps[x];
      const s = row + horizontal.start[x];
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * plane[s + k];
      rows[y * outW + x] = acc;
    }
  }
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const w = vertical.taps[y];
    const s = vertical.start[y];
    for (let k = 0; k < w.length; k++) {
      const wk = w[k];
      const from = (s + k) * outW;
      for (let x = 0; x < outW; x++) out[y * outW + x] += wk * rows[from + x];
    }
  }
  return out;
}
