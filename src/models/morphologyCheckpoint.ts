/**
 * Saving and loading a morphology model (ET-VAE or plain CNN) with everything needed to use or resume it: the
 * resolved model spec, the schema and question it predicts, the image preprocessing, the optimiser state (Adam
 * moments keyed by parameter name) and the step. Loading rebuilds the model from the saved spec and refuses a
 * folder of another kind or with mismatched parameters, naming the file.
 */
import { join } from 'node:path';
import type { NamedWeights } from '../nn/params.js';
import type { AdamState } from './optimizerState.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { createMorphologyModel, MORPHOLOGY_MODEL_KINDS, specOf, type MorphologyModel, type MorphologyModelSpec } from './morphologyModel.js';

export interface MorphologyModelInfo {
  /** Schema definition and the question the classifier predicts. */
  schema: unknown;
  question: string;
  /** Image preprocessing the model was trained with. */
  preprocessing: unknown;
  /** Optimiser steps taken. */
  step: number;
  /** Resume information (epoch, best validation metric, history...). */
  extra?: Record<string, unknown>;
}

/** Adam state with its arrays named by the parameters they belong to (any subset of the model's trainables). */
export interface NamedOptimizerState {
  names: string[];
  state: AdamState;
}

export function saveMorphologyModel(dir: string, model: MorphologyModel, info: MorphologyModelInfo, optimizer: NamedOptimizerState | null = null): void {
  let optimizerWeights: NamedWeights | null = null;
  if (optimizer !== null) {
    optimizerWeights = {};
    optimizer.names.forEach((name, k) => {
      optimizerWeights![`m/${name}`] = { shape: [optimizer.state.m[k].length], values: optimizer.state.m[k] };
      optimizerWeights![`v/${name}`] = { shape: [optimizer.state.v[k].length], values: optimizer.state.v[k] };
    });
  }
  saveCheckpoint(dir, {
    meta: {
      format: 'galmorph-checkpoint/1',
      kind: model.kind,
      config: specOf(model).options,
      schema: info.schema,
      preprocessing: info.preprocessing,
      step: info.step,
      extra: { ...info.extra, question: info.question, optimizerNames: optimizer?.names ?? null, optimizerStep: optimizer?.state.step ?? null },
      savedAt: new Date().toISOString(),
    },
    weights: model.params.exportWeights(),
    optimizer: optimizerWeights,
  });
}

export interface LoadedMorphologyModel {
  model: MorphologyModel;
  info: MorphologyModelInfo;
  /** The saved optimiser state, or null when the folder has none. */
  optimizer: NamedOptimizerState | null;
}

export function loadMorphologyModel(dir: string): LoadedMorphologyModel {
  const ckpt = loadCheckpoint(dir);
  const kind = ckpt.meta.kind as MorphologyModelSpec['kind'];
  if (!MORPHOLOGY_MODEL_KINDS.includes(kind)) {
    throw new Error(`${join(dir, 'model.json')}: holds a "${ckpt.meta.kind}" model, expected one of ${MORPHOLOGY_MODEL_KINDS.join(', ')}`);
  }
  const model = createMorphologyModel({ kind, options: ckpt.meta.config } as MorphologyModelSpec);
  try {
    model.params.importWeights(ckpt.weights, join(dir, 'weights.bin'));
  } catch (error) {
    model.dispose();
    throw error;
  }
  const extra = { ...(ckpt.meta.extra ?? {}) };
  const names = extra.optimizerNames as string[] | null;
  const optimizerStep = extra.optimizerStep as number | null;
  let optimizer: NamedOptimizerState | null = null;
  if (ckpt.optimizer !== null && names !== null && optimizerStep !== null) {
    const get = (key: string) => {
      const entry = ckpt.optimizer![key];
      if (entry === undefined) throw new Error(`${join(dir, 'optimizer.bin')}: no optimiser state for "${key}"`);
      return entry.values;
    };
    optimizer = { names, state: { kind: 'adam', step: optimizerStep, m: names.map((n) => get(`m/${n}`)), v: names.map((n) => get(`v/${n}`)) } };
  }
  const question = String(extra.question ?? '');
  delete extra.question;
  delete extra.optimizerNames;
  delete extra.optimizerStep;
  return {
    model,
    info: { schema: ckpt.meta.schema, question, preprocessing: ckpt.meta.preprocessing, step: ckpt.meta.step, extra },
    optimizer,
  };
}
