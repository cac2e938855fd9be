/**
 * AstroVaDEr as a `TrainTask` (built the same way in this thread and in data-parallel workers). Batches carry
 * `images` [S, S, C] in [0, 1]. Each step's objective follows the s3VDC schedule (vadeSchedule.ts) at that step:
 *   Rec = the per-image reconstruction term of z = μ̃ + σ̃·ε, summed over pixels (the references' mean × D) in the
 *         model's kind (losses/vadeReconstruction.ts: binary cross-entropy of logits, or squared error);
 *   warm-up:  Rec + γ·KL(q ‖ N(0, I));   annealing: Rec + β·latent;   static: Rec + latent,
 * with latent the mixture term of −ELBO (losses/vadeLatentTerm.ts) under the model's responsibilities. The loss is
 * the batch mean; metrics log Rec, the per-image sum of squared errors of the reconstructed image in [0, 1] (the same
 * yardstick whatever the kind: a black output scores Σx², the mean image Σ(x − x̄)²), the latent term (KL during
 * warm-up) and the weight.
 *
 * Prediction methods (`trainer.predict(name, batch)`): `embed` μ̃ [B, J], `responsibilities` γ [B, K],
 * `reconstruct` the decoded μ̃ [B, S, S, C].
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import { InputError } from '../util/errors.js';
import { gaussianKlToStandardNormal } from '../losses/gaussianKl.js';
import { vadeLatentTerm } from '../losses/vadeLatentTerm.js';
import { needsImageNoise, reconstructionImages, reconstructionTerm } from '../losses/vadeReconstruction.js';
import type { HostBatch } from '../data/hostBatch.js';
import type { StepOutput, TaskSpec, TrainTask } from './trainTask.js';
import { GaussianLatent } from './gaussianLatent.js';
import { Vade, type VadeConfig } from './vade.js';
import type { NoisyImages } from './vadeFrontEnd.js';
import { resolveVadeSchedule, scheduleAt, type VadeSchedule } from './vadeSchedule.js';

export interface VadeTaskOptions {
  model: Partial<VadeConfig>;
  schedule: VadeSchedule;
}

export class VadeTask implements TrainTask {
  readonly model: Vade;
  readonly schedule: VadeSchedule;

  constructor(options: VadeTaskOptions) {
    this.model = new Vade(options.model);
    this.schedule = resolveVadeSchedule(options.schedule);
  }

  get trainable(): tf.Variable[] {
    return this.model.params.trainable;
  }

  get state(): tf.Variable[] {
    return this.model.params.state;
  }

  step(batch: HostBatch, step: number, shard: number): StepOutput {
    const { reconstruction: kind, noiseFloor } = this.model.config;
    const { images, noise } = needsImageNoise(kind) ? vadeBatchImagesWithNoise(batch, this.model) : { images: vadeBatchImages(batch, this.model), noise: undefined };
    const posterior = this.model.encode(images);
    const seed = Rng.derive(this.model.config.seed, 'epsilon', step, shard).nextUint32() % 2 ** 30;
    const z = GaussianLatent.sample(posterior, seed);
    const output = this.model.decoderOutput(z);
    const rec = reconstructionTerm(kind, images, output, noise === undefined ? undefined : { sigma: noise, floor: noiseFloor });
    const squaredError = tf.tidy(() => tf.mean(tf.sum(tf.squaredDifference(reconstructionImages(kind, output), images), [1, 2, 3]))) as tf.Scalar;
    const { phase, weight } = scheduleAt(this.schedule, step);
    const latent = phase === 'warmup'
      ? gaussianKlToStandardNormal(posterior.mean, posterior.logVariance)
      : vadeLatentTerm(posterior.mean, posterior.logVariance, this.model.prior, this.model.responsibilities(posterior.mean),
        { varianceFloor: this.model.config.varianceFloor });
    const loss = tf.mean(tf.add(rec, tf.mul(weight, latent))) as tf.Scalar;
    return { loss, metrics: { reconstruction: tf.mean(rec) as tf.Scalar, squaredError, latent: tf.mean(latent) as tf.Scalar, weight: tf.scalar(weight) } };
  }

  embed(batch: HostBatch): tf.Tensor2D {
    const posterior = this.model.encode(vadeBatchImages(batch, this.model));
    tf.dispose([posterior.scale, posterior.logVariance]);
    return posterior.mean;
  }

  responsibilities(batch: HostBatch): tf.Tensor2D {
    return this.model.responsibilities(this.embed(batch));
  }

  reconstruct(batch: HostBatch): tf.Tensor4D {
    return this.model.decode(this.embed(batch));
  }

  dispose(): void {
    this.model.dispose();
  }
}

export function createTask(options: VadeTaskOptions): TrainTask {
  return new VadeTask(options);
}

/** The spec a trainer (or its workers) uses to build this task. */
export function vadeTaskSpec(options: VadeTaskOptions): TaskSpec {
  return { module: import.meta.url, options };
}

/**
 * The batch's `images` as [B, S, S, C] through the model's front end (what the encoder sees and the decoder draws),
 * refusing a batch of another image size or channel count.
 */
export function vadeBatchImages(batch: HostBatch, model: Vade): tf.Tensor4D {
  const raw = rawBatchImages(batch, model);
  const prepared = model.prepare(raw);
  raw.dispose();
  return prepared;
}

/** `vadeBatchImages` with each image's noise σ (model.prepareWithNoise), for a noise-aware reconstruction term. */
export function vadeBatchImagesWithNoise(batch: HostBatch, model: Vade): NoisyImages {
  const raw = rawBatchImages(batch, model);
  const prepared = model.prepareWithNoise(raw);
  raw.dispose();
  return prepared;
}

function rawBatchImages(batch: HostBatch, model: Vade): tf.Tensor4D {
  const { imageSize: s, channels: c } = model.config;
  const data = batch.arrays.images;
  if (data === undefined || data.length !== batch.size * s * s * c) {
    throw new InputError(`VaDE batch: "images" should hold ${batch.size} × [${s}, ${s}, ${c}] values, got ${data === undefined ? 'none' : data.length}`,
      {}, 'preprocess the images to the model\'s size and channels');
  }
  return tf.tensor4d(data, [batch.size, s, s, c]);
}
