/**
 * Point-spread-function blurring with a separable Moffat kernel: k(x, y) = m(x)·m(y) with
 * m(x) ∝ (1 + x²/α²)^−β. The product is not exactly the circular Moffat profile but has the same core width
 * and power-law wings along the axes, and it costs two 1-D passes instead of one 2-D convolution.
 */

/** Normalised, symmetric 1-D Moffat taps for a PSF of the given FWHM (pixels) and β, truncated at ±radius. */
export function moffatKernel(fwhm: number, beta: number): Float64Array {
  const alpha = fwhm / (2 * Math.sqrt(Math.pow(2, 1 / beta) - 1));
  const radius = Math.max(1, Math.ceil(1.3 * fwhm));
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const value = Math.pow(1 + (k * k) / (alpha * alpha), -beta);
    taps[k + radius] = value;
    sum += value;
  }
  for (let k = 0; k < taps.length; k++) taps[k] /= sum;
  return taps;
}

/** Zero-padded work buffers, reused across calls of the same image size and kernel radius. */
let buffers: { size: number; radius: number; row: Float64Array; rows: Float64Array } | null = null;

/** Buffers for this size with at least `radius` zero pixels of padding each side; `pad` is the padding used. */
function workBuffers(size: number, radius: number): { pad: number; row: Float64Array; rows: Float64Array } {
  if (buffers === null || buffers.size !== size || buffers.radius < radius) {
    buffers = {
      size,
      radius,
      row: new Float64Array(size + 2 * radius),
      rows: new Float64Array((size + 2 * radius) * size),
    };
  }
  return { pad: buffers.radius, row: buffers.row, rows: buffers.rows };
}

/**
 * Convolves the size × size image `img` in place with kernel ⊗ kernel (rows, then columns); light beyond the
 * edges is lost as it would be off the detector. The kernel must be symmetric with odd length (as from
 * `moffatKernel`); pairs of taps are folded to halve the multiplications.
 */
export function blurSeparable(img: Float32Array, size: number, kernel: Float64Array): void {
  const r = (kernel.length - 1) >> 1;
  const { pad, row, rows } = workBuffers(size, r);
  const centre = kernel[r];
  // Rows: copy into a zero-padded line, convolve into the padded column buffer (pad rows stay zero).
  for (let j = 0; j < size; j++) {
    const src = j * size;
    for (let i = 0; i < size; i++) row[pad + i] = img[src + i];
    const dst = (pad + j) * size;
    for (let i = 0; i < size; i++) {
      const c = pad + i;
      let acc = centre * row[c];
      for (let t = 1; t <= r; t++) acc += kernel[r + t] * (row[c - t] + row[c + t]);
      rows[dst + i] = acc;
    }
  }
  // Columns.
  for (let j = 0; j < size; j++) {
    const dst = j * size;
    const c = (pad + j) * size;
    for (let i = 0; i < size; i++) {
      let acc = centre * rows[c + i];
      for (let t = 1; t <= r; t++) acc += kernel[r + t] * (rows[c + i - t * size] + rows[c + i + t * size]);
      img[dst + i] = acc;
    }
  }
}
