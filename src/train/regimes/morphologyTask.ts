/**
 * Every semi-supervised regime as a `TrainTask` the trainers run (in this thread or data-parallel workers):
 *
 * | objective        | loss per batch (mean over galaxies)                                   |
 * | supervised       | vote NLL (encoder + classifier; the decoder is never evaluated)       |
 * | vae              | −ELBO (unlabelled images)                                            |
 * | semi-supervised  | batch with counts: −ELBO + w·NLL; batch without counts: −ELBO        |
 *
 * `trainable` picks the parameter groups the optimiser owns (e.g. the classifier alone for M1); the others stay
 * at their initial values (from `init`, a checkpoint folder, when given). One optimiser owns every trainable
 * parameter, so in the alternating regime the encoder is stepped once per labelled batch (the reference stepped it
 * twice, through two optimisers).
 */
import * as tf from '@tensorflow/tfjs';
import { EtVae } from '../../models/etVae.js';
import { loadMorphologyModel } from '../../models/morphologyCheckpoint.js';
import { createMorphologyModel, MORPHOLOGY_MODEL_KINDS, type MorphologyModel, type MorphologyModelSpec } from '../../models/morphologyModel.js';
import { InputError, OptionError } from '../../util/errors.js';
import { check, resolveOptions, type Spec } from '../../util/options.js';
import { Rng } from '../../util/rng.js';
import type { HostBatch } from '../../data/hostBatch.js';
import type { StepOutput, TrainTask } from '../../models/trainTask.js';
import { elboTerms, voteNll } from './etVaeObjective.js';

export const OBJECTIVES = ['supervised', 'vae', 'semi-supervised'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const PARAM_GROUPS = ['et', 'encoder', 'latent', 'decoder', 'classifier'] as const;
export type ParamGroup = (typeof PARAM_GROUPS)[number];

export interface MorphologyTaskOptions {
  /** The model to build (kind + options, including its weight seed). */
  model: MorphologyModelSpec;
  /** @default 'supervised' */
  objective: Objective;
  /** Parameter groups the optimiser trains. @default ['et', 'encoder', 'classifier'] */
  trainable: ParamGroup[];
  /** Checkpoint folder whose weights the model starts from (same kind and options); null for fresh weights. @default null */
  init: string | null;
  /** Weight w of the vote NLL beside the −ELBO in the semi-supervised objective (the paper uses 1). @default 1 */
  classifierWeight: number;
  /** Seed of dropout masks and latent samples (with the step number). @default 0 */
  seed: number;
}

const DEFAULTS: MorphologyTaskOptions = {
  model: { kind: 'et-vae', options: {} },
  objective: 'supervised',
  trainable: ['et', 'encoder', 'classifier'],
  init: null,
  classifierWeight: 1,
  seed: 0,
};

const SPEC: Spec<MorphologyTaskOptions> = {
  model: (v, name) => {
    if (typeof v !== 'object' || v === null || !MORPHOLOGY_MODEL_KINDS.includes(v.kind)) {
      throw new OptionError(name, `{ kind: ${MORPHOLOGY_MODEL_KINDS.join(' | ')}, options }`, v);
    }
  },
  objective: check.oneOf(OBJECTIVES),
  trainable: (v, name) => {
    if (!Array.isArray(v) || v.length === 0 || v.some((g) => !PARAM_GROUPS.includes(g))) {
      throw new OptionError(name, `a non-empty list of ${PARAM_GROUPS.join(' | ')}`, v);
    }
  },
  init: (v, name) => {
    if (v !== null) check.string()(v, name);
  },
  classifierWeight: check.number(0),
  seed: check.integer(0, 2 ** 32 - 1),
};

export function resolveTaskOptions(given: Partial<MorphologyTaskOptions>): MorphologyTaskOptions {
  const o = resolveOptions(DEFAULTS, SPEC, given);
  if (o.objective !== 'supervised' && o.model.kind !== 'et-vae') {
    throw new OptionError('objective', `"supervised" for a ${o.model.kind} model (it has no decoder)`, o.objective);
  }
  return o;
}

/** The model of a task and its trainable variables (with their parameter names), built the same way everywhere. */
export interface TaskModel {
  model: MorphologyModel;
  trainable: tf.Variable[];
  trainableNames: string[];
  state: tf.Variable[];
}

/** Builds (and initialises from `init`) the model of a task; used by workers and by the main thread alike. */
export function buildTaskModel(options: MorphologyTaskOptions): TaskModel {
  let model: MorphologyModel;
  if (options.init !== null) {
    model = loadMorphologyModel(options.init).model;
    if (model.kind !== options.model.kind) {
      model.dispose();
      throw new OptionError('init', `a checkpoint of a ${options.model.kind} model`, `${options.init} (a ${model.kind})`);
    }
  } else {
    model = createMorphologyModel(options.model);
  }
  const prefixes = options.trainable.map((g) => `model/${g}`);
  const trainable = model.params.trainableUnder(...prefixes);
  if (trainable.length === 0) {
    model.dispose();
    throw new OptionError('trainable', `groups that exist in a ${options.model.kind} model`, options.trainable);
  }
  return { model, trainable, trainableNames: trainable.map(parameterName), state: model.params.state };
}

/** The ParamStore name of a variable (ParamStore names variables `<name>_<counter>`). */
function parameterName(v: tf.Variable): string {
  return v.name.replace(/_\d+$/, '');
}

export type MorphologyTask = TrainTask & {
  readonly model: MorphologyModel;
  readonly trainableNames: string[];
  /** Answer probabilities [B, A] in evaluation mode. */
  probabilities(batch: HostBatch): tf.Tensor2D;
  /** ET-VAE only: the input in its canonical pose [B, S, S, C]. */
  canonical(batch: HostBatch): tf.Tensor4D;
  /** ET-VAE only: the posterior-mean reconstruction rendered in the observed pose [B, S, S, C]. */
  reconstruction(batch: HostBatch): tf.Tensor4D;
  /** ET-VAE only: the decoded canonical view [B, S, S, C]. */
  canonicalReconstruction(batch: HostBatch): tf.Tensor4D;
};

export function imagesOf(batch: HostBatch): tf.Tensor4D {
  const shape = batch.shapes.images;
  if (shape === undefined || batch.arrays.images === undefined) throw new InputError('the batch has no "images" array');
  return tf.tensor4d(batch.arrays.images, [batch.size, shape[0], shape[1], shape[2]]);
}

function countsOf(batch: HostBatch): tf.Tensor2D {
  return tf.tensor2d(batch.arrays.counts, [batch.size, batch.shapes.counts[0]]);
}

function hasCounts(batch: HostBatch): boolean {
  return batch.arrays.counts !== undefined;
}

export function createTask(given: Partial<MorphologyTaskOptions>): MorphologyTask {
  const options = resolveTaskOptions(given);
  const { model, trainable, trainableNames, state } = buildTaskModel(options);
  const seedOf = (step: number, shard: number, what: string) => Rng.derive(options.seed, what, step, shard).nextUint32();
  const requireEtVae = (method: string): EtVae => {
    if (!(model instanceof EtVae)) throw new OptionError('method', `a method of a plain-cnn task (${method} needs the ET-VAE)`, method);
    return model;
  };

  const step = (batch: HostBatch, stepNumber: number, shard: number): StepOutput => {
    const images = imagesOf(batch);
    const labelled = hasCounts(batch);
    if (options.objective === 'supervised' && !labelled) {
      throw new InputError('a supervised step needs a batch with "counts" (vote counts of the question)');
    }
    const dropoutSeed = seedOf(stepNumber, shard, 'dropout');
    if (model instanceof EtVae) {
      const encoding = model.encode(images, true);
      const metrics: Record<string, tf.Scalar> = {};
      let loss: tf.Scalar | null = null;
      if (options.objective !== 'supervised') {
        const recon = model.reconstruct(encoding, true, seedOf(stepNumber, shard, 'latent'));
        const terms = elboTerms(model, images, encoding.pose.layers, recon);
        loss = tf.mean(terms.negativeElbo) as tf.Scalar;
        metrics.negativeElbo = loss;
        metrics.kl = tf.mean(terms.kl) as tf.Scalar;
        metrics.reconstruction = tf.neg(tf.mean(terms.reconstructionLogLikelihood)) as tf.Scalar;
      }
      if (labelled && options.objective !== 'vae') {
        const nll = tf.mean(voteNll(countsOf(batch), model.classify(encoding.split, true, dropoutSeed))) as tf.Scalar;
        metrics.nll = nll;
        loss = loss === null ? nll : (tf.add(loss, tf.mul(nll, options.classifierWeight)) as tf.Scalar);
      }
      if (loss === null) throw new InputError(`objective "${options.objective}" has nothing to learn from this batch`);
      return { loss, metrics };
    }
    const nll = tf.mean(voteNll(countsOf(batch), model.classify(model.encode(images), true, dropoutSeed))) as tf.Scalar;
    return { loss: nll, metrics: { nll } };
  };

  return {
    model,
    trainable,
    trainableNames,
    state,
    step,
    probabilities: (batch) => tf.tidy(() => model.predictProbabilities(imagesOf(batch))),
    canonical: (batch) => tf.tidy(() => requireEtVae('canonical').encode(imagesOf(batch), false).canonical),
    reconstruction: (batch) => tf.tidy(() => {
      const m = requireEtVae('reconstruction');
      return m.reconstruct(m.encode(imagesOf(batch), false), false, null).reconstruction;
    }),
    canonicalReconstruction: (batch) => tf.tidy(() => {
      const m = requireEtVae('canonicalReconstruction');
      return m.reconstruct(m.encode(imagesOf(batch), false), false, null).canonicalReconstruction;
    }),
    dispose: () => model.dispose(),
  };
}

/** The URL of this module, for `TaskSpec.module` (the .ts source under tsx/vitest, the .js build otherwise). */
export const MORPHOLOGY_TASK_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? './morphologyTask.ts' : './morphologyTask.js',
  import.meta.url,
).href;

