/**
 * Padding along one axis, cyclic (wrap-around, for a periodic canonical coordinate such as an angle) or with zeros.
 * Used before 'valid' convolutions so a periodic axis is convolved as the circle it is.
 */
import * as tf from '@tensorflow/tfjs';

export type AxisPadding = 'cyclic' | 'zeros';

/** Adds `before` entries in front of and `after` entries behind `axis`. Cyclic padding wraps the last/first ones. */
export function padAxis<T extends tf.Tensor>(x: T, axis: number, before: number, after: number, mode: AxisPadding): T {
  if (before === 0 && after === 0) return x;
  const n = x.shape[axis];
  if (mode === 'cyclic' && (before > n || after > n)) {
    throw new Error(`padAxis: cyclic padding of ${Math.max(before, after)} exceeds the axis length ${n}`);
  }
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
