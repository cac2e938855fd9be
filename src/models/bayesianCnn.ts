/**
 * A Bayesian CNN for Galaxy Zoo votes (Walmsley et al. 2019; zoobot): convolution blocks (each k×k conv, optional
 * BatchNorm, ReLU, then 2×2 max-pooling), pooling of the last feature map — 'mean' (global average) or 'flatten'
 * (keeps where in the image a feature is, e.g. how centrally concentrated the light is) —, a dense ReLU layer,
 * always-on MC dropout, optional further dense ReLU layers each followed by MC dropout (`headHidden`: the new head
 * a fine-tuned model puts on a pretrained encoder, bayesianCnnTransfer.ts), and a head (bayesianCnnHead.ts). Dropout stays on at prediction, so T stochastic passes
 * sample the approximate posterior. `headBias` sets the head's initial bias: for the Dirichlet head a negative bias
 * starts the concentrations α = 1 + 100·sigmoid(b) low (broad, well-spread predictions) instead of ≈ 51 per answer.
 *
 * Dropout sits after the deterministic convolution stack, so the T passes of a galaxy share one evaluation of the
 * convolutions (`features`) and differ only in the dense part (`passes`): T passes cost about one forward pass.
 * A pass is reproducible from (seed, pass index): the mask of pass t is drawn with seed `passSeed + t`.
 */
import * as tf from '@tensorflow/tfjs';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { OptionError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { ParamStore } from '../nn/params.js';
import { Conv2d } from '../nn/conv2d.js';
import { Dense } from '../nn/dense.js';
import { mcDropout } from '../nn/mcDropout.js';
import { DIHEDRAL_VIEWS, dihedralView } from '../nn/dihedralView.js';
import { BatchNorm } from '../nn/batchNorm.js';
import { createSchema, type Schema, type SchemaDef } from '../data/schema.js';
import { HEAD_KINDS, headPrediction, resolveHead, type HeadKind, type ResolvedHead } from './bayesianCnnHead.js';
import { DIRICHLET_FLOOR_DEFAULT, DIRICHLET_FLOOR_MIN } from '../losses/dirichletMultinomial.js';

export const BAYESIAN_CNN_KIND = 'bayesian-cnn';

/** Largest weight of a question's NLL in the loss (config.lossWeights). */
export const MAX_LOSS_WEIGHT = 1000;

export const POOLING_KINDS = ['mean', 'flatten'] as const;
export type PoolingKind = (typeof POOLING_KINDS)[number];

/** Layers `embedding` can read (see there). */
export const EMBEDDING_LAYERS = ['dense', 'pooled'] as const;
export type EmbeddingLayer = (typeof EMBEDDING_LAYERS)[number];

export interface BayesianCnnConfig {
  /** Decision tree the head's outputs follow (saved with the model). */
  schema: SchemaDef;
  /** Output head. @default 'dirichlet' */
  head: HeadKind;
  /** Binomial: the answer key (e.g. 'q1_smooth'); multinomial: the question key (e.g. 'q1'); dirichlet: null. @default null */
  target: string | null;
  /** Input side in pixels (square). @default 64 */
  imageSize: number;
  /** Input channels (1 grey, 3 RGB). @default 1 */
  channels: number;
  /** Filters of each convolution, grouped by block; a 2×2 max-pool follows each block. @default [[32, 32], [64, 64], [64]] */
  blocks: number[][];
  /** Convolution kernel side. @default 3 */
  kernel: number;
  /** BatchNorm after every convolution (batch statistics in training, running averages at prediction). @default false */
  batchNorm: boolean;
  /** How the last feature map becomes a vector: global average ('mean') or all positions ('flatten'). @default 'mean' */
  pooling: PoolingKind;
  /** Units of the dense layer before the head. @default 128 */
  denseUnits: number;
  /** MC-dropout rate before the head (always on). @default 0.5 */
  dropout: number;
  /** Units of further dense ReLU layers between the dense layer and the head, each followed by MC dropout. @default [] */
  headHidden: number[];
  /** Initial bias of every head logit (dirichlet: α starts at m + 100·sigmoid(headBias)). @default 0 */
  headBias: number;
  /**
   * Dirichlet head: the floor m of the concentrations α = m + 100·sigmoid(z). zoobot's 1 keeps every predicted
   * fraction above 1/Σα; a smaller floor lets rare answers be predicted near 0 (losses/dirichletMultinomial.ts).
   * Models saved before this option existed load with 1. @default 1
   */
  concentrationFloor: number;
  /**
   * Weight of each question's NLL in the training and validation loss, by question key; a question not named
   * weighs 1. Only the head's questions may be named. @default {}
   */
  lossWeights: Record<string, number>;
  /** Seed of the initial weights. @default 0 */
  seed: number;
}

export const BAYESIAN_CNN_DEFAULTS: Omit<BayesianCnnConfig, 'schema'> = {
  head: 'dirichlet',
  target: null,
  imageSize: 64,
  channels: 1,
  blocks: [[32, 32], [64, 64], [64]],
  kernel: 3,
  batchNorm: false,
  pooling: 'mean',
  denseUnits: 128,
  dropout: 0.5,
  headHidden: [],
  headBias: 0,
  concentrationFloor: DIRICHLET_FLOOR_DEFAULT,
  lossWeights: {},
  seed: 0,
};

const SPEC: Spec<BayesianCnnConfig> = {
  schema: (v, name) => {
    if (typeof v !== 'object' || v === null) throw new OptionError(name, 'a schema definition {name, questions}', v);
  },
  head: check.oneOf(HEAD_KINDS),
  target: (v, name) => {
    if (v !== null && (typeof v !== 'string' || v.length === 0)) throw new OptionError(name, 'null or an answer/question key', v);
  },
  imageSize: check.integer(4, 1024),
  channels: check.integer(1, 16),
  blocks: (v, name) => {
    if (!Array.isArray(v) || v.length === 0 || v.some((b) => !Array.isArray(b) || b.length === 0 || b.some((f) => !Number.isInteger(f) || f < 1))) {
      throw new OptionError(name, 'a non-empty list of non-empty filter lists, e.g. [[32, 32], [64, 64], [64]]', v);
    }
  },
  kernel: check.integer(1, 15),
  batchNorm: check.boolean(),
  pooling: check.oneOf(POOLING_KINDS),
  denseUnits: check.integer(1, 8192),
  dropout: check.number(0, 0.95),
  headHidden: (v, name) => {
    if (!Array.isArray(v) || v.some((u) => !Number.isInteger(u) || u < 1 || u > 8192)) throw new OptionError(name, 'a list of layer widths in [1, 8192], e.g. [64]', v);
  },
  headBias: check.number(-20, 20),
  concentrationFloor: check.number(DIRICHLET_FLOOR_MIN, 1),
  lossWeights: (v, name) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) ||
      Object.values(v).some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > MAX_LOSS_WEIGHT)) {
      throw new OptionError(name, `question keys with weights in [0, ${MAX_LOSS_WEIGHT}], e.g. {"q1": 3}`, v);
    }
  },
  seed: check.integer(0, 2 ** 32 - 1),
};

export function resolveBayesianCnnConfig(given: Partial<BayesianCnnConfig> & { schema: SchemaDef }): BayesianCnnConfig {
  const config = resolveOptions({ ...BAYESIAN_CNN_DEFAULTS, schema: given.schema }, SPEC, given);
  if (config.imageSize < 2 ** config.blocks.length) {
    throw new OptionError('imageSize', `at least ${2 ** config.blocks.length} pixels for ${config.blocks.length} pooling blocks`, config.imageSize);
  }
  return config;
}

export class BayesianCnn {
  readonly config: BayesianCnnConfig;
  readonly schema: Schema;
  readonly head: ResolvedHead;
  /** Weight of each of the head's questions in the loss (config.lossWeights, 1 where not named). */
  readonly questionWeights: number[];
  readonly params: ParamStore;
  private readonly convs: Conv2d[][];
  private readonly norms: (BatchNorm | null)[][];
  private readonly dense: Dense;
  private readonly hidden: Dense[];
  private readonly output: Dense;

  constructor(given: Partial<BayesianCnnConfig> & { schema: SchemaDef }) {
    this.config = resolveBayesianCnnConfig(given);
    this.schema = createSchema(this.config.schema);
    this.head = resolveHead({ kind: this.config.head, target: this.config.target, concentrationFloor: this.config.concentrationFloor }, this.schema);
    const unknown = Object.keys(this.config.lossWeights).filter((k) => !this.head.questionKeys.includes(k));
    if (unknown.length > 0) {
      throw new OptionError('lossWeights', `weights for the head's questions only (${this.head.questionKeys.join(', ')})`, unknown.join(', '));
    }
    this.questionWeights = this.head.questionKeys.map((k) => this.config.lossWeights[k] ?? 1);
    this.params = new ParamStore(this.config.seed);
    const root = this.params.scope('bayesianCnn');
    let channels = this.config.channels;
    this.convs = this.config.blocks.map((filters, b) =>
      filters.map((f, c) => {
        const conv = new Conv2d(root.scope(`block${b + 1}`), `conv${c + 1}`, { inChannels: channels, filters: f, kernel: this.config.kernel });
        channels = f;
        return conv;
      }),
    );
    this.norms = this.config.blocks.map((filters, b) =>
      filters.map((f, c) => (this.config.batchNorm ? new BatchNorm(root.scope(`block${b + 1}`), `norm${c + 1}`, { channels: f }) : null)));
    const side = this.config.blocks.reduce((s) => Math.ceil(s / 2), this.config.imageSize);
    const features = this.config.pooling === 'flatten' ? side * side * channels : channels;
    this.dense = new Dense(root, 'dense', { inFeatures: features, units: this.config.denseUnits, init: 'heNormal' });
    let width = this.config.denseUnits;
    this.hidden = this.config.headHidden.map((units, j) => {
      const layer = new Dense(root, `hidden${j + 1}`, { inFeatures: width, units, init: 'heNormal' });
      width = units;
      return layer;
    });
    this.output = new Dense(root, 'head', { inFeatures: width, units: this.head.outputs });
    if (this.config.headBias !== 0 && this.output.bias !== null) {
      const bias = this.output.bias;
      tf.tidy(() => bias.assign(tf.fill(bias.shape, this.config.headBias)));
    }
  }

  /**
   * Deterministic part: images [B, H, W, C] → pooled features [B, F]. `training` normalises with the batch's
   * statistics (and updates the running ones) when the model has BatchNorm; otherwise it changes nothing.
   */
  features(images: tf.Tensor4D, training = false): tf.Tensor2D {
    const { imageSize, channels } = this.config;
    const [, h, w, c] = images.shape;
    if (h !== imageSize || w !== imageSize || c !== channels) {
      throw new OptionError('images', `a batch of ${imageSize}×${imageSize}×${channels} images (the model's input)`, `[${images.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let x: tf.Tensor4D = images;
      this.convs.forEach((block, b) => {
        block.forEach((conv, c) => {
          const norm = this.norms[b][c];
          const y = conv.apply(x);
          x = tf.relu(norm === null ? y : norm.apply(y, training));
        });
        x = tf.maxPool(x, 2, 2, 'same');
      });
      return (this.config.pooling === 'flatten' ? tf.reshape(x, [x.shape[0], -1]) : tf.mean(x, [1, 2])) as tf.Tensor2D;
    });
  }

  /**
   * Stochastic part: features [B, F] → raw logits [B, outputs], with the dropout masks drawn from `seed` (the mask
   * after hidden layer j from a seed derived from (`seed`, j)).
   */
  logitsFromFeatures(features: tf.Tensor2D, seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      let x = mcDropout(tf.relu(this.dense.apply(features)), this.config.dropout, seed);
      this.hidden.forEach((layer, j) => {
        x = mcDropout(tf.relu(layer.apply(x)), this.config.dropout, Rng.derive(seed, 'hidden', j).nextUint32());
      });
      return this.output.apply(x);
    });
  }

  /**
   * A deterministic representation of each galaxy for the representation tools (`galmorph embed`), no dropout:
   * 'dense' — the dense ReLU layer's activations [B, denseUnits], the layer the shipped models' head reads;
   * 'pooled' — the last convolution block's ReLU maps averaged over positions [B, channels] (equal to `features`
   * for pooling 'mean'; for 'flatten' the flattened maps are averaged back over their side × side positions).
   */
  embedding(images: tf.Tensor4D, layer: EmbeddingLayer): tf.Tensor2D {
    return tf.tidy(() => {
      const features = this.features(images);
      if (layer === 'dense') return tf.relu(this.dense.apply(features));
      if (this.config.pooling === 'mean') return features;
      const channels = this.config.blocks[this.config.blocks.length - 1].at(-1) as number;
      return tf.mean(tf.reshape(features, [features.shape[0], -1, channels]), 1) as tf.Tensor2D;
    });
  }

  /** One stochastic pass: images → raw logits [B, outputs] (`training` as in `features`). */
  logits(images: tf.Tensor4D, seed: number, training = false): tf.Tensor2D {
    return tf.tidy(() => this.logitsFromFeatures(this.features(images, training), seed));
  }

  /**
   * T stochastic passes: images → head predictions [B, T, width] (ρ, probabilities or concentrations, see
   * bayesianCnnHead.ts); pass t uses the dropout seed `passSeed + t`. With `views` > 1 (test-time augmentation),
   * pass t sees the dihedral view t mod `views` of the images (nn/dihedralView.ts), so the passes average over
   * orientations as well as dropout masks; the convolutions run once per view used.
   */
  passes(images: tf.Tensor4D, passes: number, passSeed: number, views = 1): tf.Tensor3D {
    if (!Number.isInteger(passes) || passes < 1) throw new OptionError('passes', 'an integer ≥ 1', passes);
    if (!Number.isInteger(views) || views < 1 || views > DIHEDRAL_VIEWS) throw new OptionError('views', `an integer in [1, ${DIHEDRAL_VIEWS}]`, views);
    return tf.tidy(() => tf.stack(this.passesFromFeatures(this.viewFeatures(images, Math.min(views, passes)), passes, passSeed), 1) as tf.Tensor3D);
  }

  /**
   * T stochastic passes from the features of V views (`viewFeatures`): pass t uses the features of view t mod V
   * and the dropout seed `passSeed + t`; head predictions [B, width] per pass.
   */
  passesFromFeatures(features: readonly tf.Tensor2D[], passes: number, passSeed: number): tf.Tensor2D[] {
    return Array.from({ length: passes }, (_, t) =>
      tf.tidy(() => headPrediction(this.head, this.logitsFromFeatures(features[t % features.length], passSeed + t))));
  }

  /** Features of the first `views` dihedral views of the images (view 0 is the images themselves). */
  viewFeatures(images: tf.Tensor4D, views: number): tf.Tensor2D[] {
    return Array.from({ length: views }, (_, k) => tf.tidy(() => this.features(k === 0 ? images : dihedralView(images, k))));
  }

  dispose(): void {
    this.params.dispose();
  }
}
