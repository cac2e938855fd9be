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
    const stirling = tf.add(tf.sub(tf.mul(tf.sub(z, 0.5), tf.log(z)), z), tf.add(stirlingSeries(z), HALF_LOG_TWO_PI));
    return tf.sub(stirling, logProduct);
  });
}

/**
 * ln of the rising factorial, lnΓ(x + n) − lnΓ(x), for x > 0 and n ≥ 0, evaluated without forming the two large
 * lnΓ values (whose float32 rounding would dominate the difference for x ~ 100):
 *   with z = x + 8,  lnΓ(x + n) − lnΓ(x) = (z − ½) log1p(n/z) + n ln(z + n) − n + R(z + n) − R(z)
 *                                          − Σ_{i=0..7} log1p(n/(x + i)),
 * R being the Stirling correction series. Every term is exactly 0 where n = 0, which is what lets count
 * likelihoods vanish exactly for unanswered questions.
 */
export function logRisingFactorial(x: tf.Tensor, n: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let shiftLogs = tf.log1p(tf.div(n, x));
    for (let i = 1; i < SHIFT; i++) shiftLogs = tf.add(shiftLogs, tf.log1p(tf.div(n, tf.add(x, i))));
    const z = tf.add(x, SHIFT);
    const zn = tf.add(z, n);
    const main = tf.sub(tf.add(tf.mul(tf.sub(z, 0.5), tf.log1p(tf.div(n, z))), tf.mul(n, tf.log(zn))), n);
    const series = tf.sub(stirlingSeries(zn), stirlingSeries(z));
    return tf.sub(tf.add(main, series), shiftLogs);
  });
}

/** R(z) = 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷), in Horner form over 1/z². */
function stirlingSeries(z: tf.Tensor): tf.Tensor {
  const inverse = tf.reciprocal(z);
  const inverseSquared = tf.square(inverse);
  return tf.mul(
    inverse,
    tf.add(
      1 / 12,
      tf.mul(inverseSquared, tf.add(-1 / 360, tf.mul(inverseSquared, tf.add(1 / 1260, tf.mul(inverseSquared, -1 / 1680))))),
    ),
  );
}
