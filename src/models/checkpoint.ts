/**
 * Saving and loading trained models: a folder with `model.json` (format, kind, resolved config, schema,
 * preprocessing, training step, parameter index) and `weights.bin` (float32 little-endian, concatenated in index
 * order), plus optional optimiser state in the same layout (`optimizer.bin`). `loadCheckpoint` refuses files of
 * another format or kind with a message that says what was found and what was expected.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NamedWeights } from '../nn/params.js';

export const CHECKPOINT_FORMAT = 'galmorph-checkpoint/1';

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  /** Model kind, as given to createModel. */
  kind: string;
  /** The model's resolved configuration. */
  config: unknown;
  /** Schema definition the model's outputs follow (or null for unlabelled models). */
  schema: unknown;
  /** Image preprocessing the model was trained with (crop, size, channels, normalisation). */
  preprocessing: unknown;
  /** Optimiser steps taken so far (for resuming). */
  step: number;
  /** Anything a workflow needs to resume (epoch, best validation loss, ...). */
  extra?: Record<string, unknown>;
  savedAt: string;
}

interface TensorIndexEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

interface ModelJson extends CheckpointMeta {
  weights: TensorIndexEntry[];
  optimizer: TensorIndexEntry[] | null;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  weights: NamedWeights;
  optimizer: NamedWeights | null;
}

export function saveCheckpoint(dir: string, ckpt: Checkpoint): void {
  mkdirSync(dir, { recursive: true });
  const [weightIndex, weightBytes] = pack(ckpt.weights);
  writeFileSync(join(dir, 'weights.bin'), weightBytes);
  let optimizerIndex: TensorIndexEntry[] | null = null;
  if (ckpt.optimizer) {
    const [idx, bytes] = pack(ckpt.optimizer);
    optimizerIndex = idx;
    writeFileSync(join(dir, 'optimizer.bin'), bytes);
  }
  const json: ModelJson = { ...ckpt.meta, weights: weightIndex, optimizer: optimizerIndex };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json, null, 2) + '\n');
}

/** Loads a checkpoint folder; `expectedKind` makes a model of another kind an error. */
export function loadCheckpoint(dir: string, expectedKind?: string): Checkpoint {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) {
    throw new Error(`${dir}: no model.json here — pass the folder a training run saved its model to (e.g. RUN/model)`);
  }
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new Error(`${jsonPath}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (json.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${jsonPath}: format is ${JSON.stringify(json.format)}, expected "${CHECKPOINT_FORMAT}"`);
  }
  if (expectedKind !== undefined && json.kind !== expectedKind) {
    throw new Error(`${jsonPath}: holds a "${json.kind}" model, but a "${expectedKind}" model is needed here`);
  }
  const weights = unpack(join(dir, 'weights.bin'), json.weights);
  const optimizer = json.optimizer ? unpack(join(dir, 'optimizer.bin'), json.optimizer) : null;
  const { weights: _w, optimizer: _o, ...meta } = json;
  return { meta, weights, optimizer };
}

function pack(named: NamedWeights): [TensorIndexEntry[], Uint8Array] {
  const index: TensorIndexEntry[] = [];
  let offset = 0;
  for (const [name, { shape, values }] of Object.entries(named)) {
    index.push({ name, shape, offset, length: values.length });
    offset += values.length;
  }
  const all = new Float32Array(offset);
  for (const entry of index) all.set(named[entry.name].values, entry.offset);
  return [index, new Uint8Array(all.buffer)];
}

function unpack(path: string, index: TensorIndexEntry[]): NamedWeights {
  if (!existsSync(path)) throw new Error(`${path}: missing — the checkpoint folder is incomplete`);
  const bytes = readFileSync(path);
  const total = index.reduce((n, e) => Math.max(n, e.offset + e.length), 0);
  if (bytes.byteLength !== total * 4) {
    throw new Error(`${path}: has ${bytes.byteLength} bytes but model.json describes ${total * 4} — the file is truncated or from another save`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: NamedWeights = {};
  for (const e of index) out[e.name] = { shape: e.shape, values: all.slice(e.offset, e.offset + e.length) };
  return out;
}
