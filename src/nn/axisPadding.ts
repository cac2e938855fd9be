/**
 * Padding along one axis, cyclic (wrap-around, for a periodic canonical coordinate such as an angle) or with zeros.
 * Used before 'valid' convolutions so a periodic axis is convolved as the circle it is.
 *
 * Two implementations, the same values and gradient: galmorph's kernels (`src/backend/axisPad.ts`, copy loops on
 * wasm) whenever the current backend has them, else `padAxisComposite` (slices + concat, or pad; any backend).
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import { PAD_AXIS, PAD_AXIS_GRAD, PAD_AXIS_KERNELS, paddedShape } from '../backend/axisPad.js';

export type AxisPadding = 'cyclic' | 'zeros';

/** Adds `before` entries in front of and `after` entries behind `axis`. Cyclic padding wraps the last/first ones. */
export function padAxis<T extends tf.Tensor>(x: T, axis: number, before: number, after: number, mode: AxisPadding): T {
  if (before === 0 && after === 0) return x;
  const attrs = { axis, before, after, cyclic: mode === 'cyclic' };
  paddedShape(x.shape, attrs);
  if (x.dtype === 'float32' && backendHasKernels(PAD_AXIS_KERNELS)) {
    return tf.engine().runKernel(PAD_AXIS, { x }, attrs) as T;
  }
  return padAxisComposite(x, axis, before, after, mode);
}

/** `padAxis` built from stock tfjs ops; the reference the kernels are tested against. */
export function padAxisComposite<T extends tf.Tensor>(x: T, axis: number, before: number, after: number, mode: AxisPadding): T {
  if (before === 0 && after === 0) return x;
  const n = x.shape[axis];
  paddedShape(x.shape, { axis, before, after, cyclic: mode === 'cyclic' });
  return tf.tidy(() => {
    if (mode === 'zeros') {
      const pads = x.shape.map((_, i): [number, number] => (i === axis ? [before, after] : [0, 0]));
      return tf.pad(x, pads);
    }
    const begin = x.shape.map(() => 0);
    const size = [...x.shape];
    const parts: tf.Tensor[] = [];
    if (before > 0) parts.push(tf.slice(x, replaced(begin, axis, n - before), replaced(size, axis, before)));
    parts.push(x);
    if (after > 0) parts.push(tf.slice(x, begin, replaced(size, axis, after)));
    return tf.concat(parts, axis);
  }) as T;
}

function replaced(values: number[], index: number, value: number): number[] {
  return values.map((v, i) => (i === index ? value : v));
}

if (tf.getGradient(PAD_AXIS) === undefined) {
  tf.registerGradient({
    kernelName: PAD_AXIS,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], _saved: tf.Tensor[], attrs: tf.NamedAttrMap) => ({
      x: () => tf.engine().runKernel(PAD_AXIS_GRAD, { dy: dy as tf.Tensor }, attrs) as tf.Tensor,
    }),
  });
}
