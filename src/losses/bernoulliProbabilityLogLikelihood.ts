/**
 * Bernoulli pixel log-likelihood from pixel probabilities p (e.g. a decoded image rendered by bilinear sampling),
 * clipped to [ε, 1 − ε] so the logs stay finite, per galaxy:
 *   Σ_pixels x·ln p′ + (1 − x)·ln(1 − p′),  p′ = clip(p, ε, 1 − ε)  (pixels x in [0, 1] act as soft targets).
 *
 * Two implementations, the same function and gradient: galmorph's kernels (`src/backend/bernoulliProbabilities.ts`: one
 * kernel forward, one for the gradient w.r.t. p, on wasm) whenever the current backend has them, else
 * `bernoulliLogLikelihoodFromProbabilitiesComposite` (the clipped probabilities turned into logits for
 * `bernoulliLogLikelihood`, any backend).
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import {
  BERNOULLI_PROB_LOG_LIK,
  BERNOULLI_PROB_LOG_LIK_GRAD,
  BERNOULLI_PROB_LOG_LIK_KERNELS,
  clipBounds,
} from '../backend/bernoulliProbabilities.js';
import { bernoulliLogLikelihood } from './bernoulliLogLikelihood.js';
import { requireSameShape } from './requireSameShape.js';

/**
 * @param target observed pixels [B, …] in [0, 1]
 * @param probabilities pixel probabilities, same shape
 * @param clip ε in (0, 0.5)
 * @returns log-likelihood [B]
 */
export function bernoulliLogLikelihoodFromProbabilities(target: tf.Tensor, probabilities: tf.Tensor, clip: number): tf.Tensor1D {
  requireSameShape('bernoulliLogLikelihoodFromProbabilities', 'target', target, 'probabilities', probabilities);
  clipBounds(clip);
  if (target.rank < 1) throw new Error('bernoulliLogLikelihoodFromProbabilities: expected tensors with a batch axis, got scalars');
  if (target.dtype === 'float32' && probabilities.dtype === 'float32' && backendHasKernels(BERNOULLI_PROB_LOG_LIK_KERNELS)) {
    return tf.engine().runKernel(BERNOULLI_PROB_LOG_LIK, { target, probabilities }, { clip }) as tf.Tensor1D;
  }
  return bernoulliLogLikelihoodFromProbabilitiesComposite(target, probabilities, clip);
}

/** The same from stock tfjs ops (any backend); the reference the kernels are tested against. */
export function bernoulliLogLikelihoodFromProbabilitiesComposite(target: tf.Tensor, probabilities: tf.Tensor, clip: number): tf.Tensor1D {
  return tf.tidy(() => {
    const p = tf.clipByValue(probabilities, clip, 1 - clip);
    return bernoulliLogLikelihood(target, tf.sub(tf.log(p), tf.log1p(tf.neg(p))));
  });
}

// Gradient per input: tfjs calls only the closures of inputs being differentiated, so a constant target costs nothing.
if (tf.getGradient(BERNOULLI_PROB_LOG_LIK) === undefined) {
  tf.registerGradient({
    kernelName: BERNOULLI_PROB_LOG_LIK,
    inputsToSave: ['target', 'probabilities'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [target, probabilities] = saved;
      const upstream = dy as tf.Tensor1D;
      const clip = (attrs as unknown as { clip: number }).clip;
      return {
        probabilities: () => tf.engine().runKernel(BERNOULLI_PROB_LOG_LIK_GRAD, { dy: upstream, target, probabilities }, attrs) as tf.Tensor,
        // ∂/∂x = dy_b·(ln p′ − ln(1 − p′)).
        target: () => tf.tidy(() => {
          const p = tf.clipByValue(probabilities, clip, 1 - clip);
          const perImage = tf.reshape(upstream, [upstream.shape[0], ...new Array<number>(target.rank - 1).fill(1)]);
          return tf.mul(perImage, tf.sub(tf.log(p), tf.log1p(tf.neg(p))));
        }),
      };
    },
  });
}
