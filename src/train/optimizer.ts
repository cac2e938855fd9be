/**
 * The optimisers a trainer can use: a closed set of kinds, each with its own options.
 */
import { OptionError } from '../util/errors.js';
import { Adam, type AdamOptions } from './optimizerAdam.js';

export const OPTIMIZER_KINDS = ['adam'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

export type OptimizerOptions = { kind: 'adam' } & Partial<AdamOptions>;

/** An optimiser updating host parameter arrays in place. */
export type HostOptimizer = Adam;

export function createOptimizer(sizes: readonly number[], options: OptimizerOptions): HostOptimizer {
  const { kind, ...rest } = options;
  switch (kind) {
    case 'adam':
      return new Adam(sizes, rest);
    default:
      throw new OptionError('optimizer.kind', `one of ${OPTIMIZER_KINDS.join(' | ')}`, kind);
  }
}
