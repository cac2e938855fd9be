/**
 * galmorph's bilinear sampler as TensorFlow.js kernels: their names, geometry, and the host loops that the wasm
 * kernels run over heap views (`wasmKernels/bilinearSample.ts`); the oneDNN addon has the same loops in C++
 * (`native/src/sampler.cc`). The op and its gradient live in `src/nn/resample.ts`, which also defines the
 * coordinate convention: column = (x + 1)/2 · (W − 1), row = (y + 1)/2 · (H − 1), zeros outside the image.
 *
 * Three kernels, so the engine computes only the gradients somebody needs (it calls a gradient function only for
 * inputs that depend on the variables being differentiated; a raw input image gets no gradient):
 * - `GalmorphBilinearSample` {image [B, H, W, C], grid [G, Ho, Wo, 2]} → [B, Ho, Wo, C] (G = 1 shares the grid)
 * - `GalmorphBilinearSampleGradGrid` {dy, image, grid} → d/dgrid [G, Ho, Wo, 2] (summed over images when G = 1)
 * - `GalmorphBilinearSampleGradImage` {dy, grid}, attrs {imageShape} → d/dimage [B, H, W, C]
 *
 * Written as plain loops because the composite of tfjs ops it replaces (integer corner indices, a table with a zero
 * row, four-corner gathers, stacked weights and an UnsortedSegmentSum for the image gradient) allocates about a dozen
 * [B, Ho, Wo, 4]-sized tensors per call. A point with a non-finite coordinate samples NaN, so a broken pose shows.
 * Pixel positions are computed in float32 exactly as the composite does ((x + 1) then × (W − 1)/2, each rounded), so
 * both pick the same pixel cell even for a point on a cell boundary, where the grid gradient is one-sided; the
 * weights and sums are then formed in double precision.
 */

export const BILINEAR_SAMPLE = 'GalmorphBilinearSample';

const fround = Math.fround;
export const BILINEAR_SAMPLE_GRAD_GRID = 'GalmorphBilinearSampleGradGrid';
export const BILINEAR_SAMPLE_GRAD_IMAGE = 'GalmorphBilinearSampleGradImage';
export const BILINEAR_SAMPLER_KERNELS = [BILINEAR_SAMPLE, BILINEAR_SAMPLE_GRAD_GRID, BILINEAR_SAMPLE_GRAD_IMAGE] as const;

export interface SamplerGeometry {
  batch: number;
  height: number;
  width: number;
  channels: number;
  /** 1 (one grid for every image) or `batch`. */
  gridBatch: number;
  outHeight: number;
  outWidth: number;
}

/** The geometry of sampling an image of `imageShape` on a grid of `gridShape`; throws on inconsistent shapes. */
export function samplerGeometry(imageShape: readonly number[], gridShape: readonly number[]): SamplerGeometry {
  if (imageShape.length !== 4) throw new Error(`bilinear sampler: the image must be [B, H, W, C], got [${imageShape}]`);
  if (gridShape.length !== 4 || gridShape[3] !== 2) {
    throw new Error(`bilinear sampler: the grid must be [B, Ho, Wo, 2], got [${gridShape}]`);
  }
  const [batch, height, width, channels] = imageShape;
  const [gridBatch, outHeight, outWidth] = gridShape;
  if (gridBatch !== 1 && gridBatch !== batch) {
    throw new Error(`bilinear sampler: grid batch ${gridBatch} must be 1 or equal the image batch ${batch}`);
  }
  return { batch, height, width, channels, gridBatch, outHeight, outWidth };
}

/** The geometry as the 7 integers the native addon takes (native/src/sampler.h). */
export function samplerGeometryArray(g: SamplerGeometry): SamplerGeometryArray {
  return [g.batch, g.height, g.width, g.channels, g.gridBatch, g.outHeight, g.outWidth];
}

export type SamplerGeometryArray = [
  batch: number, height: number, width: number, channels: number, gridBatch: number, outHeight: number, outWidth: number,
];

/** out [B, Ho, Wo, C] ← image sampled at grid. */
export function bilinearSampleForward(g: SamplerGeometry, image: Float32Array, grid: Float32Array, out: Float32Array): void {
  const { batch, height: H, width: W, channels: C, gridBatch, outHeight, outWidth } = g;
  const points = outHeight * outWidth;
  const sx = (W - 1) / 2;
  const sy = (H - 1) / 2;
  const sxf = fround(sx);
  const syf = fround(sy);
  const row = W * C;
  for (let b = 0; b < batch; b++) {
    const gridBase = gridBatch === 1 ? 0 : b * points * 2;
    const imageBase = b * H * row;
    for (let p = 0; p < points; p++) {
      const px = fround(fround(grid[gridBase + 2 * p] + 1) * sxf);
      const py = fround(fround(grid[gridBase + 2 * p + 1] + 1) * syf);
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const o = (b * points + p) * C;
      if (!(x0 >= -1 && x0 < W && y0 >= -1 && y0 < H)) {
        const value = Number.isFinite(px) && Number.isFinite(py) ? 0 : NaN;
        for (let c = 0; c < C; c++) out[o + c] = value;
        continue;
      }
      const fx = px - x0;
      const fy = py - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < W;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < H;
      const a = imageBase + y0 * row + x0 * C;
      for (let c = 0; c < C; c++) {
        let s = 0;
        if (inY0) {
          if (inX0) s += w00 * image[a + c];
          if (inX1) s += w10 * image[a + C + c];
        }
        if (inY1) {
          if (inX0) s += w01 * image[a + row + c];
          if (inX1) s += w11 * image[a + row + C + c];
        }
        out[o + c] = s;
      }
    }
  }
}

/**
 * dGrid [G, Ho, Wo, 2] ← ∂(Σ dy · sample)/∂grid. With fx, fy the fractional pixel position and a, b, c, d the corners
 * (x0, y0), (x0+1, y0), (x0, y0+1), (x0+1, y0+1): ∂out/∂fx = (1−fy)(b−a) + fy(d−c), ∂out/∂fy = (1−fx)(c−a) + fx(d−b),
 * times (W−1)/2 and (H−1)/2 for the normalised coordinates. The floor is locally constant (the derivative inside a
 * pixel cell, as the composite sampler's tape gives).
 */
export function bilinearSampleGradGrid(
  g: SamplerGeometry, dy: Float32Array, image: Float32Array, grid: Float32Array, dGrid: Float32Array,
): void {
  const { batch, height: H, width: W, channels: C, gridBatch, outHeight, outWidth } = g;
  const points = outHeight * outWidth;
  const sx = (W - 1) / 2;
  const sy = (H - 1) / 2;
  const sxf = fround(sx);
  const syf = fround(sy);
  const row = W * C;
  dGrid.fill(0);
  for (let b = 0; b < batch; b++) {
    const gridBase = gridBatch === 1 ? 0 : b * points * 2;
    const imageBase = b * H * row;
    for (let p = 0; p < points; p++) {
      const gi = gridBase + 2 * p;
      const px = fround(fround(grid[gi] + 1) * sxf);
      const py = fround(fround(grid[gi + 1] + 1) * syf);
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      if (!(x0 >= -1 && x0 < W && y0 >= -1 && y0 < H)) {
        if (!(Number.isFinite(px) && Number.isFinite(py))) {
          dGrid[gi] = NaN;
          dGrid[gi + 1] = NaN;
        }
        continue;
      }
      const fx = px - x0;
      const fy = py - y0;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < W;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < H;
      const a = imageBase + y0 * row + x0 * C;
      const o = (b * points + p) * C;
      let gx = 0;
      let gy = 0;
      for (let c = 0; c < C; c++) {
        const d = dy[o + c];
        const v00 = inY0 && inX0 ? image[a + c] : 0;
        const v10 = inY0 && inX1 ? image[a + C + c] : 0;
        const v01 = inY1 && inX0 ? image[a + row + c] : 0;
        const v11 = inY1 && inX1 ? image[a + row + C + c] : 0;
        gx += d * ((1 - fy) * (v10 - v00) + fy * (v11 - v01));
        gy += d * ((1 - fx) * (v01 - v00) + fx * (v11 - v10));
      }
      dGrid[gi] += gx * sx;
      dGrid[gi + 1] += gy * sy;
    }
  }
}

/** dImage [B, H, W, C] ← ∂(Σ dy · sample)/∂image: each output's dy spread over its four corners by their weights. */
export function bilinearSampleGradImage(g: SamplerGeometry, dy: Float32Array, grid: Float32Array, dImage: Float32Array): void {
  const { batch, height: H, width: W, channels: C, gridBatch, outHeight, outWidth } = g;
  const points = outHeight * outWidth;
  const sx = (W - 1) / 2;
  const sy = (H - 1) / 2;
  const sxf = fround(sx);
  const syf = fround(sy);
  const row = W * C;
  dImage.fill(0);
  for (let b = 0; b < batch; b++) {
    const gridBase = gridBatch === 1 ? 0 : b * points * 2;
    const imageBase = b * H * row;
    for (let p = 0; p < points; p++) {
      const px = fround(fround(grid[gridBase + 2 * p] + 1) * sxf);
      const py = fround(fround(grid[gridBase + 2 * p + 1] + 1) * syf);
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      if (!(x0 >= -1 && x0 < W && y0 >= -1 && y0 < H)) continue;
      const fx = px - x0;
      const fy = py - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < W;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < H;
      const a = imageBase + y0 * row + x0 * C;
      const o = (b * points + p) * C;
      for (let c = 0; c < C; c++) {
        const d = dy[o + c];
        if (inY0) {
          if (inX0) dImage[a + c] += w00 * d;
          if (inX1) dImage[a + C + c] += w10 * d;
        }
        if (inY1) {
          if (inX0) dImage[a + row + c] += w01 * d;
          if (inX1) dImage[a + row + C + c] += w11 * d;
        }
      }
    }
  }
}
