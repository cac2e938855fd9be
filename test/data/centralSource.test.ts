import { describe, expect, it } from 'vitest';
import { centralSourceMask } from '../../src/data/centralSource.js';
import { Rng } from '../../src/util/rng.js';

const SIDE = 24;
const SKY = 0.1;

/** Sky plus round Gaussian sources (centre x, y in pixels, σ, amplitude), plus Gaussian pixel noise of `noise`. */
function scene(sources: [number, number, number, number][], noise = 0, seed = 0): Float32Array {
  const rng = new Rng(seed);
  const img = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
    let v = SKY + noise * rng.normal();
    for (const [cx, cy, s, a] of sources) v += a * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));
    img[y * SIDE + x] = v;
  }
  return img;
}

const at = (mask: Uint8Array, x: number, y: number) => mask[y * SIDE + x];

describe('centralSourceMask', () => {
  it('keeps the central galaxy and drops a separate star in the corner', () => {
    // the galaxy's isophote at the cut (2 × 0.01 / 3) has a radius of 3.9 px, 5.9 px once grown; the star is 13 px away
    const img = scene([[11.5, 11.5, 1.5, 0.2], [21, 2, 0.8, 1]], 0.01, 1);
    const mask = centralSourceMask(img, SIDE, SKY, 0.01);
    expect(at(mask, 11, 11)).toBe(1);
    expect(at(mask, 15, 11)).toBe(1); // 3.5 px out: 0.013 above the sky, twice the cut
    expect(at(mask, 21, 2)).toBe(0);
    expect(at(mask, 0, 23)).toBe(0);
    expect(mask.reduce((a, b) => a + b, 0)).toBeLessThan(0.35 * SIDE * SIDE);
    // every pixel the galaxy lifts by more than a tenth of its peak is kept
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
      if (Math.exp(-((x - 11.5) ** 2 + (y - 11.5) ** 2) / (2 * 1.5 * 1.5)) > 0.1) expect(at(mask, x, y)).toBe(1);
    }
  });

  it('keeps a star that touches the galaxy above the threshold (no deblending)', () => {
    const img = scene([[11.5, 11.5, 1.5, 0.2], [16, 11.5, 0.8, 1]], 0.01, 2);
    const mask = centralSourceMask(img, SIDE, SKY, 0.01);
    expect(at(mask, 16, 11)).toBe(1);
  });

  it('grows the detected region by `grow` pixels: the grown mask is the square dilation of the ungrown one', () => {
    const img = scene([[11.5, 11.5, 1.5, 1]], 0.02, 3);
    const core = centralSourceMask(img, SIDE, SKY, 0.02, { grow: 0 });
    const grown = centralSourceMask(img, SIDE, SKY, 0.02, { grow: 2 });
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
      let near = 0;
      for (let yy = 0; yy < SIDE; yy++) for (let xx = 0; xx < SIDE; xx++) {
        if (core[yy * SIDE + xx] === 1 && Math.max(Math.abs(xx - x), Math.abs(yy - y)) <= 2) near = 1;
      }
      expect(at(grown, x, y)).toBe(near);
    }
    expect(grown.reduce((a, b) => a + b, 0)).toBeGreaterThan(core.reduce((a, b) => a + b, 0));
  });

  it('follows the threshold: 2σ/3 of the 3 × 3 smoothed image, computed here by hand on a noiseless step', () => {
    // a central 6 × 6 plateau 0.05 above the sky; with noise 0.06 the cut is 2 × 0.06 / 3 = 0.04
    const img = new Float32Array(SIDE * SIDE).fill(SKY);
    for (let y = 9; y < 15; y++) for (let x = 9; x < 15; x++) img[y * SIDE + x] = SKY + 0.05;
    const mask = centralSourceMask(img, SIDE, SKY, 0.06, { grow: 0 });
    // smoothed value: 0.05 × (plateau pixels in the 3 × 3 box) / 9, above 0.04 only where 8 or 9 of 9 are plateau
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
      let inside = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (y + dy >= 9 && y + dy < 15 && x + dx >= 9 && x + dx < 15) inside++;
      expect(at(mask, x, y)).toBe((0.05 * inside) / 9 > 0.04 ? 1 : 0);
    }
  });

  it('keeps every pixel when nothing is detected near the centre, or the noise is not positive', () => {
    const cornerOnly = scene([[3, 3, 1.5, 1]], 0.01, 4);
    expect(centralSourceMask(cornerOnly, SIDE, SKY, 0.01).every((v) => v === 1)).toBe(true);
    const galaxy = scene([[11.5, 11.5, 2.5, 1]]);
    expect(centralSourceMask(galaxy, SIDE, SKY, 0).every((v) => v === 1)).toBe(true);
  });

  it('refuses an image of the wrong size', () => {
    expect(() => centralSourceMask(new Float32Array(10), SIDE, SKY, 0.01)).toThrow(/24 × 24 values/);
  });
});
