/**
 * lnΓ(x) as a differentiable TensorFlow.js op (tfjs has no lgamma), for x > 0.
 *
 * Method: shift the argument by 8 with the recurrence lnΓ(x) = lnΓ(x + 8) − Σ_{i=0..7} ln(x + i), then evaluate
 * the Stirling series at z = x + 8 ≥ 8:
 *   lnΓ(z) ≈ (z − ½) ln z − z + ½ ln 2π + 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷),
 * whose truncation error is below 1/(1188 z⁹) < 6e-12 for z ≥ 8. In float32 the result is then limited by
 * rounding: about 1e-6 relative where |lnΓ(x)| is not small, and about 1e-6 absolute near its zeros x = 1, 2.
 * Built only from elementwise tf ops, so tf autodiff gives ψ(x) (digamma) as the gradient.
 *
 * Inputs must be positive; values ≤ 0 give NaN (ln of a non-positive number), never a silent substitute.
 */
import * as tf from '@tensorflow/tfjs';

const SHIFT = 8;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** Elementwise lnΓ(x) for x > 0; differentiable (its gradient is the digamma function). */
export function lgamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let logProduct = tf.log(x);
    for (let i = 1; i < SHIFT; i++) logProduct = tf.add(logProduct, tf.log(tf.add(x, i)));
    const z = tf.add(x, SHIFT);
    const inverse = tf.reciprocal(z);
    const inverseSquared = tf.square(inverse);
    // 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷), in Horner form over 1/z².
    const series = tf.mul(
      inverse,
      tf.add(
        1 / 12,
        tf.mul(inverseSquared, tf.add(-1 / 360, tf.mul(inverseSquared, tf.add(1 / 1260, tf.mul(inverseSquared, -1 / 1680))))),
      ),
    );
    const stirling = tf.add(tf.sub(tf.mul(tf.sub(z, 0.5), tf.log(z)), z), tf.add(series, HALF_LOG_TWO_PI));
    return tf.sub(stirling, logProduct);
  });
}

/**
 * ln of the rising factorial, lnΓ(x + n) − lnΓ(x): exactly 0 where n = 0 (both terms are evaluated on equal
 * inputs), which is what lets count likelihoods vanish exactly for unanswered questions.
 */
export function logRisingFactorial(x: tf.Tensor, n: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(lgamma(tf.add(x, n)), lgamma(x)));
}
