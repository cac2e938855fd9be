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
    const mask = centralSourceMask(img, SIDE);
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
    const mask = centralSourceMask(img, SIDE);
    expect(at(mask, 16, 11)).toBe(1);
  });

  it('grows the detected region by `grow` pixels: the grown mask is the square dilation of the ungrown one', () => {
    const img = scene([[11.5, 11.5, 1.5, 1]], 0.02, 3);
    const core = centralSourceMask(img, SIDE, { grow: 0 });
    const grown = centralSourceMask(img, SIDE, { grow: 2 });
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
      let near = 0;
      for (let yy = 0; yy < SIDE; yy++) for (let xx = 0; xx < SIDE; xx++) {
        if (core[yy * SIDE + xx] === 1 && Math.max(Math.abs(xx - x), Math.abs(yy - y)) <= 2) near = 1;
      }
      expect(at(grown, x, y)).toBe(near);
    }
    expect(grown.reduce((a, b) => a + b, 0)).toBeGreaterThan(core.reduce((a, b) => a + b, 0));
  });

  it('follows the threshold: 2 σ_s above the median of the smoothed border, σ_s measured there (computed here independently)', () => {
    // a central 6 × 6 plateau 0.05 above the sky, noiseless; Gaussian noise (σ 0.02) only in the outer two rings
    const rng = new Rng(7);
    const img = new Float32Array(SIDE * SIDE).fill(SKY);
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
      if (Math.min(x, y, SIDE - 1 - x, SIDE - 1 - y) < 2) img[y * SIDE + x] += 0.02 * rng.normal();
    }
    for (let y = 9; y < 15; y++) for (let x = 9; x < 15; x++) img[y * SIDE + x] = SKY + 0.05;
    const boxMean = (x: number, y: number) => {
      let s = 0, n = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        if (y + dy < 0 || x + dx < 0 || y + dy >= SIDE || x + dx >= SIDE) continue;
        s += img[(y + dy) * SIDE + x + dx];
        n++;
      }
      return s / n;
    };
    const border: number[] = []; // the four edges, corners counted twice, as the module reads them
    for (let i = 0; i < SIDE; i++) border.push(boxMean(i, 0), boxMean(i, SIDE - 1), boxMean(0, i), boxMean(SIDE - 1, i));
    border.sort((a, b) => a - b);
    const level = border[Math.floor(border.length / 2)];
    const cut = level + 2 * (border[Math.round(0.8413 * (border.length - 1))] - level);
    const levels = [2, 4, 6, 9].map((k) => SKY + (0.05 * k) / 9);
    expect(levels.some((v) => v > cut) && levels.some((v) => v <= cut)).toBe(true); // the cut falls inside the plateau's edge
    const mask = centralSourceMask(img, SIDE, { grow: 0 });
    for (let y = 4; y < SIDE - 4; y++) for (let x = 4; x < SIDE - 4; x++) expect(at(mask, x, y)).toBe(boxMean(x, y) > cut ? 1 : 0);
  });

  it('keeps every pixel when nothing is detected near the centre, or the noise is not positive', () => {
    const cornerOnly = scene([[3, 3, 1.5, 1]], 0.01, 4);
    expect(centralSourceMask(cornerOnly, SIDE).every((v) => v === 1)).toBe(true);
    // a noiseless frame whose border is exactly the sky: the smoothed border's noise reads 0
    const flat = new Float32Array(SIDE * SIDE).fill(SKY);
    for (let y = 9; y < 15; y++) for (let x = 9; x < 15; x++) flat[y * SIDE + x] = SKY + 0.5;
    expect(centralSourceMask(flat, SIDE).every((v) => v === 1)).toBe(true);
    // pure noise: whatever peak lies near the centre, its region is below the minimum area (or none is detected)
    for (let seed = 0; seed < 10; seed++) expect(centralSourceMask(scene([], 0.02, 100 + seed), SIDE).every((v) => v === 1)).toBe(true);
  });

  it('refuses an image of the wrong size', () => {
    expect(() => centralSourceMask(new Float32Array(10), SIDE)).toThrow(/24 × 24 values/);
  });
});
