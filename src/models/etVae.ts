/**
 * The ET-VAE (Nishikawa-Toomey, Smith & Gal 2020): an Equivariant Transformer stack estimates each galaxy's pose;
 * the image resampled into its canonical pose feeds a convolutional encoder whose "split" features give both a
 * Gaussian latent (→ decoder → canonical view, rendered back to the observed pose by the inverse transform) and a
 * classifier over one question's answers. The model returns predictions; the ELBO and vote likelihood are
 * computed in `src/train/regimes/etVaeObjective.ts`.
 *
 * Parameter scopes (used to choose what a regime trains): et, encoder, latent, decoder, classifier.
 */
import * as tf from '@tensorflow/tfjs';
import { ET_GROUPS, ETStack, type ETStackOutput, type EtGroup } from '../nn/equivariantTransformer.js';
import { ParamStore } from '../nn/params.js';
import { PIXEL_LIKELIHOODS, type PixelLikelihood } from '../losses/pixelLikelihood.js';
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Check, type Spec } from '../util/options.js';
import { CanonicalDecoder, DECODER_UPSAMPLINGS } from './canonicalDecoder.js';
import { GaussianLatent, type LatentPosterior } from './gaussianLatent.js';
import { MorphologyClassifier } from './morphologyClassifier.js';
import { SPLIT_CHANNELS, SPLIT_ENCODER_BLOCKS, SplitEncoder, splitSide } from './splitEncoder.js';
import { normaliseInput, type InputNormalisation } from './inputNormalisation.js';

export interface EtVaeOptions extends InputNormalisation {
  /** Side of the square input in pixels (a multiple of 16). @default 64 */
  imageSize: number;
  /** Image channels. @default 1 */
  channels: number;
  /** Answers of the question the classifier predicts. @default 3 */
  answers: number;
  /** Equivariant Transformer groups, applied in order. @default ['translation', 'rotation'] */
  groups: EtGroup[];
  /** Pose-CNN filters. @default 32 */
  poseFilters: number;
  /** Pose-CNN and readout kernel (odd). @default 5 */
  poseKernel: number;
  /**
   * Side of the canonical grids the pose CNNs read (a multiple of 4); null reads them at the image size (the paper).
   * A smaller grid makes pose estimation cheaper; the canonical view is always resampled at full size. @default null
   */
  poseGridSize: number | null;
  /** Latent dimensions. @default 100 */
  latentDim: number;
  /** Channels of the decoder's residual blocks. @default 16 */
  decoderChannels: number;
  /** Pixel likelihood of the reconstruction. @default { kind: 'bernoulli' } */
  likelihood: PixelLikelihood;
  /** Classifier dropout rate. @default 0.2 */
  dropout: number;
  /** Prior standard deviation of the translation parameters (normalised image units). @default 1 */
  translationPriorStd: number;
  /** von Mises concentration of the rotation-angle prior (mean 0). @default 0.01 */
  angleConcentration: number;
  /** Prior standard deviation of log-scale parameters. @default 1 */
  logScalePriorStd: number;
  /** Seed of the initial weights. @default 0 */
  seed: number;
}

export const ET_VAE_DEFAULTS: EtVaeOptions = {
  imageSize: 64,
  channels: 1,
  answers: 3,
  groups: ['translation', 'rotation'],
  poseFilters: 32,
  poseKernel: 5,
  poseGridSize: null,
  latentDim: 100,
  decoderChannels: 16,
  likelihood: { kind: 'bernoulli' },
  dropout: 0.2,
  inputMean: 0.222,
  inputStd: 0.156,
  translationPriorStd: 1,
  angleConcentration: 0.01,
  logScalePriorStd: 1,
  seed: 0,
};

const MIN_SIDE = 2 ** Math.max(SPLIT_ENCODER_BLOCKS.length, DECODER_UPSAMPLINGS);

export const checkImageSize: Check<number> = (v, name) => {
  if (!Number.isInteger(v) || v < MIN_SIDE || v % MIN_SIDE !== 0) {
    throw new OptionError(name, `a positive multiple of ${MIN_SIDE} (the encoder has four 2×2 pools)`, v);
  }
};

const checkLikelihood: Check<PixelLikelihood> = (v, name) => {
  if (typeof v !== 'object' || v === null || !PIXEL_LIKELIHOODS.includes(v.kind)) {
    throw new OptionError(name, `{ kind: ${PIXEL_LIKELIHOODS.join(' | ')} } (gaussian with sigma, laplace with scale)`, v);
  }
  if (v.kind === 'gaussian' && !(typeof v.sigma === 'number' && v.sigma > 0)) {
    throw new OptionError(`${name}.sigma`, 'a fixed number > 0 (learned σ is not supported by the ET-VAE)', v.sigma);
  }
  if (v.kind === 'laplace' && !(typeof v.scale === 'number' && v.scale > 0)) {
    throw new OptionError(`${name}.scale`, 'a number > 0', v.scale);
  }
};

const SPEC: Spec<EtVaeOptions> = {
  imageSize: checkImageSize,
  channels: check.integer(1, 16),
  answers: check.integer(2, 64),
  groups: (v, name) => {
    if (!Array.isArray(v) || v.length === 0 || v.some((g) => !ET_GROUPS.includes(g))) {
      throw new OptionError(name, `a non-empty list of ${ET_GROUPS.join(' | ')}`, v);
    }
  },
  poseFilters: check.integer(1, 512),
  poseKernel: (v, name) => {
    if (!Number.isInteger(v) || v < 1 || v % 2 === 0) throw new OptionError(name, 'an odd integer ≥ 1', v);
  },
  poseGridSize: (v, name) => {
    if (v !== null && !(Number.isInteger(v) && v >= 8 && v % 4 === 0)) throw new OptionError(name, 'null or a multiple of 4 that is at least 8', v);
  },
  latentDim: check.integer(1, 4096),
  decoderChannels: check.integer(1, 512),
  likelihood: checkLikelihood,
  dropout: check.number(0, 0.99),
  inputMean: check.number(),
  inputStd: check.number(1e-6),
  translationPriorStd: check.number(1e-6),
  angleConcentration: check.number(0),
  logScalePriorStd: check.number(1e-6),
  seed: check.integer(0, 2 ** 32 - 1),
};

export function resolveEtVaeOptions(given: Partial<EtVaeOptions> = {}): EtVaeOptions {
  return resolveOptions(ET_VAE_DEFAULTS, SPEC, given);
}

/** The pose, the canonical view and the encoder's split features of a batch. */
export type EtVaeEncoding = {
  pose: ETStackOutput;
  /** The input resampled into its canonical pose (pixels as given). */
  canonical: tf.Tensor4D;
  /** Split features [B, S/16, S/16, 16]. */
  split: tf.Tensor4D;
};

export type EtVaeReconstruction = {
  posterior: LatentPosterior;
  /** Decoder output in the canonical pose, pixels in (0, 1). */
  canonicalReconstruction: tf.Tensor4D;
  /** The same rendered back to the observed pose by the inverse transform. */
  reconstruction: tf.Tensor4D;
};

export class EtVae {
  readonly kind = 'et-vae' as const;
  readonly options: EtVaeOptions;
  readonly params: ParamStore;
  readonly et: ETStack;
  private readonly encoder: SplitEncoder;
  private readonly latent: GaussianLatent;
  private readonly decoder: CanonicalDecoder;
  private readonly classifier: MorphologyClassifier;

  constructor(options: Partial<EtVaeOptions> = {}) {
    this.options = resolveEtVaeOptions(options);
    const o = this.options;
    this.params = new ParamStore(o.seed);
    const root = this.params.scope('model');
    this.et = new ETStack(root, 'et', {
      inChannels: o.channels, groups: o.groups, nf: o.poseFilters, kernel: o.poseKernel,
      gridSize: o.poseGridSize === null ? null : [o.poseGridSize, o.poseGridSize],
    });
    this.encoder = new SplitEncoder(root, 'encoder', o.channels);
    const side = splitSide(o.imageSize);
    this.latent = new GaussianLatent(root, 'latent', side * side * SPLIT_CHANNELS, o.latentDim);
    this.decoder = new CanonicalDecoder(root, 'decoder', {
      latentDim: o.latentDim, imageSize: o.imageSize, channels: o.decoderChannels, outChannels: o.channels,
    });
    this.classifier = new MorphologyClassifier(root, 'classifier', { splitSide: side, answers: o.answers, dropout: o.dropout });
  }

  /** Pose, canonical view and split features of images [B, S, S, C] with pixels in [0, 1]. */
  encode(images: tf.Tensor4D, training: boolean): EtVaeEncoding {
    this.checkImages(images);
    return tf.tidy(() => {
      const pose = this.et.apply(images, training);
      // Canonicalise the raw pixels (zero padding = dark sky), then normalise for the encoder.
      const canonical = this.et.canonicalise(images, pose.transform);
      const split = this.encoder.apply(normaliseInput(canonical, this.options));
      return { pose, canonical, split };
    });
  }

  /** Answer logits [B, answers] from split features; dropout (seeded) only when training. */
  classify(split: tf.Tensor4D, training: boolean, seed: number): tf.Tensor2D {
    return this.classifier.apply(split, training, seed);
  }

  /**
   * Posterior, decoded canonical view and its rendering in the observed pose. With `sampleSeed` null the decoder
   * reads the posterior mean (evaluation); otherwise one reparameterised draw.
   */
  reconstruct(encoding: EtVaeEncoding, training: boolean, sampleSeed: number | null): EtVaeReconstruction {
    return tf.tidy(() => {
      const posterior = this.latent.apply(encoding.split);
      const z = sampleSeed === null ? posterior.mean : GaussianLatent.sample(posterior, sampleSeed);
      const canonicalReconstruction = this.decoder.apply(z, training);
      const reconstruction = this.et.renderObserved(canonicalReconstruction, encoding.pose.transform);
      return { posterior, canonicalReconstruction, reconstruction };
    });
  }

  /** Answer probabilities [B, answers] in evaluation mode. */
  predictProbabilities(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.classify(this.encode(images, false).split, false, 0)));
  }

  dispose(): void {
    this.params.dispose();
  }

  private checkImages(images: tf.Tensor4D): void {
    const { imageSize, channels } = this.options;
    const [, h, w, c] = images.shape;
    if (h !== imageSize || w !== imageSize || c !== channels) {
      throw new OptionError('images', `a batch of ${imageSize}×${imageSize}×${channels} images (the model's imageSize/channels)`, `${h}×${w}×${c}`);
    }
  }
}
