/**
 * The affine pixel normalisation applied before the encoder: (x − mean) / std. The ET-VAE paper uses the GZ2
 * greyscale statistics mean 0.222, std 0.156. Saved with every model (it is part of the preprocessing).
 */
import * as tf from '@tensorflow/tfjs';

export interface InputNormalisation {
  /** Pixel mean subtracted before the encoder. @default 0.222 */
  inputMean: number;
  /** Pixel standard deviation divided by before the encoder. @default 0.156 */
  inputStd: number;
}

export function normaliseInput(images: tf.Tensor4D, n: InputNormalisation): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(images, n.inputMean), n.inputStd));
}
