/**
 * Fine-tuning a Bayesian CNN to a new task (Walmsley et al. 2022, ALGORITHMS.md §5): a new head on a pretrained
 * encoder. The encoder is the convolution blocks and the dense layer of a trained model (e.g. the shipped `gz2`);
 * the new head is further dense ReLU layers with MC dropout (`headHidden`) and a softmax over the new task's classes
 * — a schema with one question whose answers are the classes, so a class label is a one-hot vote count, the
 * multinomial NLL of that count is exactly the cross-entropy, and the fine-tuned model trains, saves, loads and
 * predicts (with MC-dropout intervals) as any Bayesian CNN.
 *
 * A `Transfer` tells a task (bayesianCnnTask.ts) which weights to copy from a saved model and which to hold fixed:
 * stage 1 copies the encoder and freezes it; stage 2 copies everything from stage 1's best model and freezes only the
 * lower encoder groups. `encoderGroups` lists the groups from the top (dense) down to the first convolution block.
 */
import { OptionError } from '../util/errors.js';
import { loadCheckpoint } from './checkpoint.js';
import { resolveModelFolder } from './pretrained.js';
import { BAYESIAN_CNN_KIND, type BayesianCnn, type BayesianCnnConfig } from './bayesianCnn.js';
import type { SchemaDef } from '../data/schema.js';

/** Root of every Bayesian-CNN parameter name. */
export const BAYESIAN_CNN_ROOT = 'bayesianCnn';

/** The key of the single question of a class schema. */
export const CLASS_QUESTION = 'class';

export interface Transfer {
  /** Model folder or shipped model name to copy weights from. */
  from: string;
  /** Parameter prefixes copied from it (every parameter under them must exist there in the same shape). */
  copy: string[];
  /** Parameter prefixes held fixed while training. */
  frozen: string[];
}

/** The encoder's parameter groups from the top (the dense layer) down to the first convolution block. */
export function encoderGroups(config: Pick<BayesianCnnConfig, 'blocks'>): string[] {
  return [`${BAYESIAN_CNN_ROOT}/dense`, ...config.blocks.map((_, b) => `${BAYESIAN_CNN_ROOT}/block${config.blocks.length - b}`)];
}

/** A schema with one question whose answers are the classes (in the order of their indices). */
export function classSchema(classNames: readonly string[], column: string): SchemaDef {
  if (classNames.length < 2) throw new OptionError('classes', 'at least 2 classes', classNames.join(', '));
  return {
    name: `classes-${column}`,
    description: `classes of catalog column "${column}" (a fine-tuned head)`,
    questions: [{ key: CLASS_QUESTION, text: `Which class (${column})?`, answers: classNames.map((c) => ({ key: c, text: c })) }],
    classes: [...classNames],
  };
}

/**
 * The config of a model with the pretrained model's encoder and a new class head: same input, blocks, pooling and
 * dense layer; a multinomial head over the classes after `headHidden` layers; the given seed for the new weights.
 */
export function fineTunedConfig(pretrained: BayesianCnnConfig, schema: SchemaDef, headHidden: number[], seed: number): BayesianCnnConfig {
  return { ...pretrained, schema, head: 'multinomial', target: CLASS_QUESTION, headHidden, headBias: 0, lossWeights: {}, seed };
}

/** Copies the `copy` parameters from the saved model into `model` and freezes the `frozen` ones; returns what it did. */
export function applyTransfer(model: BayesianCnn, transfer: Transfer): { copied: string[]; frozen: string[] } {
  const dir = resolveModelFolder(transfer.from);
  const ckpt = loadCheckpoint(dir, BAYESIAN_CNN_KIND);
  const copied = model.params.importUnder(ckpt.weights, transfer.copy, `${dir}/weights.bin`);
  const frozen = model.params.freeze(...transfer.frozen);
  return { copied, frozen };
}
