/**
 * The maximum of a tensor along one axis (that axis removed), with tfjs's gradient of `tf.max`: dy at every entry
 * equal to the maximum. galmorph's kernels (`src/backend/maxAlongAxis.ts`, loops on wasm) when the current backend
 * has them, else `tf.max`.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import { MAX_ALONG_AXIS, MAX_ALONG_AXIS_GRAD, MAX_ALONG_AXIS_KERNELS } from '../backend/maxAlongAxis.js';

export function maxAlongAxis<R extends tf.Rank>(x: tf.Tensor, axis: number): tf.Tensor<R> {
  if (x.dtype === 'float32' && backendHasKernels(MAX_ALONG_AXIS_KERNELS)) {
    return tf.engine().runKernel(MAX_ALONG_AXIS, { x }, { axis }) as tf.Tensor<R>;
  }
  return tf.max(x, axis);
}

if (tf.getGradient(MAX_ALONG_AXIS) === undefined) {
  tf.registerGradient({
    kernelName: MAX_ALONG_AXIS,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, y] = saved;
      return { x: () => tf.engine().runKernel(MAX_ALONG_AXIS_GRAD, { dy: dy as tf.Tensor, x, y }, attrs) as tf.Tensor };
    },
  });
}
