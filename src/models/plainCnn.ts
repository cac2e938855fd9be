/**
 * The baseline without Equivariant Transformer layers: the same split encoder and classifier head as the ET-VAE,
 * reading the observed image directly. Parameter scopes: encoder, classifier.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamStore } from '../nn/params.js';
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { checkImageSize } from './etVae.js';
import { normaliseInput, type InputNormalisation } from './inputNormalisation.js';
import { MorphologyClassifier } from './morphologyClassifier.js';
import { SplitEncoder, splitSide } from './splitEncoder.js';

export interface PlainCnnOptions extends InputNormalisation {
  /** Side of the square input in pixels (a multiple of 16). @default 64 */
  imageSize: number;
  /** @default 1 */
  channels: number;
  /** Answers of the question. @default 3 */
  answers: number;
  /** Classifier dropout rate. @default 0.2 */
  dropout: number;
  /** Seed of the initial weights. @default 0 */
  seed: number;
}

export const PLAIN_CNN_DEFAULTS: PlainCnnOptions = {
  imageSize: 64, channels: 1, answers: 3, dropout: 0.2, inputMean: 0.222, inputStd: 0.156, seed: 0,
};

const SPEC: Spec<PlainCnnOptions> = {
  imageSize: checkImageSize,
  channels: check.integer(1, 16),
  answers: check.integer(2, 64),
  dropout: check.number(0, 0.99),
  inputMean: check.number(),
  inputStd: check.number(1e-6),
  seed: check.integer(0, 2 ** 32 - 1),
};

export class PlainCnn {
  readonly kind = 'plain-cnn' as const;
  readonly options: PlainCnnOptions;
  readonly params: ParamStore;
  private readonly encoder: SplitEncoder;
  private readonly classifier: MorphologyClassifier;

  constructor(options: Partial<PlainCnnOptions> = {}) {
    this.options = resolveOptions(PLAIN_CNN_DEFAULTS, SPEC, options);
    const o = this.options;
    this.params = new ParamStore(o.seed);
    const root = this.params.scope('model');
    this.encoder = new SplitEncoder(root, 'encoder', o.channels);
    this.classifier = new MorphologyClassifier(root, 'classifier', { splitSide: splitSide(o.imageSize), answers: o.answers, dropout: o.dropout });
  }

  /** Split features [B, S/16, S/16, 16] of images with pixels in [0, 1]. */
  encode(images: tf.Tensor4D): tf.Tensor4D {
    const { imageSize, channels } = this.options;
    const [, h, w, c] = images.shape;
    if (h !== imageSize || w !== imageSize || c !== channels) {
      throw new OptionError('images', `a batch of ${imageSize}×${imageSize}×${channels} images`, `${h}×${w}×${c}`);
    }
    return tf.tidy(() => this.encoder.apply(normaliseInput(images, this.options)));
  }

  classify(split: tf.Tensor4D, training: boolean, seed: number): tf.Tensor2D {
    return this.classifier.apply(split, training, seed);
  }

  predictProbabilities(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.classify(this.encode(images), false, 0)));
  }

  dispose(): void {
    this.params.dispose();
  }
}
