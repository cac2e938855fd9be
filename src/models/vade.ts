/**
 * AstroVaDEr (Spindler, Geach & Smith 2020): a convolutional VAE whose latent prior is a Gaussian mixture, so it
 * clusters galaxies without labels and generates galaxies per cluster (ALGORITHMS.md §6).
 *
 * - Encoder: three blocks of two same-padded convolutions (LeakyReLU 0.1) and a 2×2 max-pool, flattened, then a
 *   diagonal Gaussian q(z | x) = N(μ̃, σ̃²) (GaussianLatent: σ̃ = softplus + floor, so ln σ̃² never overflows).
 * - Decoder, mirrored: dense (LeakyReLU 0.1) → [S/8, S/8, f₃] → three blocks of two convolutions and a bilinear ×2
 *   up-sampling → a convolution whose output the reconstruction kind interprets (losses/vadeReconstruction.ts: a
 *   logit for 'bce', the intensity itself for 'mse'); `decode` returns images in [0, 1]. The up-sampling aligns
 *   corners (tfjs' wasm gradient of ResizeBilinear ignores half-pixel centres, so the forward pass uses a convention
 *   its gradient shares; aligned corners are also symmetric, so a flipped input up-samples to the flipped output).
 * - The GMM prior layer: π as softmax logits, means μ_k and ln σ²_k with σ²_k = floor + exp(ln σ²_k) — the guarded
 *   parameterisation of losses/vadeClusterGaussians.ts. The reference keeps π and σ² unconstrained and gets NaNs or
 *   weights that drift off the simplex; here π always sums to 1 and σ² never falls below the floor.
 * - Responsibilities γ with the s3VDC min-max scaling (losses/vadeResponsibilities.ts, λ = `responsibilityScale`).
 *
 * Parameter scopes: encoder/…, latent/…, decoder/…, prior/… (created last, so the prior's three arrays are the last
 * three trainable arrays; `PRIOR_ARRAYS`).
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../nn/conv2d.js';
import { Dense } from '../nn/dense.js';
import { ParamStore } from '../nn/params.js';
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { GaussianLatent, type LatentPosterior } from './gaussianLatent.js';
import { vadeResponsibilities } from '../losses/vadeResponsibilities.js';
import { clusterVariances, type VadeClusterParameters } from '../losses/vadeClusterGaussians.js';
import { needsImageNoise, reconstructionImages, VADE_RECONSTRUCTIONS, type VadeReconstruction } from '../losses/vadeReconstruction.js';
import { applyFrontEnd, applyFrontEndWithNoise, VADE_FRONT_ENDS, type NoisyImages, type VadeFrontEnd } from './vadeFrontEnd.js';

export const VADE_KIND = 'vade';

/** Convolution blocks of the encoder (each halves the side), mirrored by the decoder. */
export const VADE_BLOCKS = 3;
/** The GMM prior's arrays, in trainable order at the end of the model's trainables. */
export const PRIOR_ARRAYS = ['weightLogits', 'means', 'logVariances'] as const;
const LEAK = 0.1;

export interface VadeConfig {
  /** Side of the square grey input in pixels (a multiple of 8; AstroVaDEr: 128). @default 64 */
  imageSize: number;
  /** Image channels (1 grey, 3 RGB). @default 1 */
  channels: number;
  /** Filters of the three encoder blocks (the decoder uses them reversed). AstroVaDEr: [64, 64, 16]. @default [32, 32, 16] */
  filters: [number, number, number];
  /** Kernel sides of the three encoder blocks (decoder reversed). AstroVaDEr: [3, 5, 5]. @default [3, 5, 5] */
  kernels: [number, number, number];
  /** Latent dimensions J. @default 20 */
  latentDim: number;
  /** Mixture components K. @default 12 */
  clusters: number;
  /** λ of the min-max scaled responsibilities (s3VDC uses 20–50). @default 20 */
  responsibilityScale: number;
  /**
   * Floor added to exp(ln σ²_k), the least a cluster variance can be. With 1e-4, in 2 of 3 simulator runs one
   * component shrank to σ² ≈ 0.02 away from every galaxy and the assignments collapsed onto a broad one (README,
   * "Unsupervised clusters"); 0.1 (the latent is near unit scale after the KL warm-up) kept all three in use. @default 0.1
   */
  varianceFloor: number;
  /**
   * What the decoder's output means and the reconstruction term (losses/vadeReconstruction.ts): 'bce' (logits,
   * binary cross-entropy), 'mse' (linear intensities, squared error; AstroVaDEr's choice) or 'sigmoid-mse' (the
   * first version's, whose decoder collapses to black on dark-sky images) or 'gaussian-noise' (linear intensities,
   * a Gaussian likelihood with each image's own sky noise; the front end then keeps that noise unbiased). @default 'bce'
   */
  reconstruction: VadeReconstruction;
  /**
   * 'gaussian-noise' only: the decoder's own error, added in quadrature to each image's noise σ (the bce runs'
   * reconstructions miss by ≈ 0.05 a pixel, rms). @default 0.05
   */
  noiseFloor: number;
  /**
   * What the encoder sees (vadeFrontEnd.ts): 'none', the image as preprocessed; 'moments', each image canonicalised
   * in pose (centre, major axis horizontal, size) and brightness from its own second moments. The decoder models
   * what the encoder sees. @default 'none'
   */
  frontEnd: VadeFrontEnd;
  /** Seed of the initial weights. @default 0 */
  seed: number;
}

export const VADE_DEFAULTS: VadeConfig = {
  imageSize: 64,
  channels: 1,
  filters: [32, 32, 16],
  kernels: [3, 5, 5],
  latentDim: 20,
  clusters: 12,
  responsibilityScale: 20,
  varianceFloor: 0.1,
  reconstruction: 'bce',
  noiseFloor: 0.05,
  frontEnd: 'none',
  seed: 0,
};

const triple = (min: number, max: number, what: string) => (v: [number, number, number], name: string) => {
  if (!Array.isArray(v) || v.length !== 3 || v.some((x) => !Number.isInteger(x) || x < min || x > max)) {
    throw new OptionError(name, `three integers in [${min}, ${max}] (${what} of the three blocks)`, v);
  }
};

const SPEC: Spec<VadeConfig> = {
  imageSize: (v, name) => {
    if (!Number.isInteger(v) || v < 8 || v > 512 || v % 8 !== 0) throw new OptionError(name, 'a multiple of 8 in [8, 512] (three 2×2 pools)', v);
  },
  channels: check.integer(1, 4),
  filters: triple(1, 512, 'filters'),
  kernels: triple(1, 11, 'kernel sides'),
  latentDim: check.integer(1, 512),
  clusters: check.integer(1, 256),
  responsibilityScale: check.number(1, 80),
  varianceFloor: check.number(1e-8, 1),
  reconstruction: check.oneOf(VADE_RECONSTRUCTIONS),
  noiseFloor: check.number(1e-6, 1),
  frontEnd: check.oneOf(VADE_FRONT_ENDS),
  seed: check.integer(0, 2 ** 32 - 1),
};

export function resolveVadeConfig(given: Partial<VadeConfig> = {}): VadeConfig {
  const config = resolveOptions(VADE_DEFAULTS, SPEC, given);
  if (config.frontEnd === 'segmented' && needsImageNoise(config.reconstruction)) {
    throw new OptionError('frontEnd', `'none' or 'moments' with the ${config.reconstruction} reconstruction (the segmented front end fills the frame outside the galaxy with a noiseless sky, which one noise σ per image does not describe)`, config.frontEnd);
  }
  return config;
}

/** A Gaussian mixture as plain arrays: weights π [K] (summing to 1), means [K][J], variances [K][J]. */
export interface Mixture {
  weights: Float64Array;
  means: Float64Array[];
  variances: Float64Array[];
}

interface ConvPair {
  first: Conv2d;
  second: Conv2d;
}

export class Vade {
  readonly kind = VADE_KIND;
  readonly config: VadeConfig;
  readonly params: ParamStore;
  readonly prior: VadeClusterParameters;
  private readonly encoderBlocks: ConvPair[];
  private readonly latent: GaussianLatent;
  private readonly decoderDense: Dense;
  private readonly decoderBlocks: ConvPair[];
  private readonly output: Conv2d;
  private readonly bottomSide: number;

  constructor(given: Partial<VadeConfig> = {}) {
    this.config = resolveVadeConfig(given);
    const { imageSize, channels, filters, kernels, latentDim, clusters, seed } = this.config;
    this.params = new ParamStore(seed);
    const root = this.params.scope('vade');
    const encoder = root.scope('encoder');
    let inChannels = channels;
    this.encoderBlocks = filters.map((f, b) => {
      const pair = {
        first: new Conv2d(encoder, `block${b}_conv1`, { inChannels, filters: f, kernel: kernels[b] }),
        second: new Conv2d(encoder, `block${b}_conv2`, { inChannels: f, filters: f, kernel: kernels[b] }),
      };
      inChannels = f;
      return pair;
    });
    this.bottomSide = imageSize / 2 ** VADE_BLOCKS;
    const flat = this.bottomSide * this.bottomSide * filters[2];
    this.latent = new GaussianLatent(root, 'latent', flat, latentDim);
    const decoder = root.scope('decoder');
    this.decoderDense = new Dense(decoder, 'dense', { inFeatures: latentDim, units: flat, init: 'heNormal' });
    const reversed = [2, 1, 0];
    let decoderIn = filters[2];
    this.decoderBlocks = reversed.map((b, i) => {
      const pair = {
        first: new Conv2d(decoder, `block${i}_conv1`, { inChannels: decoderIn, filters: filters[b], kernel: kernels[b] }),
        second: new Conv2d(decoder, `block${i}_conv2`, { inChannels: filters[b], filters: filters[b], kernel: kernels[b] }),
      };
      decoderIn = filters[b];
      return pair;
    });
    this.output = new Conv2d(decoder, 'output', { inChannels: filters[0], filters: channels, kernel: kernels[0], init: 'glorotUniform' });
    const prior = root.scope('prior');
    this.prior = {
      weightLogits: prior.variable(PRIOR_ARRAYS[0], [clusters], 'zeros') as tf.Variable<tf.Rank.R1>,
      means: prior.variable(PRIOR_ARRAYS[1], [clusters, latentDim], 'glorotUniform') as tf.Variable<tf.Rank.R2>,
      logVariances: prior.variable(PRIOR_ARRAYS[2], [clusters, latentDim], 'zeros') as tf.Variable<tf.Rank.R2>,
    };
  }

  /**
   * Images [B, S, S, C] as the encoder sees them and the decoder draws them: through the front end (a new tensor; in
   * [0, 1], or with 'gaussian-noise' in [−1, 1] with the sky noise kept unbiased).
   */
  prepare(images: tf.Tensor4D): tf.Tensor4D {
    if (!needsImageNoise(this.config.reconstruction)) {
      this.checkImages(images);
      return applyFrontEnd(this.config.frontEnd, images);
    }
    const { images: prepared, noise } = this.prepareWithNoise(images);
    noise.dispose();
    return prepared;
  }

  /** `prepare` and each image's noise σ in the prepared images' units (what 'gaussian-noise' weighs pixels by). */
  prepareWithNoise(images: tf.Tensor4D): NoisyImages {
    this.checkImages(images);
    return applyFrontEndWithNoise(this.config.frontEnd, images);
  }

  /** q(z | x) of images [B, S, S, C] in [0, 1], already through the front end (`prepare`). */
  encode(images: tf.Tensor4D): LatentPosterior {
    this.checkImages(images);
    const features = tf.tidy(() => {
      let h: tf.Tensor4D = images;
      for (const block of this.encoderBlocks) {
        h = tf.leakyRelu(block.first.apply(h), LEAK);
        h = tf.leakyRelu(block.second.apply(h), LEAK);
        h = tf.maxPool(h, 2, 2, 'valid');
      }
      return h;
    });
    const posterior = this.latent.apply(features);
    features.dispose();
    return posterior;
  }

  /** Images [B, S, S, C] in [0, 1] from latent vectors [B, J]. */
  decode(z: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => reconstructionImages(this.config.reconstruction, this.decoderOutput(z)));
  }

  /** The decoder's raw output [B, S, S, C] (logits for 'bce', intensities for 'mse'): what the reconstruction term takes. */
  decoderOutput(z: tf.Tensor2D): tf.Tensor4D {
    if (z.rank !== 2 || z.shape[1] !== this.config.latentDim) {
      throw new OptionError('z', `latent vectors of shape [B, ${this.config.latentDim}]`, `shape [${z.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const side = this.bottomSide;
      let h = tf.reshape(tf.leakyRelu(this.decoderDense.apply(z), LEAK), [z.shape[0], side, side, this.config.filters[2]]) as tf.Tensor4D;
      for (const block of this.decoderBlocks) {
        h = tf.leakyRelu(block.first.apply(h), LEAK);
        h = tf.leakyRelu(block.second.apply(h), LEAK);
        h = tf.image.resizeBilinear(h, [h.shape[1] * 2, h.shape[2] * 2], true);
      }
      return this.output.apply(h);
    });
  }

  /** Min-max scaled cluster responsibilities γ [B, K] of latent means [B, J]. */
  responsibilities(latentMean: tf.Tensor2D): tf.Tensor2D {
    return vadeResponsibilities(latentMean, this.prior, { scale: this.config.responsibilityScale, varianceFloor: this.config.varianceFloor });
  }

  /** The mixture prior as plain arrays (π = softmax(logits), σ² = floor + exp(ln σ²)). */
  mixture(): Mixture {
    const read = (make: () => tf.Tensor): Float32Array => {
      const t = tf.tidy(make);
      const data = t.dataSync() as Float32Array;
      t.dispose();
      return data;
    };
    const weights = read(() => tf.softmax(this.prior.weightLogits));
    const means = this.prior.means.dataSync();
    const variances = read(() => clusterVariances(this.prior.logVariances, this.config.varianceFloor));
    const { clusters: k, latentDim: j } = this.config;
    const rows = (flat: ArrayLike<number>) => Array.from({ length: k }, (_, c) => Float64Array.from({ length: j }, (_, d) => flat[c * j + d]));
    return { weights: Float64Array.from(weights), means: rows(means), variances: rows(variances) };
  }

  dispose(): void {
    this.params.dispose();
  }

  private checkImages(images: tf.Tensor4D): void {
    const { imageSize, channels } = this.config;
    if (images.rank !== 4 || images.shape[1] !== imageSize || images.shape[2] !== imageSize || images.shape[3] !== channels) {
      throw new OptionError('images', `a batch of shape [B, ${imageSize}, ${imageSize}, ${channels}]`, `shape [${images.shape.join(', ')}]`);
    }
  }
}

/**
 * The prior's raw arrays (softmax logits ln π, means, ln(σ² − floor)) for a fitted mixture, in PRIOR_ARRAYS order:
 * what mini-batch GMM initialisation writes into a model. Variances at or below the floor become the floor plus a
 * tenth of it (ln of a positive number), weights of 0 become 1e-12 before the logarithm.
 */
export function mixtureToPriorArrays(mixture: Mixture, varianceFloor: number): [Float32Array, Float32Array, Float32Array] {
  const k = mixture.weights.length;
  const j = mixture.means[0]?.length ?? 0;
  if (mixture.means.length !== k || mixture.variances.length !== k || mixture.means.some((m, c) => m.length !== j || mixture.variances[c].length !== j)) {
    throw new OptionError('mixture', `weights [K], means [K][J] and variances [K][J] of one K and J`, `${k} weights, ${mixture.means.length} means, ${mixture.variances.length} variances`);
  }
  const logits = Float32Array.from(mixture.weights, (w) => Math.log(Math.max(w, 1e-12)));
  const means = new Float32Array(k * j);
  const logVariances = new Float32Array(k * j);
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < j; d++) {
      means[c * j + d] = mixture.means[c][d];
      logVariances[c * j + d] = Math.log(Math.max(mixture.variances[c][d] - varianceFloor, 0.1 * varianceFloor));
    }
  }
  return [logits, means, logVariances];
}
