/**
 * The ET-VAE's training objective terms, per galaxy (the task reduces them):
 *   −ELBO = −log p(x | z, pose) + KL(q(z|x) ‖ N(0, I)) − log p(pose)
 * with the reconstruction rendered back to the observed pose, the pose a point estimate with priors
 * translation ~ N(0, s_t²), angle ~ von Mises(0, κ), log-scale ~ N(0, s_s²); and the vote term
 *   −log Multinomial(k; N, softmax(logits)) of the question's counts.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../../backend/backendHasKernels.js';
import type { EtLayerOutput } from '../../nn/equivariantTransformer.js';
import type { EtVae, EtVaeOptions, EtVaeReconstruction } from '../../models/etVae.js';
import { bernoulliLogLikelihoodFromProbabilities } from '../../losses/bernoulliProbabilityLogLikelihood.js';
import { gaussianKlToStandardNormal } from '../../losses/gaussianKl.js';
import { gaussianLogPrior } from '../../losses/gaussianLogPrior.js';
import { multinomialNll } from '../../losses/multinomial.js';
import { pixelLogLikelihood, type PixelLikelihood } from '../../losses/pixelLikelihood.js';
import { logBesselI0, vonMisesLogDensity } from '../../losses/vonMisesLogDensity.js';
import {
  POSE_LOG_PRIOR,
  POSE_LOG_PRIOR_GRAD,
  POSE_LOG_PRIOR_KERNELS,
  POSE_PRIOR_GAUSSIAN,
  POSE_PRIOR_VON_MISES,
  type PoseLogPriorAttrs,
} from '../../backend/posePrior.js';

/** Probabilities are clipped to [ε, 1 − ε] before turning the rendered reconstruction into Bernoulli logits. */
export const BERNOULLI_CLIP = 1e-6;

export type ElboTerms = {
  /** −ELBO per galaxy [B]. */
  negativeElbo: tf.Tensor1D;
  /** log p(x | reconstruction) [B]. */
  reconstructionLogLikelihood: tf.Tensor1D;
  /** KL(q(z|x) ‖ N(0, I)) [B]. */
  kl: tf.Tensor1D;
  /** log p(pose) summed over the ET layers [B]. */
  poseLogPrior: tf.Tensor1D;
};

type PosePriorOptions = Pick<EtVaeOptions, 'translationPriorStd' | 'angleConcentration' | 'logScalePriorStd'>;

/**
 * log p(pose) [B] of every layer's parameters under the model's pose priors. Uses galmorph's kernels
 * (`src/backend/posePrior.ts`: the parameters stacked into [B, k], one kernel each way) when the current backend has
 * them, else `poseLogPriorComposite`; the same function either way.
 */
export function poseLogPrior(layers: readonly EtLayerOutput[], o: PosePriorOptions): tf.Tensor1D {
  if (!backendHasKernels(POSE_LOG_PRIOR_KERNELS)) return poseLogPriorComposite(layers, o);
  const columns: tf.Tensor1D[] = [];
  const attrs: PoseLogPriorAttrs = { kinds: [], scales: [], logNormalisers: [] };
  const gaussian = (v: tf.Tensor1D, std: number) => {
    columns.push(v);
    attrs.kinds.push(POSE_PRIOR_GAUSSIAN);
    attrs.scales.push(std);
    attrs.logNormalisers.push(0.5 * Math.log(2 * Math.PI * std * std));
  };
  const vonMises = (v: tf.Tensor1D, kappa: number) => {
    columns.push(v);
    attrs.kinds.push(POSE_PRIOR_VON_MISES);
    attrs.scales.push(kappa);
    attrs.logNormalisers.push(Math.log(2 * Math.PI) + logBesselI0(kappa));
  };
  for (const { pose } of layers) {
    if (pose.group === 'translation') {
      gaussian(pose.tx, o.translationPriorStd);
      gaussian(pose.ty, o.translationPriorStd);
    }
    if (pose.group === 'scale' || pose.group === 'rotationScale') gaussian(pose.logScale, o.logScalePriorStd);
    if (pose.group === 'rotation' || pose.group === 'rotationScale') vonMises(pose.angle, o.angleConcentration);
  }
  if (columns.some((c) => c.dtype !== 'float32')) return poseLogPriorComposite(layers, o);
  return tf.tidy(() => tf.engine().runKernel(POSE_LOG_PRIOR, { values: tf.stack(columns, 1) }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D);
}

/** The same from stock tfjs ops (any backend); the reference the kernels are tested against. */
export function poseLogPriorComposite(layers: readonly EtLayerOutput[], o: PosePriorOptions): tf.Tensor1D {
  return tf.tidy(() => {
    const terms: tf.Tensor1D[] = layers.map(({ pose }) => {
      switch (pose.group) {
        case 'translation':
          return gaussianLogPrior(tf.stack([pose.tx, pose.ty], 1), { std: o.translationPriorStd });
        case 'rotation':
          return vonMisesLogDensity(pose.angle, { concentration: o.angleConcentration }) as tf.Tensor1D;
        case 'scale':
          return gaussianLogPrior(tf.expandDims(pose.logScale, 1), { std: o.logScalePriorStd });
        case 'rotationScale':
          return tf.add(
            vonMisesLogDensity(pose.angle, { concentration: o.angleConcentration }),
            gaussianLogPrior(tf.expandDims(pose.logScale, 1), { std: o.logScalePriorStd }),
          ) as tf.Tensor1D;
        default: {
          const never: never = pose;
          throw new Error(`poseLogPrior: unknown pose ${JSON.stringify(never)}`);
        }
      }
    });
    return tf.addN(terms) as tf.Tensor1D;
  });
}

/**
 * log p(x | rendered reconstruction) [B]; the reconstruction holds pixel means in (0, 1). Bernoulli: with the
 * probabilities clipped to [BERNOULLI_CLIP, 1 − BERNOULLI_CLIP] (one fused kernel each way where the backend has it).
 */
export function reconstructionLogLikelihood(likelihood: PixelLikelihood, images: tf.Tensor4D, reconstruction: tf.Tensor4D): tf.Tensor1D {
  if (likelihood.kind !== 'bernoulli') return pixelLogLikelihood(likelihood, images, reconstruction);
  return bernoulliLogLikelihoodFromProbabilities(images, reconstruction, BERNOULLI_CLIP);
}

export function elboTerms(model: EtVae, images: tf.Tensor4D, layers: readonly EtLayerOutput[], recon: EtVaeReconstruction): ElboTerms {
  return tf.tidy(() => {
    const logLik = reconstructionLogLikelihood(model.options.likelihood, images, recon.reconstruction);
    const kl = gaussianKlToStandardNormal(recon.posterior.mean, recon.posterior.logVariance);
    const prior = poseLogPrior(layers, model.options);
    const negativeElbo = tf.sub(tf.sub(kl, logLik), prior) as tf.Tensor1D;
    return { negativeElbo, reconstructionLogLikelihood: logLik, kl, poseLogPrior: prior };
  });
}

/** −log Multinomial(counts; softmax(logits)) per galaxy [B]. */
export function voteNll(counts: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  return multinomialNll(counts, logits, { input: 'logits' });
}

if (tf.getGradient(POSE_LOG_PRIOR) === undefined) {
  tf.registerGradient({
    kernelName: POSE_LOG_PRIOR,
    inputsToSave: ['values'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [values] = saved;
      return { values: () => tf.engine().runKernel(POSE_LOG_PRIOR_GRAD, { dy: dy as tf.Tensor, values }, attrs) as tf.Tensor };
    },
  });
}
