/**
 * Saving and loading an AstroVaDEr model in the project's checkpoint format (checkpoint.ts): the resolved config,
 * the image preprocessing, the step, the weights (the GMM prior's raw arrays among them), optionally the Adam state
 * (laid out as the Bayesian CNN's, so one pair of converters serves both), and `extra` (the training state to
 * resume, and after `galmorph cluster` the latent statistics and cluster exemplars `galmorph generate` uses).
 * Loading refuses a folder of another kind and weights that do not match the saved config, naming the file.
 */
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint, type CheckpointMeta } from './checkpoint.js';
import { optimizerToNamed } from './bayesianCnnCheckpoint.js';
import { namedToOptimizer } from './bayesianCnnRestore.js';
import type { OptimizerState } from './optimizerState.js';
import { resolvePreprocessOptions, type PreprocessOptions } from '../data/preprocess.js';
import { VADE_KIND, Vade, type VadeConfig } from './vade.js';

export interface SaveVadeOptions {
  preprocessing: PreprocessOptions;
  /** Optimiser steps taken. */
  step: number;
  /** Adam state to resume from; null to save weights only. */
  optimizer: OptimizerState | null;
  extra?: Record<string, unknown>;
}

export interface LoadedVade {
  model: Vade;
  preprocessing: PreprocessOptions;
  optimizer: OptimizerState | null;
  meta: CheckpointMeta;
}

export function saveVade(dir: string, model: Vade, options: SaveVadeOptions): void {
  saveCheckpoint(dir, {
    meta: {
      format: 'galmorph-checkpoint/1',
      kind: VADE_KIND,
      config: model.config,
      schema: null,
      preprocessing: options.preprocessing,
      step: options.step,
      extra: options.extra,
      savedAt: new Date().toISOString(),
    },
    weights: model.params.exportWeights(),
    optimizer: options.optimizer === null ? null : optimizerToNamed(options.optimizer),
  });
}

export function loadVade(dir: string): LoadedVade {
  const ckpt = loadCheckpoint(dir, VADE_KIND);
  const model = new Vade(ckpt.meta.config as Partial<VadeConfig>);
  try {
    model.params.importWeights(ckpt.weights, join(dir, 'weights.bin'));
  } catch (e) {
    model.dispose();
    throw e;
  }
  const preprocessing = resolvePreprocessOptions(ckpt.meta.preprocessing as Partial<PreprocessOptions>);
  return { model, preprocessing, optimizer: ckpt.optimizer === null ? null : namedToOptimizer(ckpt.optimizer, ckpt.meta.step), meta: ckpt.meta };
}
