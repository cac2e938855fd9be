/**
 * Splatting small light sources into a square float image: circular Gaussian blobs (clumps, tidal-tail
 * segments) and point sources (stars, before PSF blurring). Positions are in pixels from the top-left corner
 * with pixel centres at half-integers; `flux` is the total added (less what falls off the edge).
 */

/** Adds a circular Gaussian of standard deviation `sigma` pixels centred at (x, y). */
export function addGaussianBlob(img: Float32Array, size: number, x: number, y: number, sigma: number, flux: number): void {
  const radius = 3.5 * sigma;
  const x0 = Math.max(0, Math.floor(x - radius));
  const x1 = Math.min(size, Math.ceil(x + radius));
  const y0 = Math.max(0, Math.floor(y - radius));
  const y1 = Math.min(size, Math.ceil(y + radius));
  if (x0 >= x1 || y0 >= y1) return;
  const inv2s2 = 1 / (2 * sigma * sigma);
  const peak = flux / (2 * Math.PI * sigma * sigma);
  for (let j = y0; j < y1; j++) {
    const dy = j + 0.5 - y;
    const ey = peak * Math.exp(-dy * dy * inv2s2);
    const row = j * size;
    for (let i = x0; i < x1; i++) {
      const dx = i + 0.5 - x;
      img[row + i] += ey * Math.exp(-dx * dx * inv2s2);
    }
  }
}

/** Adds a point source, sharing its flux bilinearly among the four nearest pixel centres. */
export function addPointSource(img: Float32Array, size: number, x: number, y: number, flux: number): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const i0 = Math.floor(fx);
  const j0 = Math.floor(fy);
  const tx = fx - i0;
  const ty = fy - j0;
  deposit(img, size, i0, j0, flux * (1 - tx) * (1 - ty));
  deposit(img, size, i0 + 1, j0, flux * tx * (1 - ty));
  deposit(img, size, i0, j0 + 1, flux * (1 - tx) * ty);
  deposit(img, size, i0 + 1, j0 + 1, flux * tx * ty);
}

function deposit(img: Float32Array, size: number, i: number, j: number, flux: number): void {
  if (i >= 0 && i < size && j >= 0 && j < size) img[j * size + i] += flux;
}

/**
 * Adds a straight line of light from (xa, ya) to (xb, yb) with `fluxPerPixel` per unit length, as a chain of
 * point sources half a pixel apart (blurred afterwards by the PSF, like a satellite trail or diffraction spike).
 */
export function addLine(
  img: Float32Array,
  size: number,
  xa: number,
  ya: number,
  xb: number,
  yb: number,
  fluxPerPixel: (distanceFromStart: number) => number,
): void {
  const length = Math.hypot(xb - xa, yb - ya);
  const steps = Math.max(1, Math.ceil(length * 2));
  const step = length / steps;
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    addPointSource(img, size, xa + (xb - xa) * t, ya + (yb - ya) * t, fluxPerPixel(t * length) * step);
  }
}
