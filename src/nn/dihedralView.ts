/**
 * The eight exact symmetries of a square image (the dihedral group D4: rotations by 0/90/180/270° and their
 * mirror images) as pixel permutations — no interpolation, so a view loses nothing. Used for test-time
 * augmentation: a galaxy's vote fractions do not depend on how the cutout is oriented, so predictions averaged
 * over the views of a model trained with flips and rotations are less noisy than those of one view.
 *
 * View k (0 ≤ k < 8): transpose the image when bit 2 is set, then mirror left–right when bit 0 is set and
 * top–bottom when bit 1 is set. View 0 is the image itself.
 */
import * as tf from '@tensorflow/tfjs';

export const DIHEDRAL_VIEWS = 8;

/** View `k` of a batch of square images [B, S, S, C]. */
export function dihedralView(images: tf.Tensor4D, k: number): tf.Tensor4D {
  if (!Number.isInteger(k) || k < 0 || k >= DIHEDRAL_VIEWS) throw new Error(`dihedralView: view must be an integer in [0, 7], got ${k}`);
  const [, h, w] = images.shape;
  if (h !== w) throw new Error(`dihedralView: images must be square, got ${h}×${w}`);
  return tf.tidy(() => {
    let x: tf.Tensor4D = (k & 4) !== 0 ? tf.transpose(images, [0, 2, 1, 3]) : images;
    if ((k & 1) !== 0) x = tf.reverse(x, 2);
    if ((k & 2) !== 0) x = tf.reverse(x, 1);
    return x === images ? tf.clone(images) : x;
  });
}
