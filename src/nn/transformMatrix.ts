/**
 * Batches of 3×3 homogeneous transforms [B, 3, 3] acting on points (x, y, 1) of the sampler's normalised coordinates
 * (x right, y down; see `resample.ts`). Every matrix built here is affine (bottom row 0 0 1); `warpGrid` and
 * `invertTransforms` rely on that.
 *
 * Sampling an image on a grid warped by M (`bilinearSample(image, warpGrid(grid, M))`) reads the image at M·g for
 * each grid point g, so the image content appears transformed by M⁻¹. With y pointing down, R(θ) with θ > 0 turns
 * the x axis towards the y axis (clockwise on screen); warping by R(θ) therefore turns the content counter-clockwise.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import { AFFINE_INVERSE, AFFINE_INVERSE_GRAD, AFFINE_INVERSE_KERNELS } from '../backend/affineInverse.js';
import { AFFINE_WARP_KERNELS, WARP_GRID, WARP_GRID_GRAD_GRID, WARP_GRID_GRAD_TRANSFORM } from '../backend/affineWarp.js';

/** [[1, 0, tx], [0, 1, ty], [0, 0, 1]] per batch element. */
export function translationMatrix(tx: tf.Tensor1D, ty: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => {
    const one = tf.onesLike(tx);
    const zero = tf.zerosLike(tx);
    return affine(one, zero, tx, zero, one, ty);
  });
}

/** R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]]. */
export function rotationMatrix(angle: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => rotationScale(tf.onesLike(angle), angle));
}

/** e^s · I (s = log scale). */
export function scaleMatrix(logScale: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => {
    const s = tf.exp(logScale);
    const zero = tf.zerosLike(logScale);
    return affine(s, zero, zero, zero, s, zero);
  });
}

/** e^s · R(θ). */
export function rotationScaleMatrix(logScale: tf.Tensor1D, angle: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => rotationScale(tf.exp(logScale), angle));
}

export function identityTransforms(batch: number): tf.Tensor3D {
  return tf.tidy(() => tf.tile(tf.expandDims(tf.eye(3), 0), [batch, 1, 1]) as tf.Tensor3D);
}

/** outer · inner: warping a grid by the result equals warping it by `inner`, then by `outer`. */
export function composeTransforms(outer: tf.Tensor3D, inner: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(outer, inner);
}

/**
 * Inverse of each affine transform: [[A, t], [0, 1]]⁻¹ = [[A⁻¹, −A⁻¹t], [0, 1]]. Uses galmorph's kernels
 * (`src/backend/affineInverse.ts`) when the current backend has them, else `invertTransformsComposite`; same values
 * either way.
 */
export function invertTransforms(m: tf.Tensor3D): tf.Tensor3D {
  if (m.rank !== 3 || m.shape[1] !== 3 || m.shape[2] !== 3) throw new Error(`invertTransforms: transforms must be [B, 3, 3], got [${m.shape}]`);
  if (m.dtype === 'float32' && backendHasKernels(AFFINE_INVERSE_KERNELS)) {
    return tf.engine().runKernel(AFFINE_INVERSE, { transform: m }) as tf.Tensor3D;
  }
  return invertTransformsComposite(m);
}

/** The same from stock tfjs ops (any backend); the reference the kernels are tested against. */
export function invertTransformsComposite(m: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [a, b, tx, c, d, ty] = affineEntries(m);
    const det = tf.sub(tf.mul(a, d), tf.mul(b, c));
    const ia = tf.div(d, det);
    const ib = tf.neg(tf.div(b, det));
    const ic = tf.neg(tf.div(c, det));
    const id = tf.div(a, det);
    const itx = tf.neg(tf.add(tf.mul(ia, tx), tf.mul(ib, ty)));
    const ity = tf.neg(tf.add(tf.mul(ic, tx), tf.mul(id, ty)));
    return affine(ia, ib, itx, ic, id, ity);
  });
}

/**
 * Applies transforms [B, 3, 3] to grid points [B or 1, H, W, 2]: returns [B, H, W, 2] with (x, y) ← M·(x, y, 1).
 * Uses galmorph's warp kernels (`src/backend/affineWarp.ts`) when the current backend has them, else
 * `warpGridComposite`; same values either way.
 */
export function warpGrid(grid: tf.Tensor4D, m: tf.Tensor3D): tf.Tensor4D {
  checkWarpInputs(grid, m);
  const fast = backendHasKernels(AFFINE_WARP_KERNELS);
  if (fast && grid.dtype === 'float32' && m.dtype === 'float32') {
    return tf.engine().runKernel(WARP_GRID, { grid, transform: m }) as tf.Tensor4D;
  }
  return warpGridComposite(grid, m);
}

function checkWarpInputs(grid: tf.Tensor4D, m: tf.Tensor3D): void {
  const batch = m.shape[0];
  if (m.rank !== 3 || m.shape[1] !== 3 || m.shape[2] !== 3) throw new Error(`warpGrid: transforms must be [B, 3, 3], got [${m.shape}]`);
  if (grid.rank !== 4 || grid.shape[3] !== 2) throw new Error(`warpGrid: grid must be [B, H, W, 2], got [${grid.shape}]`);
  if (grid.shape[0] !== 1 && grid.shape[0] !== batch) {
    throw new Error(`warpGrid: grid batch ${grid.shape[0]} must be 1 or equal the transform batch ${batch}`);
  }
}

// The warp kernel's gradient, one function per input, so a constant grid (every canonical grid) gets none.
if (tf.getGradient(WARP_GRID) === undefined) {
  tf.registerGradient({
    kernelName: WARP_GRID,
    inputsToSave: ['grid', 'transform'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [grid, transform] = saved;
      const upstream = dy as tf.Tensor;
      return {
        grid: () => tf.engine().runKernel(WARP_GRID_GRAD_GRID, { dy: upstream, transform }, { gridBatch: grid.shape[0] }) as tf.Tensor,
        transform: () => tf.engine().runKernel(WARP_GRID_GRAD_TRANSFORM, { dy: upstream, grid }, { batch: transform.shape[0] }) as tf.Tensor,
      };
    },
  });
}

/** `warpGrid` built from stock tfjs ops (any backend); the reference the warp kernels are tested against. */
export function warpGridComposite(grid: tf.Tensor4D, m: tf.Tensor3D): tf.Tensor4D {
  checkWarpInputs(grid, m);
  const batch = m.shape[0];
  return tf.tidy(() => {
    const [, h, w] = grid.shape;
    const [x, y] = tf.unstack(tf.reshape(grid, [grid.shape[0], h * w, 2]), 2);
    const column = (t: tf.Tensor1D) => tf.reshape(t, [batch, 1]);
    const [a, b, tx, c, d, ty] = affineEntries(m).map(column);
    const xNew = tf.add(tf.add(tf.mul(a, x), tf.mul(b, y)), tx);
    const yNew = tf.add(tf.add(tf.mul(c, x), tf.mul(d, y)), ty);
    return tf.reshape(tf.stack([xNew, yNew], 2), [batch, h, w, 2]) as tf.Tensor4D;
  });
}

function rotationScale(scale: tf.Tensor, angle: tf.Tensor1D): tf.Tensor3D {
  const cos = tf.mul(scale, tf.cos(angle));
  const sin = tf.mul(scale, tf.sin(angle));
  const zero = tf.zerosLike(angle);
  return affine(cos, tf.neg(sin), zero, sin, cos, zero);
}

/** [[a, b, tx], [c, d, ty], [0, 0, 1]] from six [B] tensors. */
function affine(a: tf.Tensor, b: tf.Tensor, tx: tf.Tensor, c: tf.Tensor, d: tf.Tensor, ty: tf.Tensor): tf.Tensor3D {
  const zero = tf.zerosLike(a);
  const one = tf.onesLike(a);
  return tf.reshape(tf.stack([a, b, tx, c, d, ty, zero, zero, one], 1), [a.shape[0], 3, 3]);
}

/** The top two rows [a, b, tx, c, d, ty], each [B]. */
function affineEntries(m: tf.Tensor3D): tf.Tensor1D[] {
  const top = tf.reshape(tf.slice(m, [0, 0, 0], [m.shape[0], 2, 3]), [m.shape[0], 6]);
  return tf.unstack(top, 1) as tf.Tensor1D[];
}

if (tf.getGradient(AFFINE_INVERSE) === undefined) {
  tf.registerGradient({
    kernelName: AFFINE_INVERSE,
    outputsToSave: [true],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [inverse] = saved;
      return { transform: () => tf.engine().runKernel(AFFINE_INVERSE_GRAD, { dy: dy as tf.Tensor, inverse }) as tf.Tensor };
    },
  });
}
