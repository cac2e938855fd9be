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
 * The decoder then models canonical galaxies, and `galmorph generate` draws them.
 */
import * as tf from '@tensorflow/tfjs';
import { warpImage } from '../nn/warpImage.js';
import { OptionError } from '../util/errors.js';

export const VADE_FRONT_ENDS = ['none', 'moments'] as const;
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
  const border: number[] = [];
  for (let i = 0; i < side; i++) border.push(image[i], image[(side - 1) * side + i], image[i * side], image[i * side + side - 1]);
  border.sort((a, b) => a - b);
  const sky = border[Math.floor(border.length / 2)];
  const deviations = border.map((b) => Math.abs(b - sky)).sort((a, b) => a - b);
  const noise = 1.4826 * deviations[Math.floor(deviations.length / 2)];
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
    sky, noise, flux, peak, centreX: cx, centreY: cy, radius,
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
  const zoom = Math.min(MAX_ZOOM, Math.max(1 / MAX_ZOOM, m.radius / (MOMENT_TARGET_RADIUS * side)));
  const c = Math.cos(m.angle) * zoom;
  const s = Math.sin(m.angle) * zoom;
  return [c, -s, toNormalised(m.centreX), s, c, toNormalised(m.centreY), 0, 0, 1];
}

/**
 * Images [B, S, S, 1] in [0, 1] through the front end (a new tensor; the input is not disposed). 'moments' reads the
 * pixels on the host to measure each image, then warps the batch on the current backend.
 */
export function applyFrontEnd(kind: VadeFrontEnd, images: tf.Tensor4D): tf.Tensor4D {
  if (kind === 'none') return tf.clone(images);
  const [b, h, w, c] = images.shape;
  if (h !== w || c !== 1) throw new OptionError('images', 'square grey images [B, S, S, 1] for the moments front end', `[${images.shape.join(', ')}]`);
  const data = images.dataSync();
  const per = h * w;
  const moments = Array.from({ length: b }, (_, i) => imageMoments(data.subarray(i * per, (i + 1) * per), h));
  const transforms = moments.flatMap((m) => canonicalTransform(m, h));
  return tf.tidy(() => {
    const sky = tf.tensor4d(moments.map((m) => m.sky), [b, 1, 1, 1]);
    const peak = tf.tensor4d(moments.map((m) => m.peak), [b, 1, 1, 1]);
    // Sky-subtract before the warp so the zeros it reads outside the image are sky.
    const light = tf.sub(images, sky) as tf.Tensor4D;
    const warped = warpImage(light, tf.tensor3d(transforms, [b, 3, 3]));
    return tf.clipByValue(tf.div(warped, peak), 0, 1) as tf.Tensor4D;
  });
}
