/**
 * How the two terms of the semi-supervised objective (−ELBO + w·NLL, morphologyTask.ts) pull on the weights at
 * initialisation: the L2 norm of the gradient of the batch-mean −ELBO and of the batch-mean vote NLL, per parameter
 * group, on one labelled batch. The ratio ‖∇ELBO‖ / ‖∇NLL‖ over the groups both terms reach (the ET pose readouts and
 * the encoder) is the classifier weight w at which the vote term moves the shared weights as much as the
 * reconstruction does; with w = 1 and a ratio of 100 the encoder learns almost only to reconstruct.
 * Both gradients use the same dropout masks and latent sample (one step number), so they describe one step.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../../data/hostBatch.js';
import { createTask, PARAM_GROUPS, type MorphologyTaskOptions, type ParamGroup } from './morphologyTask.js';

export interface GroupGradients {
  group: ParamGroup;
  /** L2 norm of ∇ mean −ELBO over the group's weights. */
  elbo: number;
  /** L2 norm of ∇ mean vote NLL over the group's weights. */
  nll: number;
}

export interface GradientBalance {
  /** Galaxies in the batch measured. */
  galaxies: number;
  /** Batch means of the two terms (nats per galaxy). */
  negativeElbo: number;
  nll: number;
  groups: GroupGradients[];
  /** ‖∇ELBO‖ / ‖∇NLL‖ over the ET and encoder weights together: the weight w that balances the terms there. */
  sharedRatio: number;
}

/** The groups both terms reach: the vote term's gradient flows through the encoder and the ET pose layers. */
export const SHARED_GROUPS: readonly ParamGroup[] = ['et', 'encoder'];

/**
 * Measures the gradients of an ET-VAE task (fresh or from `options.init`) on one labelled batch (`counts` present).
 * The task is built here, in this thread, and disposed before returning.
 */
export function measureGradientBalance(options: Omit<MorphologyTaskOptions, 'objective' | 'trainable' | 'classifierWeight'>, batch: HostBatch): GradientBalance {
  if (batch.arrays.counts === undefined) throw new Error('measureGradientBalance: the batch has no vote counts');
  const task = createTask({ ...options, objective: 'semi-supervised', trainable: [...PARAM_GROUPS], classifierWeight: 1 });
  try {
    const groupOf = task.trainableNames.map((n) => n.split('/')[1] as ParamGroup);
    const squaredNorms = (term: 'negativeElbo' | 'nll'): { value: number; byGroup: Map<ParamGroup, number> } => {
      const byGroup = new Map<ParamGroup, number>();
      let value = Number.NaN;
      tf.tidy(() => {
        const r = tf.variableGrads(() => {
          const metric = task.step(batch, 0, 0).metrics?.[term];
          if (metric === undefined) throw new Error(`measureGradientBalance: the step has no ${term}`);
          return metric;
        }, task.trainable);
        task.trainable.forEach((v, i) => {
          const g = r.grads[v.name];
          const sq = g === undefined ? 0 : tf.sum(tf.square(g)).dataSync()[0];
          byGroup.set(groupOf[i], (byGroup.get(groupOf[i]) ?? 0) + sq);
        });
        value = r.value.dataSync()[0];
      });
      return { value, byGroup };
    };
    const elbo = squaredNorms('negativeElbo');
    const nll = squaredNorms('nll');
    const groups = PARAM_GROUPS.filter((g) => elbo.byGroup.has(g)).map((group) => ({
      group, elbo: Math.sqrt(elbo.byGroup.get(group) ?? 0), nll: Math.sqrt(nll.byGroup.get(group) ?? 0),
    }));
    const shared = (m: Map<ParamGroup, number>) => Math.sqrt(SHARED_GROUPS.reduce((a, g) => a + (m.get(g) ?? 0), 0));
    return { galaxies: batch.size, negativeElbo: elbo.value, nll: nll.value, groups, sharedRatio: shared(elbo.byGroup) / shared(nll.byGroup) };
  } finally {
    task.dispose();
  }
}
