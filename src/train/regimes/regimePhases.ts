/**
 * The semi-supervised regimes compared in Table 1, as data: each regime is a list of training phases, each phase
 * a task objective, the parameter groups it trains, the model kind and which images feed it. All regimes share the
 * same split encoder and classifier head.
 *
 * | regime      | phases                                                                                   |
 * | supervised  | ET + encoder + classifier on the labelled images (no decoder)                            |
 * | two-step    | VAE on all images (shared across label counts); then ET + encoder + classifier on labels  |
 * | alternating | labelled batch −ELBO + NLL, unlabelled batch −ELBO; labelled loader cycled                |
 * | m1          | VAE on all images (shared); then the classifier alone on a frozen encoder                 |
 * | plain-cnn   | encoder + classifier without ET layers on the labelled images                            |
 */
import type { Objective, ParamGroup } from './morphologyTask.js';

export const REGIMES = ['supervised', 'two-step', 'alternating', 'm1', 'plain-cnn'] as const;
export type Regime = (typeof REGIMES)[number];

/** Which images a phase trains on: labelled batches, unlabelled batches, or the two alternated. */
export const PHASE_DATA = ['labelled', 'unlabelled', 'alternating'] as const;
export type PhaseData = (typeof PHASE_DATA)[number];

export interface RegimePhase {
  /** 'pretrain' phases do not depend on the labels and are run once per seed and shared. */
  name: 'pretrain' | 'train';
  objective: Objective;
  trainable: ParamGroup[];
  model: 'et-vae' | 'plain-cnn';
  data: PhaseData;
  /** Which learning rate of the settings applies: the paper uses 1e-3 after pre-training, 1e-4 otherwise. */
  learningRate: 'main' | 'afterPretraining';
}

const VAE_GROUPS: ParamGroup[] = ['et', 'encoder', 'latent', 'decoder'];
const PRETRAIN: RegimePhase = { name: 'pretrain', objective: 'vae', trainable: VAE_GROUPS, model: 'et-vae', data: 'unlabelled', learningRate: 'main' };

export const REGIME_PHASES: Record<Regime, RegimePhase[]> = {
  supervised: [
    { name: 'train', objective: 'supervised', trainable: ['et', 'encoder', 'classifier'], model: 'et-vae', data: 'labelled', learningRate: 'main' },
  ],
  'two-step': [
    PRETRAIN,
    { name: 'train', objective: 'supervised', trainable: ['et', 'encoder', 'classifier'], model: 'et-vae', data: 'labelled', learningRate: 'afterPretraining' },
  ],
  alternating: [
    { name: 'train', objective: 'semi-supervised', trainable: [...VAE_GROUPS, 'classifier'], model: 'et-vae', data: 'alternating', learningRate: 'main' },
  ],
  m1: [
    PRETRAIN,
    { name: 'train', objective: 'supervised', trainable: ['classifier'], model: 'et-vae', data: 'labelled', learningRate: 'afterPretraining' },
  ],
  'plain-cnn': [
    { name: 'train', objective: 'supervised', trainable: ['encoder', 'classifier'], model: 'plain-cnn', data: 'labelled', learningRate: 'main' },
  ],
};

export function needsPretraining(regime: Regime): boolean {
  return REGIME_PHASES[regime].some((p) => p.name === 'pretrain');
}
