/**
 * Whether the current tfjs backend has every one of the named kernels registered: how each op with a galmorph fast
 * kernel (wasm or native) chooses between `runKernel` and its stock-op composite.
 */
import * as tf from '@tensorflow/tfjs';

export function backendHasKernels(names: readonly string[]): boolean {
  const backend = tf.getBackend();
  return names.every((name) => tf.getKernel(name, backend) !== undefined);
}
