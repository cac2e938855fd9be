/**
 * Resampling a batch of images by a batch of transforms: output pixel g (a point of an identity grid over the output
 * image) reads the input at M·g (bilinear, zeros outside). The content therefore appears transformed by M⁻¹; see
 * `transformMatrix.ts` for directions and `resample.ts` for the coordinate convention.
 */
import * as tf from '@tensorflow/tfjs';
import { bilinearSample } from './resample.js';
import { canonicalGrid, gridTensor } from './canonicalGrid.js';
import { warpGrid } from './transformMatrix.js';
import { OptionError } from '../util/errors.js';

export interface WarpImageOptions {
  /** Output [height, width]. @default the input's size */
  outputSize?: [number, number];
}

/** image [B, H, W, C], transform [B, 3, 3] → [B, outH, outW, C]. */
export function warpImage(image: tf.Tensor4D, transform: tf.Tensor3D, options: WarpImageOptions = {}): tf.Tensor4D {
  const size = options.outputSize ?? [image.shape[1], image.shape[2]];
  if (!Array.isArray(size) || size.length !== 2 || size.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new OptionError('outputSize', '[height, width] with integers ≥ 2', size);
  }
  const [height, width] = size;
  if (transform.shape[0] !== image.shape[0] || transform.shape[1] !== 3 || transform.shape[2] !== 3) {
    throw new Error(`warpImage: expected transforms [${image.shape[0]}, 3, 3] for ${image.shape[0]} images, got [${transform.shape}]`);
  }
  return tf.tidy(() => {
    const grid = gridTensor(canonicalGrid({ kind: 'identity', rows: height, cols: width }));
    return bilinearSample(image, warpGrid(grid, transform));
  });
}
