/**
 * The morphology models the semi-supervised experiments compare, as a closed set of kinds with serialisable
 * specs: the ET-VAE and the plain CNN baseline (same encoder and classifier, no ET layers, no decoder).
 */
import { OptionError } from '../util/errors.js';
import { EtVae, type EtVaeOptions } from './etVae.js';
import { PlainCnn, type PlainCnnOptions } from './plainCnn.js';

export const MORPHOLOGY_MODEL_KINDS = ['et-vae', 'plain-cnn'] as const;
export type MorphologyModelKind = (typeof MORPHOLOGY_MODEL_KINDS)[number];

export type MorphologyModelSpec =
  | { kind: 'et-vae'; options: Partial<EtVaeOptions> }
  | { kind: 'plain-cnn'; options: Partial<PlainCnnOptions> };

export type MorphologyModel = EtVae | PlainCnn;

export function createMorphologyModel(spec: MorphologyModelSpec): MorphologyModel {
  switch (spec.kind) {
    case 'et-vae':
      return new EtVae(spec.options);
    case 'plain-cnn':
      return new PlainCnn(spec.options);
    default: {
      const never: never = spec;
      throw new OptionError('model.kind', `one of ${MORPHOLOGY_MODEL_KINDS.join(' | ')}`, (never as { kind: unknown }).kind);
    }
  }
}

/** The resolved spec of a model (for saving with it). */
export function specOf(model: MorphologyModel): MorphologyModelSpec {
  return model.kind === 'et-vae' ? { kind: 'et-vae', options: model.options } : { kind: 'plain-cnn', options: model.options };
}
