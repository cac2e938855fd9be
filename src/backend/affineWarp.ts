/**
 * Warping grid points by batches of affine transforms as TensorFlow.js kernels (the op is `warpGrid` in
 * `src/nn/transformMatrix.ts`): names and the host loops the wasm kernels run over heap views.
 *
 * - `GalmorphWarpGrid` {grid [G, H, W, 2], transform [B, 3, 3]} → [B, H, W, 2], (x, y) ← M·(x, y, 1) (G = 1 or B)
 * - `GalmorphWarpGridGradTransform` {dy, grid}, attrs {batch} → d/dtransform [B, 3, 3] (bottom row 0: unused)
 * - `GalmorphWarpGridGradGrid` {dy, transform}, attrs {gridBatch} → d/dgrid [G, H, W, 2]
 *
 * Written as loops because the composite it replaces (unstacking x and y, the six matrix entries, broadcast products
 * and a stack, with their gradients) runs about forty tfjs ops on [B, H·W]-sized tensors, several of them strided
 * copies. The forward pass rounds every product and sum to float32 in the composite's order, so the warped points —
 * and the pixel cells the sampler picks from them — are the composite's, bit for bit.
 */

export const WARP_GRID = 'GalmorphWarpGrid';
export const WARP_GRID_GRAD_TRANSFORM = 'GalmorphWarpGridGradTransform';
export const WARP_GRID_GRAD_GRID = 'GalmorphWarpGridGradGrid';
export const AFFINE_WARP_KERNELS = [WARP_GRID, WARP_GRID_GRAD_TRANSFORM, WARP_GRID_GRAD_GRID] as const;

const fround = Math.fround;

/** points = H·W of the grid; gridBatch 1 (shared) or batch. */
export interface WarpGeometry {
  batch: number;
  gridBatch: number;
  points: number;
}

export function warpGeometry(gridShape: readonly number[], transformShape: readonly number[]): WarpGeometry {
  if (gridShape.length !== 4 || gridShape[3] !== 2) throw new Error(`warpGrid: the grid must be [B, H, W, 2], got [${gridShape}]`);
  if (transformShape.length !== 3 || transformShape[1] !== 3 || transformShape[2] !== 3) {
    throw new Error(`warpGrid: the transforms must be [B, 3, 3], got [${transformShape}]`);
  }
  const batch = transformShape[0];
  const gridBatch = gridShape[0];
  if (gridBatch !== 1 && gridBatch !== batch) throw new Error(`warpGrid: grid batch ${gridBatch} must be 1 or equal the transform batch ${batch}`);
  return { batch, gridBatch, points: gridShape[1] * gridShape[2] };
}

/** out [B, points, 2] ← (a x + b y + tx, c x + d y + ty), each product and sum rounded to float32 as the composite does. */
export function warpGridForward(g: WarpGeometry, grid: Float32Array, m: Float32Array, out: Float32Array): void {
  for (let b = 0; b < g.batch; b++) {
    const k = 9 * b;
    const [a, bb, tx, c, d, ty] = [m[k], m[k + 1], m[k + 2], m[k + 3], m[k + 4], m[k + 5]];
    const gridBase = g.gridBatch === 1 ? 0 : b * g.points * 2;
    const outBase = b * g.points * 2;
    for (let p = 0; p < g.points; p++) {
      const x = grid[gridBase + 2 * p];
      const y = grid[gridBase + 2 * p + 1];
      out[outBase + 2 * p] = fround(fround(fround(a * x) + fround(bb * y)) + tx);
      out[outBase + 2 * p + 1] = fround(fround(fround(c * x) + fround(d * y)) + ty);
    }
  }
}

/** dM[b] = Σ_p dy[b, p] ⊗ (x_p, y_p, 1) in the top two rows; the bottom row (never read) gets 0. */
export function warpGridGradTransform(g: WarpGeometry, dy: Float32Array, grid: Float32Array, dM: Float32Array): void {
  dM.fill(0);
  for (let b = 0; b < g.batch; b++) {
    const gridBase = g.gridBatch === 1 ? 0 : b * g.points * 2;
    const dyBase = b * g.points * 2;
    let s0x = 0;
    let s0y = 0;
    let s0 = 0;
    let s1x = 0;
    let s1y = 0;
    let s1 = 0;
    for (let p = 0; p < g.points; p++) {
      const x = grid[gridBase + 2 * p];
      const y = grid[gridBase + 2 * p + 1];
      const d0 = dy[dyBase + 2 * p];
      const d1 = dy[dyBase + 2 * p + 1];
      s0x += d0 * x;
      s0y += d0 * y;
      s0 += d0;
      s1x += d1 * x;
      s1y += d1 * y;
      s1 += d1;
    }
    dM.set([s0x, s0y, s0, s1x, s1y, s1], 9 * b);
  }
}

/** dGrid[p] = A[b]ᵀ · dy[b, p] (summed over the transforms when the grid is shared). */
export function warpGridGradGrid(g: WarpGeometry, dy: Float32Array, m: Float32Array, dGrid: Float32Array): void {
  dGrid.fill(0);
  for (let b = 0; b < g.batch; b++) {
    const k = 9 * b;
    const [a, bb, c, d] = [m[k], m[k + 1], m[k + 3], m[k + 4]];
    const gridBase = g.gridBatch === 1 ? 0 : b * g.points * 2;
    const dyBase = b * g.points * 2;
    for (let p = 0; p < g.points; p++) {
      const d0 = dy[dyBase + 2 * p];
      const d1 = dy[dyBase + 2 * p + 1];
      dGrid[gridBase + 2 * p] += a * d0 + c * d1;
      dGrid[gridBase + 2 * p + 1] += bb * d0 + d * d1;
    }
  }
}
