/** Shape guard shared by the elementwise loss terms: names both arguments and both shapes in the message. */
import type * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors.js';

export function requireSameShape(caller: string, nameA: string, a: tf.Tensor, nameB: string, b: tf.Tensor): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new InputError(
      `${caller}: ${nameA} shape [${a.shape.join(', ')}] differs from ${nameB} shape [${b.shape.join(', ')}]`,
    );
  }
}
