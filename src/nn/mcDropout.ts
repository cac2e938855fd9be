/**
 * Monte-Carlo dropout: always on, in training AND at prediction, so T stochastic passes sample the approximate
 * posterior (Gal & Ghahramani). The mask is seeded, so a pass is reproducible from (seed, pass index).
 */
import * as tf from '@tensorflow/tfjs';

/** Dropout seeds are carried in float32 batch arrays, so they are kept below 2^24 (exact in float32). */
export const MAX_PASS_SEED = 2 ** 24 - 1024;

export function mcDropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (!(rate >= 0 && rate < 1)) throw new Error(`mcDropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
    return tf.mul(x, tf.mul(keep, 1 / (1 - rate))) as T;
  });
}
