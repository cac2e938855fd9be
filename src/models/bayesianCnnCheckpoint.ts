/**
 * Saving and loading a Bayesian CNN through checkpoint.ts: the resolved config, the schema, the image
 * preprocessing, the training step, the weights and (optionally) the Adam state, so a model can predict on new
 * catalogs with the same preprocessing or resume training. Loading refuses another kind of model or a config whose
 * parameters do not match the saved weights, naming the folder. Building the model from a checkpoint is
 * bayesianCnnRestore.ts's, shared with the loader from a URL (`fetchBayesianCnn`, for browsers).
 */
import { resolveModelFolder } from './pretrained.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { NamedWeights } from '../nn/params.js';
import type { OptimizerState } from './optimizerState.js';
import type { PreprocessOptions } from '../data/preprocess.js';
import { BAYESIAN_CNN_KIND, type BayesianCnn } from './bayesianCnn.js';
import { restoreBayesianCnn, type LoadedBayesianCnn } from './bayesianCnnRestore.js';

export type { LoadedBayesianCnn } from './bayesianCnnRestore.js';

export interface SaveBayesianCnnOptions {
  preprocessing: PreprocessOptions;
  /** Optimiser steps taken. */
  step: number;
  /** Adam state to resume from; null to save weights only. */
  optimizer: OptimizerState | null;
  extra?: Record<string, unknown>;
}

export function saveBayesianCnn(dir: string, model: BayesianCnn, options: SaveBayesianCnnOptions): void {
  const optimizer: NamedWeights | null = options.optimizer === null ? null : optimizerToNamed(options.optimizer);
  saveCheckpoint(dir, {
    meta: {
      format: 'galmorph-checkpoint/1',
      kind: BAYESIAN_CNN_KIND,
      config: model.config,
      schema: model.config.schema,
      preprocessing: options.preprocessing,
      step: options.step,
      extra: options.extra,
      savedAt: new Date().toISOString(),
    },
    weights: model.params.exportWeights(),
    optimizer,
  });
}

/** Loads a model folder, or a shipped model by name (models/pretrained.ts: e.g. 'gz2'). */
export function loadBayesianCnn(nameOrDir: string): LoadedBayesianCnn {
  const dir = resolveModelFolder(nameOrDir);
  return restoreBayesianCnn(loadCheckpoint(dir, BAYESIAN_CNN_KIND), `${dir}/weights.bin`);
}

export function optimizerToNamed(state: OptimizerState): NamedWeights {
  const out: NamedWeights = {};
  state.m.forEach((m, k) => (out[`adam/m/${k}`] = { shape: [m.length], values: m }));
  state.v.forEach((v, k) => (out[`adam/v/${k}`] = { shape: [v.length], values: v }));
  state.average?.forEach((a, k) => (out[`adam/average/${k}`] = { shape: [a.length], values: a }));
  return out;
}
