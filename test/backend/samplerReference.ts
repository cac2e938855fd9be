/**
 * Float64 reference of bilinear sampling straight from the definition (src/nn/resample.ts): value at a point =
 * Σ over the four surrounding pixels of weight × pixel, pixels outside the image read 0. Used as the oracle of the
 * sampler kernels' forward pass and, through central differences of L = Σ w · sample, of their gradients.
 */
import { Rng } from '../../src/util/rng.js';

export interface SamplerCase {
  imageShape: [number, number, number, number];
  gridShape: [number, number, number, number];
  image: Float32Array;
  grid: Float32Array;
  /** Weights of the scalar L = Σ w · sample, shaped like the output. */
  weights: Float32Array;
}

export function referenceSample(c: { imageShape: number[]; gridShape: number[] }, image: ArrayLike<number>, grid: ArrayLike<number>): Float64Array {
  const [B, H, W, C] = c.imageShape;
  const [G, Ho, Wo] = c.gridShape;
  const out = new Float64Array(B * Ho * Wo * C);
  const pixel = (b: number, row: number, col: number, ch: number) =>
    row < 0 || row >= H || col < 0 || col >= W ? 0 : image[((b * H + row) * W + col) * C + ch];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Ho * Wo; i++) {
      const g = ((G === 1 ? 0 : b) * Ho * Wo + i) * 2;
      const col = ((grid[g] + 1) / 2) * (W - 1);
      const row = ((grid[g + 1] + 1) / 2) * (H - 1);
      const c0 = Math.floor(col);
      const r0 = Math.floor(row);
      const tc = col - c0;
      const tr = row - r0;
      for (let ch = 0; ch < C; ch++) {
        out[(b * Ho * Wo + i) * C + ch] =
          (1 - tr) * ((1 - tc) * pixel(b, r0, c0, ch) + tc * pixel(b, r0, c0 + 1, ch)) +
          tr * ((1 - tc) * pixel(b, r0 + 1, c0, ch) + tc * pixel(b, r0 + 1, c0 + 1, ch));
      }
    }
  }
  return out;
}

/** L = Σ w · referenceSample (float64). */
export function referenceLoss(c: SamplerCase, image: ArrayLike<number>, grid: ArrayLike<number>): number {
  const out = referenceSample(c, image, grid);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * c.weights[i];
  return s;
}

/**
 * A random case: 1–3 images of 2–7 × 2–7 pixels with 1–3 channels, a grid shared (batch 1) or per image, points
 * inside and up to 1.5 pixels outside the image, each at least `margin` pixels away from a pixel boundary (so central
 * differences with a step below the margin never cross one).
 */
export function randomSamplerCase(rng: Rng, index: number, margin = 0.05): SamplerCase {
  const B = 1 + rng.int(3);
  const H = 2 + rng.int(6);
  const W = 2 + rng.int(6);
  const C = 1 + rng.int(3);
  const G = index % 2 === 0 ? 1 : B;
  const Ho = 1 + rng.int(4);
  const Wo = 1 + rng.int(4);
  const grid = new Float32Array(G * Ho * Wo * 2);
  for (let i = 0; i < grid.length; i += 2) {
    const col = Math.floor(rng.range(-1.5, W + 0.5)) + rng.range(margin, 1 - margin);
    const row = Math.floor(rng.range(-1.5, H + 0.5)) + rng.range(margin, 1 - margin);
    grid[i] = (2 * col) / (W - 1) - 1;
    grid[i + 1] = (2 * row) / (H - 1) - 1;
  }
  const random = (n: number) => Float32Array.from({ length: n }, () => rng.range(-1, 1));
  return {
    imageShape: [B, H, W, C],
    gridShape: [G, Ho, Wo, 2],
    image: random(B * H * W * C),
    grid,
    weights: random(B * Ho * Wo * C),
  };
}

/** (L(p + h·v) − L(p − h·v)) / 2h along direction v of the image or the grid, in float64. */
export function directionalDifference(c: SamplerCase, wrt: 'image' | 'grid', v: ArrayLike<number>, h: number): number {
  const base = wrt === 'image' ? c.image : c.grid;
  const shifted = (sign: number) => {
    const p = Float64Array.from(base, (x, i) => x + sign * h * v[i]);
    return wrt === 'image' ? referenceLoss(c, p, c.grid) : referenceLoss(c, c.image, p);
  };
  return (shifted(1) - shifted(-1)) / (2 * h);
}
