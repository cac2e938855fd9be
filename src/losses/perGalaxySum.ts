/** Sum over every axis but the first (the batch axis): [B, …] → [B]. */
import * as tf from '@tensorflow/tfjs';

export function perGalaxySum(values: tf.Tensor): tf.Tensor1D {
  if (values.rank === 0) throw new Error('perGalaxySum: expected a tensor with a batch axis, got a scalar');
  if (values.rank === 1) return tf.clone(values) as tf.Tensor1D;
  const axes = Array.from({ length: values.rank - 1 }, (_, i) => i + 1);
  return tf.sum(values, axes) as tf.Tensor1D;
}
