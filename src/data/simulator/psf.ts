/**
 * Point-spread-function blurring with a separable Moffat kernel: k(x, y) = m(x)·m(y) with
 * m(x) ∝ (1 + x²/α²)^−β. The product is not exactly the circular Moffat profile but has the same core width
 * and power-law wings along the axes, and it costs two 1-D passes instead of one 2-D convolution.
 */

/** Normalised 1-D Moffat taps for a PSF of the given FWHM (pixels) and β, truncated at ±radius. */
export function moffatKernel(fwhm: number, beta: number): Float32Array {
  const alpha = fwhm / (2 * Math.sqrt(Math.pow(2, 1 / beta) - 1));
  const radius = Math.max(1, Math.ceil(1.3 * fwhm));
  const taps = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const value = Math.pow(1 + (k * k) / (alpha * alpha), -beta);
    taps[k + radius] = value;
    sum += value;
  }
  for (let k = 0; k < taps.length; k++) taps[k] /= sum;
  return taps;
}

/**
 * Convolves the size × size image `img` in place with kernel ⊗ kernel (rows, then columns); light beyond the
 * edges is lost as it would be off the detector. `scratch` must hold size × size floats.
 */
export function blurSeparable(img: Float32Array, size: number, kernel: Float32Array, scratch: Float32Array): void {
  const radius = (kernel.length - 1) >> 1;
  for (let j = 0; j < size; j++) {
    const row = j * size;
    for (let i = 0; i < size; i++) {
      const lo = i - radius < 0 ? radius - i : 0;
      const hi = i + radius >= size ? radius + size - 1 - i : 2 * radius;
      let acc = 0;
      const base = row + i - radius;
      for (let k = lo; k <= hi; k++) acc += kernel[k] * img[base + k];
      scratch[row + i] = acc;
    }
  }
  for (let j = 0; j < size; j++) {
    const lo = j - radius < 0 ? radius - j : 0;
    const hi = j + radius >= size ? radius + size - 1 - j : 2 * radius;
    const row = j * size;
    img.fill(0, row, row + size);
    for (let k = lo; k <= hi; k++) {
      const w = kernel[k];
      const src = (j - radius + k) * size;
      for (let i = 0; i < size; i++) img[row + i] += w * scratch[src + i];
    }
  }
}
