/**
 * The model registry: `createModel(kind, args)` over a closed set of kinds with a runtime list (MODEL_KINDS), so
 * commands and checkpoints name models by a string and an unknown name is an error listing the known ones.
 * Add a kind by extending `ModelArgs` and the switch.
 */
import { OptionError } from '../util/errors.js';
import { BAYESIAN_CNN_KIND, BayesianCnn, type BayesianCnnConfig } from './bayesianCnn.js';
import type { SchemaDef } from '../data/schema.js';
import { EtVae, type EtVaeOptions } from './etVae.js';
import { PlainCnn, type PlainCnnOptions } from './plainCnn.js';
import { VADE_KIND, Vade, type VadeConfig } from './vade.js';

export const MODEL_KINDS = [BAYESIAN_CNN_KIND, 'et-vae', 'plain-cnn', VADE_KIND] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Constructor arguments of each kind. */
export interface ModelArgs {
  'bayesian-cnn': Partial<BayesianCnnConfig> & { schema: SchemaDef };
  'et-vae': Partial<EtVaeOptions>;
  'plain-cnn': Partial<PlainCnnOptions>;
  vade: Partial<VadeConfig>;
}

export interface ModelOf {
  'bayesian-cnn': BayesianCnn;
  'et-vae': EtVae;
  'plain-cnn': PlainCnn;
  vade: Vade;
}

export function isModelKind(kind: string): kind is ModelKind {
  return (MODEL_KINDS as readonly string[]).includes(kind);
}

export function createModel<K extends ModelKind>(kind: K, args: ModelArgs[K]): ModelOf[K] {
  if (!isModelKind(kind)) throw new OptionError('kind', `one of ${MODEL_KINDS.join(' | ')}`, kind);
  const k: ModelKind = kind;
  switch (k) {
    case 'bayesian-cnn':
      return new BayesianCnn(args as ModelArgs['bayesian-cnn']) as ModelOf[K];
    case 'et-vae':
      return new EtVae(args as ModelArgs['et-vae']) as ModelOf[K];
    case 'plain-cnn':
      return new PlainCnn(args as ModelArgs['plain-cnn']) as ModelOf[K];
    case 'vade':
      return new Vade(args as ModelArgs['vade']) as ModelOf[K];
    default: {
      const never: never = k;
      throw new OptionError('kind', `one of ${MODEL_KINDS.join(' | ')}`, never);
    }
  }
}
