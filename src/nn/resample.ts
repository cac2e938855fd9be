/**
 * Differentiable bilinear sampling of a batch of images at arbitrary points, with zero padding outside the image.
 *
 * THE COORDINATE CONVENTION of every grid, transform and image warp in galmorph (defined here and only here):
 * a point is (x, y) in normalised coordinates, x along the width (columns, left → right) and y down the rows
 * (top → bottom), both in [−1, 1] over the image: column = (x + 1)/2 · (W − 1), row = (y + 1)/2 · (H − 1).
 * So (−1, −1) is the centre of the top-left pixel, (1, 1) the centre of the bottom-right one and (0, 0) the
 * image centre. Points outside the image read zeros (each of the four neighbours outside counts as 0).
 *
 * Gradients flow to the image and to the grid (hence to any transform parameters the grid was built from).
 *
 * Two implementations, the same values:
 * - galmorph's sampler kernels (`src/backend/bilinearSampler.ts`; wasm loops, or the oneDNN addon's C++ when built),
 *   used whenever the current backend has them. Their gradient is registered per input, so the engine builds the
 *   image gradient only when the image depends on what is being differentiated: the raw input that every pose layer
 *   and the canonicalisation read gets none, the decoder's output rendered back to the observed pose does.
 * - `bilinearSampleComposite`, made of stock tfjs ops, for every other backend (cpu, webgl, tfjs-node). tfjs has no
 *   stopGradient and GatherV2's gradient throws when its integer indices derive from a differentiable tensor, so the
 *   four neighbour values are fetched by one custom op whose forward pass computes the integer indices off the tape
 *   and whose gradient scatters into the image (and is zero for the corner positions); the bilinear weights are plain
 *   differentiable arithmetic on the grid. A customGrad computes all its gradients at once, so this one always
 *   builds the image gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import { BILINEAR_SAMPLE, BILINEAR_SAMPLE_GRAD_GRID, BILINEAR_SAMPLE_GRAD_IMAGE } from '../backend/bilinearSampler.js';

/** Column (or row) position in pixels of a normalised coordinate along an axis of `size` pixels. */
export function toPixel(coord: number, size: number): number {
  return ((coord + 1) / 2) * (size - 1);
}

/** Normalised coordinate of a pixel position along an axis of `size` pixels (inverse of `toPixel`). */
export function toNormalised(pixel: number, size: number): number {
  return (2 * pixel) / (size - 1) - 1;
}

/**
 * Samples `image` [B, H, W, C] at `grid` [B or 1, Ho, Wo, 2] ((x, y) per point, see the convention above):
 * returns [B, Ho, Wo, C]. A grid with batch 1 is shared by every image.
 * Uses galmorph's sampler kernels when the current backend has them, else `bilinearSampleComposite`.
 */
export function bilinearSample(image: tf.Tensor4D, grid: tf.Tensor4D): tf.Tensor4D {
  checkSamplerInputs(image, grid);
  if (hasSamplerKernels() && image.dtype === 'float32' && grid.dtype === 'float32') {
    return tf.engine().runKernel(BILINEAR_SAMPLE, { image, grid }) as tf.Tensor4D;
  }
  return bilinearSampleComposite(image, grid);
}

/** Whether the current backend has galmorph's sampler kernels (wasm: always once galmorph's kernels are registered). */
export function hasSamplerKernels(): boolean {
  return backendHasKernels([BILINEAR_SAMPLE, BILINEAR_SAMPLE_GRAD_GRID, BILINEAR_SAMPLE_GRAD_IMAGE]);
}

function checkSamplerInputs(image: tf.Tensor4D, grid: tf.Tensor4D): void {
  const [batch, height, width] = image.shape;
  if (image.rank !== 4) throw new Error(`bilinearSample: image must have shape [B, H, W, C], got [${image.shape}]`);
  if (grid.rank !== 4 || grid.shape[3] !== 2) {
    throw new Error(`bilinearSample: grid must have shape [B, Ho, Wo, 2], got [${grid.shape}]`);
  }
  if (grid.shape[0] !== batch && grid.shape[0] !== 1) {
    throw new Error(`bilinearSample: grid batch ${grid.shape[0]} must be 1 or equal the image batch ${batch}`);
  }
  if (height < 2 || width < 2) {
    throw new Error(`bilinearSample: the image must be at least 2×2 pixels, got ${height}×${width}`);
  }
}

// The sampler kernel's gradient, one function per input: the engine calls only those of inputs that depend on the
// tensors being differentiated (tfjs's tape prunes the others), which is what skips a constant image's gradient.
if (tf.getGradient(BILINEAR_SAMPLE) === undefined) {
  tf.registerGradient({
    kernelName: BILINEAR_SAMPLE,
    inputsToSave: ['image', 'grid'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [image, grid] = saved;
      const upstream = dy as tf.Tensor;
      return {
        image: () => tf.engine().runKernel(BILINEAR_SAMPLE_GRAD_IMAGE, { dy: upstream, grid }, { imageShape: image.shape }) as tf.Tensor,
        grid: () => tf.engine().runKernel(BILINEAR_SAMPLE_GRAD_GRID, { dy: upstream, image, grid }) as tf.Tensor,
      };
    },
  });
}

/**
 * The same sampling built from stock tfjs ops (any backend). Also the reference the sampler kernels are tested
 * against.
 */
export function bilinearSampleComposite(image: tf.Tensor4D, grid: tf.Tensor4D): tf.Tensor4D {
  checkSamplerInputs(image, grid);
  const [, height, width] = image.shape;
  return tf.tidy(() => {
    const [gx, gy] = tf.unstack(grid, 3) as [tf.Tensor3D, tf.Tensor3D];
    const px = tf.mul(tf.add(gx, 1), (width - 1) / 2);
    const py = tf.mul(tf.add(gy, 1), (height - 1) / 2);
    const x0 = tf.floor(px);
    const y0 = tf.floor(py);
    const fx = tf.sub(px, x0);
    const fy = tf.sub(py, y0);
    const gx0 = tf.sub(1, fx);
    const gy0 = tf.sub(1, fy);
    // Corner order: (x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1) — as in `neighbourValues`.
    const weights = tf.stack([tf.mul(gx0, gy0), tf.mul(fx, gy0), tf.mul(gx0, fy), tf.mul(fx, fy)], 3);
    const values = neighbourValues(image, x0, y0) as tf.Tensor5D;
    return tf.sum(tf.mul(values, tf.expandDims(weights, 4)), 3) as tf.Tensor4D;
  });
}

/**
 * The four neighbours' values [B, Ho, Wo, 4, C] of the integer pixel positions (x0, y0) [B or 1, Ho, Wo] (floats
 * holding integers), zero for neighbours outside the image. Gradient: scattered into the image; zero for x0, y0.
 */
const neighbourValues = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [image, x0, y0, save] = args as [tf.Tensor4D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  const [batch, height, width, channels] = image.shape;
  const pixels = batch * height * width;
  const index = neighbourIndices(x0, y0, batch, height, width);
  // Row `pixels` of the table is the zero padding that out-of-image neighbours read.
  const table = tf.concat([tf.reshape(image, [pixels, channels]), tf.zeros([1, channels])], 0);
  save([index]);
  const x0Shape = x0.shape;
  const y0Shape = y0.shape;
  return {
    value: tf.gather(table, index),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const summed = tf.unsortedSegmentSum(tf.reshape(dy, [-1, channels]), tf.reshape(saved[0], [-1]), pixels + 1);
      const dImage = tf.reshape(tf.slice(summed, [0, 0], [pixels, channels]), [batch, height, width, channels]);
      return [dImage, tf.zeros(x0Shape), tf.zeros(y0Shape)];
    },
  };
});

/** Flat table rows [B, Ho, Wo, 4] of the four neighbours; `B·H·W` (the zero row) for those outside the image. */
function neighbourIndices(x0: tf.Tensor3D, y0: tf.Tensor3D, batch: number, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const int = (n: number) => tf.scalar(n, 'int32');
    const [, rows, cols] = x0.shape;
    const xi = tf.broadcastTo(tf.cast(x0, 'int32'), [batch, rows, cols]);
    const yi = tf.broadcastTo(tf.cast(y0, 'int32'), [batch, rows, cols]);
    const xi1 = tf.add(xi, int(1));
    const yi1 = tf.add(yi, int(1));
    const xs = tf.stack([xi, xi1, xi, xi1], 3);
    const ys = tf.stack([yi, yi, yi1, yi1], 3);
    const inside = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(xs, int(0)), tf.lessEqual(xs, int(width - 1))),
      tf.logicalAnd(tf.greaterEqual(ys, int(0)), tf.lessEqual(ys, int(height - 1))),
    );
    const imageOffset = tf.reshape(tf.range(0, batch * height * width, height * width, 'int32'), [batch, 1, 1, 1]);
    const flat = tf.add(tf.add(tf.mul(ys, int(width)), xs), imageOffset);
    return tf.where(inside, flat, tf.fill(flat.shape, batch * height * width, 'int32')) as tf.Tensor4D;
  });
}
