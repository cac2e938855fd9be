/**
 * The ET-VAE paper's convolutional encoder up to its "split" features: 3×3 convolutions with ReLU,
 * [32, 32] max-pool, [32, 32] max-pool, [16] max-pool, [16] max-pool → [B, S/16, S/16, 16].
 * The classifier and the latent head both read these features; the plain CNN uses the same encoder.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../nn/conv2d.js';
import type { ParamScope } from '../nn/params.js';

/** Filters of each convolution, grouped into blocks that end with a 2×2 max-pool. */
export const SPLIT_ENCODER_BLOCKS: readonly (readonly number[])[] = [[32, 32], [32, 32], [16], [16]];

/** Side of the split features for an input of side `imageSize` (four 2×2 pools). */
export function splitSide(imageSize: number): number {
  return imageSize / 2 ** SPLIT_ENCODER_BLOCKS.length;
}

export const SPLIT_CHANNELS = 16;

export class SplitEncoder {
  private readonly blocks: Conv2d[][];

  constructor(scope: ParamScope, name: string, inChannels: number) {
    const s = scope.scope(name);
    let channels = inChannels;
    this.blocks = SPLIT_ENCODER_BLOCKS.map((filters, b) =>
      filters.map((f, c) => {
        const conv = new Conv2d(s, `block${b}_conv${c}`, { inChannels: channels, filters: f, kernel: 3 });
        channels = f;
        return conv;
      }),
    );
  }

  /** x [B, S, S, C] (already normalised) → split features [B, S/16, S/16, 16]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = x;
      for (const block of this.blocks) {
        for (const conv of block) h = tf.relu(conv.apply(h));
        h = tf.maxPool(h, 2, 2, 'valid');
      }
      return h;
    });
  }
}
