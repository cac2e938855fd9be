/** Central finite differences of a scalar function of one tensor, for gradient checks in tests. */
import * as tf from '@tensorflow/tfjs';

/** d f / d x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h for the listed flat indices (all by default). */
export function centralDifferences(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  h: number,
  indices: number[] = Array.from({ length: x.size }, (_, i) => i),
): number[] {
  const base = Float32Array.from(x.dataSync());
  const at = (values: Float32Array): number =>
    tf.tidy(() => f(tf.tensor(values, x.shape)).dataSync()[0]);
  return indices.map((i) => {
    const plus = base.slice();
    const minus = base.slice();
    plus[i] += h;
    minus[i] -= h;
    return (at(plus) - at(minus)) / (2 * h);
  });
}

/** max |a − b| / max(max |b|, floor). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
