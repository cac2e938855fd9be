/**
 * Saving and loading a Bayesian CNN through checkpoint.ts: the resolved config, the schema, the image
 * preprocessing, the training step, the weights and (optionally) the Adam state, so a model can predict on new
 * catalogs with the same preprocessing or resume training. Loading refuses another kind of model or a config whose
 * parameters do not match the saved weights, naming the folder.
 */
import { InputError } from '../util/errors.js';
import { resolveModelFolder } from './pretrained.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointMeta } from './checkpoint.js';
import type { NamedWeights } from '../nn/params.js';
import type { OptimizerState } from './optimizerState.js';
import { resolvePreprocessOptions, type PreprocessOptions } from '../data/preprocess.js';
import { BAYESIAN_CNN_KIND, BayesianCnn, type BayesianCnnConfig } from './bayesianCnn.js';

export interface SaveBayesianCnnOptions {
  preprocessing: PreprocessOptions;
  /** Optimiser steps taken. */
  step: number;
  /** Adam state to resume from; null to save weights only. */
  optimizer: OptimizerState | null;
  extra?: Record<string, unknown>;
}

export interface LoadedBayesianCnn {
  model: BayesianCnn;
  preprocessing: PreprocessOptions;
  optimizer: OptimizerState | null;
  meta: CheckpointMeta;
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
  const ckpt = loadCheckpoint(dir, BAYESIAN_CNN_KIND);
  const config = ckpt.meta.config as BayesianCnnConfig;
  const model = new BayesianCnn(config);
  try {
    model.params.importWeights(ckpt.weights, `${dir}/weights.bin`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const preprocessing = resolvePreprocessOptions(ckpt.meta.preprocessing as Partial<PreprocessOptions>);
  return { model, preprocessing, optimizer: ckpt.optimizer === null ? null : namedToOptimizer(ckpt.optimizer, ckpt.meta.step), meta: ckpt.meta };
}

function optimizerToNamed(state: OptimizerState): NamedWeights {
  const out: NamedWeights = {};
  state.m.forEach((m, k) => (out[`adam/m/${k}`] = { shape: [m.length], values: m }));
  state.v.forEach((v, k) => (out[`adam/v/${k}`] = { shape: [v.length], values: v }));
  state.average?.forEach((a, k) => (out[`adam/average/${k}`] = { shape: [a.length], values: a }));
  return out;
}

function namedToOptimizer(named: NamedWeights, step: number): OptimizerState {
  const count = Object.keys(named).filter((n) => n.startsWith('adam/m/')).length;
  const pick = (which: 'm' | 'v' | 'average') => Array.from({ length: count }, (_, k) => {
    const entry = named[`adam/${which}/${k}`];
    if (entry === undefined) throw new InputError(`optimizer.bin lacks adam/${which}/${k}`, {}, 'the checkpoint is incomplete; save it again');
    return entry.values;
  });
  const averaged = named['adam/average/0'] !== undefined;
  return { kind: 'adam', step, m: pick('m'), v: pick('v'), ...(averaged ? { average: pick('average') } : {}) };
}
