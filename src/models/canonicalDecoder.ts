/**
 * The ET-VAE decoder: z → dense → [S/8, S/8, C] → three upsampling residual blocks
 * (conv 3×3, ELU, BatchNorm, skip, nearest ×2) → conv 3×3 → sigmoid: the galaxy in its canonical pose, pixels in
 * (0, 1). The model renders it back to the observed pose with the inverse of the ET transform.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from '../nn/batchNorm.js';
import { Conv2d } from '../nn/conv2d.js';
import { Dense } from '../nn/dense.js';
import type { ParamScope } from '../nn/params.js';

export const DECODER_UPSAMPLINGS = 3;

interface UpBlock {
  conv: Conv2d;
  norm: BatchNorm;
}

export class CanonicalDecoder {
  private readonly dense: Dense;
  private readonly blocks: UpBlock[];
  private readonly output: Conv2d;
  private readonly startSide: number;
  private readonly channels: number;

  constructor(
    scope: ParamScope,
    name: string,
    opts: { latentDim: number; imageSize: number; channels: number; outChannels: number },
  ) {
    const s = scope.scope(name);
    this.startSide = opts.imageSize / 2 ** DECODER_UPSAMPLINGS;
    this.dense = new Dense(s, 'dense', { inFeatures: opts.latentDim, units: this.startSide * this.startSide * opts.channels });
    this.blocks = Array.from({ length: DECODER_UPSAMPLINGS }, (_, i) => ({
      conv: new Conv2d(s, `up${i}_conv`, { inChannels: opts.channels, filters: opts.channels, kernel: 3 }),
      norm: new BatchNorm(s, `up${i}_norm`, { channels: opts.channels }),
    }));
    this.output = new Conv2d(s, 'output', { inChannels: opts.channels, filters: opts.outChannels, kernel: 3, init: 'glorotUniform' });
    this.channels = opts.channels;
  }

  /** z [B, J] → canonical image [B, S, S, outChannels] in (0, 1). BatchNorm in eval mode unless `training`. */
  apply(z: tf.Tensor2D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const side = this.startSide;
      let h = tf.reshape(this.dense.apply(z), [z.shape[0], side, side, this.channels]) as tf.Tensor4D;
      for (const block of this.blocks) {
        const r = block.norm.apply(tf.elu(block.conv.apply(h)), training);
        const sum = tf.add(h, r) as tf.Tensor4D;
        h = tf.image.resizeNearestNeighbor(sum, [sum.shape[1] * 2, sum.shape[2] * 2]);
      }
      return tf.sigmoid(this.output.apply(h));
    });
  }
}
