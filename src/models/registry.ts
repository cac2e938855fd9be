/**
 * The model registry: `createModel(kind, args)` over a closed set of kinds with a runtime list (MODEL_KINDS), so
 * commands and checkpoints name models by a string and an unknown name is an error listing the known ones.
 * Add a kind by extending `ModelArgs` and the switch.
 */
import { OptionError } from '../util/errors.js';
import { BAYESIAN_CNN_KIND, BayesianCnn, type BayesianCnnConfig } from './bayesianCnn.js';
import type { SchemaDef } from '../data/schema.js';

export const MODEL_KINDS = [BAYESIAN_CNN_KIND] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Constructor arguments of each kind. */
export interface ModelArgs {
  'bayesian-cnn': Partial<BayesianCnnConfig> & { schema: SchemaDef };
}

export interface ModelOf {
  'bayesian-cnn': BayesianCnn;
}

export function isModelKind(kind: string): kind is ModelKind {
  return (MODEL_KINDS as readonly string[]).includes(kind);
}

export function createModel<K extends ModelKind>(kind: K, args: ModelArgs[K]): ModelOf[K] {
  if (!isModelKind(kind)) throw new OptionError('kind', `one of ${MODEL_KINDS.join(' | ')}`, kind);
  const k: ModelKind = kind;
  switch (k) {
    case 'bayesian-cnn':
      return new BayesianCnn(args) as ModelOf[K];
    default: {
      const never: never = k;
      throw new OptionError('kind', `one of ${MODEL_KINDS.join(' | ')}`, never);
    }
  }
}
