/**
 * AstroVaDEr's optional front end (issue 14): what the encoder sees instead of the raw cutout, so the clusters stop
 * splitting galaxies by orientation, size and brightness (README, "Unsupervised clusters": on the simulator, 0.43
 * Hungarian accuracy with clusters that tracked brightness and size).
 *
 * - 'none': the preprocessed image as it is.
 * - 'moments': each image is brought to a canonical pose and brightness before the encoder, from its own light:
 *   sky = the median of the border pixels, σ = 1.4826 × their median absolute deviation (the sky noise); light
 *   w = max(x − sky − σ, 0) (without the σ, the noise of a faint galaxy's whole frame counted as light: its radius
 *   came out as the frame's and the galaxy shrank to a dot amid zoomed noise); adaptive second moments (a circular Gaussian
 *   window centred on the light-weighted centre, its width following the measured radius, 4 iterations) give the
 *   centre, the major-axis angle φ and the radius r = √(Mxx + Myy). The image is then resampled by the project's
 *   equivariant-transformer warp (nn/warpImage.ts, the same transforms as the ET layers: translation · rotation ·
 *   scale) so the centre is in the middle, the major axis horizontal and r a fixed share of the side
 *   (`MOMENT_TARGET_RADIUS`, scale clamped to [1/3, 3]); intensities become (x − sky) / peak clipped to [0, 1], the
 *   peak being the brightest 3 × 3 mean inside the window. A deterministic canonicalisation (no learned pose): the
 *   learned ET stack of the ET-VAE estimates the same translation/rotation/scale, but needs training of its own.
 *
 * - 'segmented': 'moments' on the image with everything but its central source replaced by the sky
 *   (data/centralSource.ts: the region detected at 2 σ of the smoothed image around the centre, grown by 2 pixels), so stars and companions in the
 *   frame neither pull the centre and radius nor reach the encoder, and the decoder never has to draw them.
 *
 * The decoder then models canonical galaxies, and `galmorph generate` draws them.
 *
 * `applyFrontEndWithNoise` is the variant for a noise-aware likelihood (reconstruction 'gaussian-noise',
 * losses/vadeReconstruction.ts): it also returns each image's noise σ in the output's units and keeps that noise
 * unbiased. `applyFrontEnd` clips at 0, which turns the zero-mean sky noise into a fog of mean ≈ 0.4 σ/peak that grows
 * as the galaxy gets fainter: a signal of S/N that a decoder must reproduce (README, "The simulator target").
 * The variant subtracts the 3σ-clipped mean of the border instead of its median (so the sky reads zero on average
 * even where the input was already clipped at black, as the simulator's stretch does below −0.5 σ) and clips to
 * [−1, 1] only. Its σ is the border's σ from above the sky (`noiseAbove`: clipping at black biases the median absolute
 * deviation low) / peak, divided by the zoom where the canonical image magnifies (zoom < 1:
 * each input pixel then spreads over 1/zoom² output pixels, so weighting each output pixel by zoom²/σ² counts the
 * input pixel once; the interpolation's smoothing of the noise is ignored).
 */
import * as tf from '@tensorflow/tfjs';
import { warpImage } from '../nn/warpImage.js';
import { centralSourceMask } from '../data/centralSource.js';
import { sortedBorder, sortedMedian, sortedUpperSigma } from '../data/imageBorder.js';
import { OptionError } from '../util/errors.js';

export const VADE_FRONT_ENDS = ['none', 'moments', 'segmented'] as const;
export type VadeFrontEnd = (typeof VADE_FRONT_ENDS)[number];

/** The radius r = √(Mxx + Myy) of the canonical image, as a share of its side. */
export const MOMENT_TARGET_RADIUS = 0.12;
/** Largest zoom in or out of the canonicalisation. */
const MAX_ZOOM = 3;
const ITERATIONS = 4;

/** What the second moments of one image's light say (pixel units; x along columns, y down the rows). */
export interface ImageMoments {
  /** Median of the border pixels. */
  sky: number;
  /** Sky noise: 1.4826 × the median absolute deviation of the border pixels from `sky`. */
  noise: number;
  /**
   * Sky noise from the upper side only: the border's 84.13th percentile minus `sky` (σ for Gaussian noise). Where the
   * input clips the sky at black (the simulator's stretch at 0.5 σ below the sky), `noise` reads low (0.6–0.75 σ): the
   * clipped pixels all deviate by the same 0.5 σ, which sets the median absolute deviation.
   */
  noiseAbove: number;
  /** Mean of the border pixels within 3 `noiseAbove` of `sky` (an unbiased sky where the input clips the noise at black). */
  skyMean: number;
  /** Σ max(x − sky − noise, 0) over the image. */
  flux: number;
  /** Brightest 3 × 3 mean of x − sky inside the window (at least a small positive number). */
  peak: number;
  /** Light-weighted centre, in pixel indices (column, row). */
  centreX: number;
  centreY: number;
  /** √(Mxx + Myy) of the windowed light, pixels. */
  radius: number;
  /** √(λ_min / λ_max) of the windowed second moments, in (0, 1]. */
  axisRatio: number;
  /** Angle of the major axis from +x towards +y (down), radians in (−π/2, π/2]. */
  angle: number;
  /** Windowed light within r of the centre over the light within 2r (rotation-invariant). */
  concentration: number;
}

/** The moments of a grey image `side` × `side` (row-major). */
export function imageMoments(image: ArrayLike<number>, side: number): ImageMoments {
  if (image.length !== side * side) throw new OptionError('image', `${side} × ${side} values`, `${image.length} values`);
  const border = sortedBorder(image, side);
  const sky = sortedMedian(border);
  const deviations = border.map((b) => Math.abs(b - sky)).sort((a, b) => a - b);
  const noise = 1.4826 * deviations[Math.floor(deviations.length / 2)];
  const noiseAbove = Math.max(sortedUpperSigma(border), 0);
  const kept = border.filter((b) => Math.abs(b - sky) <= 3 * noiseAbove);
  const skyMean = kept.length > 0 ? kept.reduce((a, b) => a + b, 0) / kept.length : sky;
  const light = Float64Array.from({ length: side * side }, (_, k) => Math.max(image[k] - sky - noise, 0));
  const flux = light.reduce((a, b) => a + b, 0);
  let cx = (side - 1) / 2;
  let cy = (side - 1) / 2;
  let width = side / 8;
  let mxx = 0, myy = 0, mxy = 0;
  for (let it = 0; it < ITERATIONS; it++) {
    let s = 0, sx = 0, sy = 0;
    const weight = (x: number, y: number) => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width * width));
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
      const w = light[y * side + x] * weight(x, y);
      s += w; sx += w * x; sy += w * y;
    }
    if (s <= 0) break;
    const nx = sx / s, ny = sy / s;
    mxx = 0; myy = 0; mxy = 0;
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
      const w = light[y * side + x] * weight(x, y) / s;
      mxx += w * (x - nx) ** 2; myy += w * (y - ny) ** 2; mxy += w * (x - nx) * (y - ny);
    }
    cx = nx; cy = ny;
    width = Math.min(side / 3, Math.max(1.5, 1.5 * Math.sqrt(mxx + myy)));
  }
  const half = (mxx + myy) / 2;
  const d = Math.sqrt(((mxx - myy) / 2) ** 2 + mxy ** 2);
  const radius = Math.sqrt(Math.max(mxx + myy, 1e-6));
  let peak = 1e-6;
  let inner = 0, outer = 0;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const r = Math.hypot(x - cx, y - cy);
    if (r < 2 * radius) {
      outer += light[y * side + x];
      if (r < radius) inner += light[y * side + x];
    }
    if (r <= 2 * width && x > 0 && y > 0 && x < side - 1 && y < side - 1) {
      let box = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) box += image[(y + dy) * side + x + dx] - sky;
      peak = Math.max(peak, box / 9);
    }
  }
  return {
    sky, noise, noiseAbove, skyMean, flux, peak, centreX: cx, centreY: cy, radius,
    axisRatio: half + d > 0 ? Math.sqrt(Math.max(half - d, 0) / (half + d)) : 1,
    angle: 0.5 * Math.atan2(2 * mxy, mxx - myy),
    concentration: outer > 0 ? inner / outer : 0,
  };
}

/**
 * The 3 × 3 transform (row-major) that `warpImage` reads a canonical image through: output point g (normalised,
 * see nn/resample.ts) reads the input at centre + R(φ)·s·g, so the major axis lies along the output's x axis and the
 * radius becomes MOMENT_TARGET_RADIUS of the side.
 */
export function canonicalTransform(m: ImageMoments, side: number): number[] {
  const toNormalised = (p: number) => (2 * p) / (side - 1) - 1;
  const zoom = canonicalZoom(m, side);
  const c = Math.cos(m.angle) * zoom;
  const s = Math.sin(m.angle) * zoom;
  return [c, -s, toNormalised(m.centreX), s, c, toNormalised(m.centreY), 0, 0, 1];
}

/** Input side over output side of the canonical image (< 1: it magnifies), clamped to [1/MAX_ZOOM, MAX_ZOOM]. */
export function canonicalZoom(m: ImageMoments, side: number): number {
  return Math.min(MAX_ZOOM, Math.max(1 / MAX_ZOOM, m.radius / (MOMENT_TARGET_RADIUS * side)));
}

/**
 * Images [B, S, S, 1] in [0, 1] through the front end (a new tensor; the input is not disposed). 'moments' reads the
 * pixels on the host to measure each image, then warps the batch on the current backend.
 */
export function applyFrontEnd(kind: VadeFrontEnd, images: tf.Tensor4D): tf.Tensor4D {
  if (kind === 'none') return tf.clone(images);
  if (kind === 'segmented') {
    const { masked, moments } = segmentBatch(images);
    try {
      return canonicalise(masked, moments, moments.map((m) => m.sky), 0);
    } finally {
      masked.dispose();
    }
  }
  const moments = batchMoments(images);
  return canonicalise(images, moments, moments.map((m) => m.sky), 0);
}

/**
 * Each image with the pixels outside its central source set to its sky (the median of its border, read on the whole
 * image), and the moments of that image with that sky.
 */
export function segmentImage(image: ArrayLike<number>, side: number): { masked: Float32Array; moments: ImageMoments } {
  const sky = sortedMedian(sortedBorder(image, side));
  const mask = centralSourceMask(image, side);
  const masked = Float32Array.from({ length: side * side }, (_, k) => (mask[k] === 1 ? image[k] : sky));
  return { masked, moments: { ...imageMoments(masked, side), sky } };
}

function segmentBatch(images: tf.Tensor4D): { masked: tf.Tensor4D; moments: ImageMoments[] } {
  const [b, h] = checkGrey(images);
  const data = images.dataSync();
  const per = h * h;
  const out = new Float32Array(b * per);
  const moments = Array.from({ length: b }, (_, i) => {
    const s = segmentImage(data.subarray(i * per, (i + 1) * per), h);
    out.set(s.masked, i * per);
    return s.moments;
  });
  return { masked: tf.tensor4d(out, images.shape), moments };
}

/** A batch through the front end with each image's noise σ in the output's units (see the file's comment). */
export interface NoisyImages {
  /** [B, S, S, C]: the image itself ('none'), or canonical, sky-subtracted by the clipped mean, in [−1, 1]. */
  images: tf.Tensor4D;
  /** [B]: σ of each image's sky noise in the units of `images`. */
  noise: tf.Tensor1D;
}

/** The front end for a noise-aware likelihood: unbiased sky noise and its σ per image (new tensors). */
export function applyFrontEndWithNoise(kind: VadeFrontEnd, images: tf.Tensor4D): NoisyImages {
  if (kind === 'segmented') throw new OptionError('frontEnd', "'none' or 'moments' with a noise-aware reconstruction", kind);
  const moments = batchMoments(images);
  if (kind === 'none') return { images: tf.clone(images), noise: tf.tensor1d(moments.map((m) => m.noiseAbove)) };
  const side = images.shape[1];
  return {
    images: canonicalise(images, moments, moments.map((m) => m.skyMean), -1),
    noise: tf.tensor1d(moments.map((m) => m.noiseAbove / (m.peak * Math.min(1, canonicalZoom(m, side))))),
  };
}

/** Each grey image's moments, read on the host. */
function batchMoments(images: tf.Tensor4D): ImageMoments[] {
  const [b, h] = checkGrey(images);
  const data = images.dataSync();
  const per = h * h;
  return Array.from({ length: b }, (_, i) => imageMoments(data.subarray(i * per, (i + 1) * per), h));
}

function checkGrey(images: tf.Tensor4D): [number, number] {
  const [b, h, w, c] = images.shape;
  if (h !== w || c !== 1) throw new OptionError('images', 'square grey images [B, S, S, 1] for the front end\'s moments', `[${images.shape.join(', ')}]`);
  return [b, h];
}

/** (x − sky) / peak warped to the canonical pose, clipped to [low, 1]. */
function canonicalise(images: tf.Tensor4D, moments: ImageMoments[], skies: number[], low: number): tf.Tensor4D {
  const [b, h] = images.shape;
  const transforms = moments.flatMap((m) => canonicalTransform(m, h));
  return tf.tidy(() => {
    const sky = tf.tensor4d(skies, [b, 1, 1, 1]);
    const peak = tf.tensor4d(moments.map((m) => m.peak), [b, 1, 1, 1]);
    // Sky-subtract before the warp so the zeros it reads outside the image are sky.
    const light = tf.sub(images, sky) as tf.Tensor4D;
    const warped = warpImage(light, tf.tensor3d(transforms, [b, 3, 3]));
    return tf.clipByValue(tf.div(warped, peak), low, 1) as tf.Tensor4D;
  });
}
