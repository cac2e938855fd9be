/**
 * A decoded image before preprocessing, as every decoder hands it over: bands one after another (planar), row 0 at
 * the top. Pure — no decoders here — so Node (imageDecode.ts: sharp, FITS) and a browser (browser/pixels.ts:
 * canvas ImageData) build it with the same conversion from interleaved 8- or 16-bit pixels.
 */

export const IMAGE_FORMATS = ['jpeg', 'png', 'fits', 'other'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export interface PlanarImage {
  width: number;
  height: number;
  bands: number;
  /** [band][row][column]. JPEG/PNG: in [0, 1]. FITS: physical values (may include NaN). */
  data: Float32Array;
  format: ImageFormat;
  /** NaN pixels (FITS BLANK or NaN); always 0 for JPEG/PNG. */
  invalidPixels: number;
}

/**
 * The first `bands` of `channels` interleaved integer channels (e.g. RGB of RGBA: alpha, the last channel, is
 * dropped) → a planar image with values times `scale` (1/255 for 8 bits, 1/65535 for 16).
 */
export function interleavedToPlanar(
  source: ArrayLike<number>,
  shape: { width: number; height: number; channels: number; bands: number },
  scale: number,
  format: ImageFormat,
): PlanarImage {
  const { width, height, channels, bands } = shape;
  const n = width * height;
  const out = new Float32Array(n * bands);
  for (let c = 0; c < bands; c++) {
    const plane = c * n;
    for (let p = 0, q = c; p < n; p++, q += channels) out[plane + p] = source[q] * scale;
  }
  return { width, height, bands, data: out, format, invalidPixels: 0 };
}
