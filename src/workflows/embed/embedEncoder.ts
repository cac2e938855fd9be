/**
 * What `galmorph embed` turns each image into: the encoder of a trained Bayesian CNN ('trained'), the same
 * architecture with fresh random weights ('untrained', the baseline that shows what training added), or the
 * preprocessed pixels themselves, average-pooled to a small side ('pixels', the raw-pixel baseline). All three read
 * the images through the model's own preprocessing (crop, size, colour), so they see the same pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../../util/errors.js';
import { BayesianCnn, type EmbeddingLayer } from '../../models/bayesianCnn.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { resolveModelFolder } from '../../models/pretrained.js';
import { DIHEDRAL_VIEWS, dihedralView } from '../../nn/dihedralView.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { EmbeddingModelInfo } from '../../data/embeddingStore.js';

export const REPRESENTATIONS = ['trained', 'untrained', 'pixels'] as const;
export type Representation = (typeof REPRESENTATIONS)[number];

export interface Encoder {
  info: EmbeddingModelInfo;
  dimension: number;
  preprocessing: PreprocessOptions;
  /** A batch of preprocessed images (B × H × W × C, HWC floats) → B × dimension vectors, row-major. */
  embed(images: Float32Array, shape: [number, number, number, number]): Float32Array;
  dispose(): void;
}

export interface EncoderOptions {
  /** Model folder or shipped model name. */
  model: string;
  representation: Representation;
  layer: EmbeddingLayer;
  /** Side the pixels are average-pooled to ('pixels'). */
  pixelSize: number;
  /** Weight initialisation seed ('untrained'). */
  seed: number;
  /**
   * Test-time augmentation ('trained' / 'untrained'): the vector is the mean of the layer over the 8 rotations/mirrors
   * of each image (nn/dihedralView.ts), so it no longer depends on the galaxy's orientation. Absent = false (stores
   * made before the option).
   */
  tta?: boolean;
}

const LAYER_TEXT: Record<EmbeddingLayer, string> = {
  dense: 'dense ReLU layer before the head (no dropout)',
  pooled: 'last convolution block averaged over positions',
};

export function openEncoder(o: EncoderOptions): Encoder {
  const loaded = loadBayesianCnn(o.model);
  const source = resolveModelFolder(o.model);
  const { preprocessing } = loaded;
  const representation: Representation = o.representation;
  switch (representation) {
    case 'trained':
    case 'untrained': {
      let model = loaded.model;
      if (representation === 'untrained') {
        model = new BayesianCnn({ ...loaded.model.config, seed: o.seed });
        loaded.model.dispose();
      }
      const probe = tf.tidy(() => model.embedding(tf.zeros([1, preprocessing.size, preprocessing.size, model.config.channels]), o.layer));
      const dimension = probe.shape[1];
      probe.dispose();
      const views = o.tta === true ? DIHEDRAL_VIEWS : 1;
      const layer = (x: tf.Tensor4D): tf.Tensor2D => views === 1 ? model.embedding(x, o.layer)
        : tf.addN(Array.from({ length: views }, (_, k) => model.embedding(k === 0 ? x : dihedralView(x, k), o.layer))).div(views);
      return {
        info: {
          name: representation === 'trained' ? o.model : `${o.model} (untrained, seed ${o.seed})`,
          kind: representation === 'trained' ? 'bayesian-cnn' : 'bayesian-cnn-untrained',
          source: representation === 'trained' ? source : '',
          layer: `${o.layer}: ${LAYER_TEXT[o.layer]}` + (views > 1 ? `, averaged over the ${views} rotations/mirrors` : ''),
        },
        dimension,
        preprocessing,
        embed(images, shape) {
          const out = tf.tidy(() => layer(tf.tensor4d(images, shape)));
          const values = out.dataSync() as Float32Array;
          out.dispose();
          return values;
        },
        dispose: () => model.dispose(),
      };
    }
    case 'pixels': {
      loaded.model.dispose();
      if (o.tta === true) throw new OptionError('tta', 'no --tta with --representation pixels (it averages a network\'s layer over orientations)', true);
      const { size } = preprocessing;
      if (o.pixelSize > size || size % o.pixelSize !== 0) {
        throw new OptionError('pixelSize', `a divisor of the model's image size ${size} (e.g. ${size / 2} or ${size / 4})`, o.pixelSize);
      }
      const factor = size / o.pixelSize;
      const channels = preprocessing.colour === 'grey' ? 1 : 3;
      return {
        info: { name: 'pixels', kind: 'raw-pixels', source: '', layer: `${o.model}'s preprocessed image average-pooled to ${o.pixelSize}×${o.pixelSize}×${channels}` },
        dimension: o.pixelSize * o.pixelSize * channels,
        preprocessing,
        embed(images, shape) {
          if (factor === 1) return images.slice();
          const out = tf.tidy(() => tf.avgPool(tf.tensor4d(images, shape), factor, factor, 'valid'));
          const values = out.dataSync() as Float32Array;
          out.dispose();
          return values;
        },
        dispose: () => undefined,
      };
    }
    default: {
      const never: never = representation;
      throw new OptionError('representation', REPRESENTATIONS.join(' | '), never);
    }
  }
}
