/**
 * The maximum along one axis as two TensorFlow.js kernels (the op is `maxAlongAxis` in `src/nn/maxAlongAxis.ts`,
 * used by the pose readout): names and the host loops the wasm kernels run over heap views.
 *
 * - `GalmorphMaxAlongAxis` {x}, attrs {axis} → x's maximum along `axis` (that axis removed); NaN if any entry is NaN.
 * - `GalmorphMaxAlongAxisGrad` {dy, x, y}, attrs {axis} → dx = dy at every entry equal to the maximum, 0 elsewhere —
 *   tfjs's gradient of `tf.max` (ties each get the whole dy).
 *
 * Written as loops because tfjs's gradient of `tf.max` compares x with the broadcast maximum (a broadcasting Equal,
 * which wasm runs element by element with index arithmetic), casts the mask and multiplies it by the broadcast dy.
 */

export const MAX_ALONG_AXIS = 'GalmorphMaxAlongAxis';
export const MAX_ALONG_AXIS_GRAD = 'GalmorphMaxAlongAxisGrad';
export const MAX_ALONG_AXIS_KERNELS = [MAX_ALONG_AXIS, MAX_ALONG_AXIS_GRAD] as const;

/** Sizes of the axes before (outer), along (n) and after (inner) `axis`; throws on a bad axis or an empty axis. */
export function maxAxisGeometry(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  if (!(Number.isInteger(axis) && axis >= 0 && axis < shape.length)) throw new Error(`maxAlongAxis: axis ${axis} out of range for shape [${shape}]`);
  if (shape[axis] < 1) throw new Error(`maxAlongAxis: axis ${axis} of [${shape}] is empty`);
  const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  return { outer: prod(shape.slice(0, axis)), n: shape[axis], inner: prod(shape.slice(axis + 1)) };
}

export function reducedShape(shape: readonly number[], axis: number): number[] {
  return shape.filter((_, i) => i !== axis);
}

export function maxAlongAxisForward(xShape: readonly number[], axis: number, x: Float32Array, y: Float32Array): void {
  const { outer, n, inner } = maxAxisGeometry(xShape, axis);
  for (let o = 0; o < outer; o++) {
    const yBase = o * inner;
    y.set(x.subarray(o * n * inner, o * n * inner + inner), yBase);
    for (let j = 1; j < n; j++) {
      const xBase = (o * n + j) * inner;
      for (let k = 0; k < inner; k++) {
        const v = x[xBase + k];
        if (v > y[yBase + k] || Number.isNaN(v)) y[yBase + k] = v;
      }
    }
  }
}

export function maxAlongAxisBackward(
  xShape: readonly number[], axis: number, dy: Float32Array, x: Float32Array, y: Float32Array, dx: Float32Array,
): void {
  const { outer, n, inner } = maxAxisGeometry(xShape, axis);
  for (let o = 0; o < outer; o++) {
    const yBase = o * inner;
    for (let j = 0; j < n; j++) {
      const xBase = (o * n + j) * inner;
      for (let k = 0; k < inner; k++) dx[xBase + k] = x[xBase + k] === y[yBase + k] ? dy[yBase + k] : 0;
    }
  }
}
