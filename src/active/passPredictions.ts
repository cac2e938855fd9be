/**
 * MC-dropout predictions arrive as tensors or nested arrays shaped [T passes, B galaxies, …]. These helpers turn
 * them into plain nested arrays once (and check their shape) so the float64 code in this folder can index them.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors.js';

export type PassArray2D = tf.Tensor2D | readonly (readonly number[])[];
export type PassArray3D = tf.Tensor3D | readonly (readonly (readonly number[])[])[];

/** [T, B] → number[][], checking every pass has the same number of galaxies. */
export function passesByGalaxy(values: PassArray2D, caller: string): number[][] {
  const rows = values instanceof tf.Tensor ? (values.arraySync() as number[][]) : values.map((r) => [...r]);
  if (rows.length === 0) throw new InputError(`${caller}: no MC-dropout passes given (expected shape [T, B])`);
  rows.forEach((r, t) => {
    if (r.length !== rows[0].length) {
      throw new InputError(`${caller}: pass ${t} has ${r.length} galaxies, pass 0 has ${rows[0].length}`);
    }
  });
  return rows;
}

/** [T, B, A] → number[][][], checking the shape is rectangular. */
export function passesByGalaxyByAnswer(values: PassArray3D, caller: string): number[][][] {
  const cube = values instanceof tf.Tensor ? (values.arraySync() as number[][][]) : values.map((p) => p.map((g) => [...g]));
  if (cube.length === 0 || cube[0].length === 0) {
    throw new InputError(`${caller}: empty predictions (expected shape [T passes, B galaxies, A answers])`);
  }
  const answers = cube[0][0].length;
  cube.forEach((pass, t) => {
    if (pass.length !== cube[0].length || pass.some((g) => g.length !== answers)) {
      throw new InputError(
        `${caller}: pass ${t} is not [${cube[0].length} galaxies, ${answers} answers] like pass 0 (expected shape [T, B, A])`,
      );
    }
  });
  return cube;
}
