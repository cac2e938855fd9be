/**
 * running·m + batch·(1 − m), the update of a batch norm's running statistics (no gradient: it is state). Uses
 * galmorph's kernel (`src/backend/movingAverage.ts`: one kernel call instead of three ops and the tape's copies of
 * their inputs) when the current backend has it, else `movingAverageComposite`; the same bits either way.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import { checkMomentum, MOVING_AVERAGE, MOVING_AVERAGE_KERNELS } from '../backend/movingAverage.js';

export function movingAverage<T extends tf.Tensor>(running: T, batch: tf.Tensor, momentum: number): T {
  checkMomentum(momentum);
  if (backendHasKernels(MOVING_AVERAGE_KERNELS) && running.dtype === 'float32' && batch.dtype === 'float32') {
    return tf.engine().runKernel(MOVING_AVERAGE, { running, batch }, { momentum }) as T;
  }
  return movingAverageComposite(running, batch, momentum);
}

/** The same from stock tfjs ops (any backend); the reference the kernel is tested against. */
export function movingAverageComposite<T extends tf.Tensor>(running: T, batch: tf.Tensor, momentum: number): T {
  return tf.tidy(() => tf.add(tf.mul(running, momentum), tf.mul(batch, 1 - momentum)) as T);
}
