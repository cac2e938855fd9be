/**
 * The ET-VAE paper's classifier head on the split features (not on z): dropout 0.2 → conv 16→8 3×3 → ReLU →
 * flatten → dropout 0.2 → dense → one logit per answer of the question (softmax gives the vote fractions).
 * Dropout is on only in training (seeded), so evaluation is deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../nn/conv2d.js';
import { Dense } from '../nn/dense.js';
import type { ParamScope } from '../nn/params.js';
import { SPLIT_CHANNELS } from './splitEncoder.js';

export const CLASSIFIER_CONV_FILTERS = 8;

export class MorphologyClassifier {
  private readonly conv: Conv2d;
  private readonly dense: Dense;
  private readonly dropout: number;

  constructor(scope: ParamScope, name: string, opts: { splitSide: number; answers: number; dropout: number }) {
    const s = scope.scope(name);
    this.conv = new Conv2d(s, 'conv', { inChannels: SPLIT_CHANNELS, filters: CLASSIFIER_CONV_FILTERS, kernel: 3 });
    this.dense = new Dense(s, 'dense', { inFeatures: opts.splitSide * opts.splitSide * CLASSIFIER_CONV_FILTERS, units: opts.answers });
    this.dropout = opts.dropout;
  }

  /** split [B, s, s, 16] → logits [B, answers]. `seed` seeds the dropout masks when `training`. */
  apply(split: tf.Tensor4D, training: boolean, seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      const drop = <T extends tf.Tensor>(x: T, k: number): T =>
        training && this.dropout > 0 ? (tf.dropout(x, this.dropout, undefined, seed * 2 + k) as T) : x;
      const h = tf.relu(this.conv.apply(drop(split, 0)));
      const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
      return this.dense.apply(drop(flat, 1));
    });
  }
}
