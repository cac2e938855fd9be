/**
 * A Bayesian CNN restored from a checkpoint's contents, wherever they were read: from a folder or by name in Node
 * (bayesianCnnCheckpoint.ts `loadBayesianCnn`), or from a URL in a browser or Node (`fetchBayesianCnn`, here). The
 * model is built from the saved config, the weights are imported (a config whose parameters do not match them is
 * refused, naming the weights file), and the saved preprocessing and optimiser state come with it.
 */
import { InputError } from '../util/errors.js';
import type { NamedWeights } from '../nn/params.js';
import type { OptimizerState } from './optimizerState.js';
import { resolvePreprocessOptions, type PreprocessOptions } from '../data/preprocess.js';
import type { Checkpoint, CheckpointMeta } from './checkpointFormat.js';
import { fetchCheckpoint, modelBaseUrl, type FetchCheckpointOptions } from './checkpointFetch.js';
import { BAYESIAN_CNN_KIND, BayesianCnn, type BayesianCnnConfig } from './bayesianCnn.js';

export interface LoadedBayesianCnn {
  model: BayesianCnn;
  preprocessing: PreprocessOptions;
  optimizer: OptimizerState | null;
  meta: CheckpointMeta;
}

/** Builds the model a checkpoint of kind 'bayesian-cnn' describes; `weightsFile` names its weights in errors. */
export function restoreBayesianCnn(ckpt: Checkpoint, weightsFile: string): LoadedBayesianCnn {
  const config = ckpt.meta.config as BayesianCnnConfig;
  const model = new BayesianCnn(config);
  try {
    model.params.importWeights(ckpt.weights, weightsFile);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const preprocessing = resolvePreprocessOptions(ckpt.meta.preprocessing as Partial<PreprocessOptions>);
  return { model, preprocessing, optimizer: ckpt.optimizer === null ? null : namedToOptimizer(ckpt.optimizer, ckpt.meta.step), meta: ckpt.meta };
}

/**
 * Loads the Bayesian CNN whose model.json and weights.bin are at the folder URL `base` (e.g. a copy of the package's
 * `pretrained/gz2/` on a web server), checking them as a folder is checked in Node.
 */
export async function fetchBayesianCnn(base: string | URL, options: Omit<FetchCheckpointOptions, 'expectedKind'> = {}): Promise<LoadedBayesianCnn> {
  const ckpt = await fetchCheckpoint(base, { ...options, expectedKind: BAYESIAN_CNN_KIND });
  return restoreBayesianCnn(ckpt, `${modelBaseUrl(base)}weights.bin`);
}

export function namedToOptimizer(named: NamedWeights, step: number): OptimizerState {
  const count = Object.keys(named).filter((n) => n.startsWith('adam/m/')).length;
  const pick = (which: 'm' | 'v' | 'average') => Array.from({ length: count }, (_, k) => {
    const entry = named[`adam/${which}/${k}`];
    if (entry === undefined) throw new InputError(`optimizer.bin lacks adam/${which}/${k}`, {}, 'the checkpoint is incomplete; save it again');
    return entry.values;
  });
  const averaged = named['adam/average/0'] !== undefined;
  return { kind: 'adam', step, m: pick('m'), v: pick('v'), ...(averaged ? { average: pick('average') } : {}) };
}
