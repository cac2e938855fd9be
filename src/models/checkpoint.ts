/**
 * Saving and loading trained models: a folder with `model.json` (format, kind, resolved config, schema,
 * preprocessing, training step, parameter index, SHA-256 of the binary files) and `weights.bin` (float32
 * little-endian, concatenated in index order), plus optional optimiser state in the same layout (`optimizer.bin`).
 * `loadCheckpoint` refuses files of another format or kind, and binary files that do not match model.json, with a
 * message that says what was found and what was expected.
 *
 * A checkpoint is written as one unit (atomicFolder.ts): into a temporary sibling folder, then renamed over the
 * previous one, so a process killed while saving leaves either the previous checkpoint or the new one, never a mix.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { committedFolder, writeFolderAtomically } from '../util/atomicFolder.js';
import { InputError } from '../util/errors.js';
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
  /** SHA-256 (hex) of weights.bin and optimizer.bin, checked on load (absent in checkpoints saved before them). */
  checksums?: { weights: string; optimizer: string | null };
}

export interface Checkpoint {
  meta: CheckpointMeta;
  weights: NamedWeights;
  optimizer: NamedWeights | null;
}

/** Saves a checkpoint folder as one unit: `dir` holds either its previous checkpoint or this one, whenever the process dies. */
export function saveCheckpoint(dir: string, ckpt: Checkpoint): void {
  const [weightIndex, weightBytes] = pack(ckpt.weights);
  const files: Record<string, Uint8Array> = { 'weights.bin': weightBytes };
  let optimizerIndex: TensorIndexEntry[] | null = null;
  let optimizerSum: string | null = null;
  if (ckpt.optimizer) {
    const [idx, bytes] = pack(ckpt.optimizer);
    optimizerIndex = idx;
    optimizerSum = sha256(bytes);
    files['optimizer.bin'] = bytes;
  }
  const json: ModelJson = { ...ckpt.meta, weights: weightIndex, optimizer: optimizerIndex, checksums: { weights: sha256(weightBytes), optimizer: optimizerSum } };
  files['model.json'] = Buffer.from(JSON.stringify(json, null, 2) + '\n', 'utf8');
  writeFolderAtomically(dir, files);
}

/**
 * Loads a checkpoint folder; `expectedKind` makes a model of another kind an error. Read-only: when a save was cut
 * between its two renames (atomicFolder.ts), the previous checkpoint is read from where it was set aside.
 */
export function loadCheckpoint(dir: string, expectedKind?: string): Checkpoint {
  return loadCheckpointFiles(committedFolder(dir, 'model.json') ?? dir, expectedKind);
}

function loadCheckpointFiles(dir: string, expectedKind?: string): Checkpoint {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) {
    throw new InputError('no model.json here', { file: dir }, 'pass the folder a training run saved its model to (e.g. RUN/model) or a shipped model\'s name');
  }
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file: jsonPath }, 'the model file is damaged: copy or train it again');
  }
  if (typeof json !== 'object' || json === null || json.format !== CHECKPOINT_FORMAT) {
    throw new InputError(`not a galmorph model: format is ${JSON.stringify((json as Partial<ModelJson> | null)?.format)}, expected "${CHECKPOINT_FORMAT}"`,
      { file: jsonPath }, 'pass a folder saved by galmorph (train, experiment) or a shipped model\'s name');
  }
  if (expectedKind !== undefined && json.kind !== expectedKind) {
    throw new InputError(`holds a "${json.kind}" model, but a "${expectedKind}" model is needed here`, { file: jsonPath }, `pass a ${expectedKind} model folder`);
  }
  if (!Array.isArray(json.weights)) throw new InputError('model.json has no weight index', { file: jsonPath }, 'the model file is damaged: copy or train it again');
  const weights = unpack(join(dir, 'weights.bin'), json.weights, json.checksums?.weights);
  const optimizer = json.optimizer ? unpack(join(dir, 'optimizer.bin'), json.optimizer, json.checksums?.optimizer ?? undefined) : null;
  const { weights: _w, optimizer: _o, checksums: _c, ...meta } = json;
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

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function unpack(path: string, index: TensorIndexEntry[], checksum: string | undefined): NamedWeights {
  if (!existsSync(path)) throw new InputError('missing: the checkpoint folder is incomplete', { file: path }, 'copy the whole model folder, or train it again');
  const bytes = readFileSync(path);
  const total = index.reduce((n, e) => Math.max(n, e.offset + e.length), 0);
  if (bytes.byteLength !== total * 4) {
    throw new InputError(`has ${bytes.byteLength} bytes but model.json describes ${total * 4}: the file is truncated or from another save`,
      { file: path }, 'copy the whole model folder again, or train it again');
  }
  if (checksum !== undefined && sha256(bytes) !== checksum) {
    throw new InputError('its SHA-256 does not match the one model.json recorded: the file is damaged or from another save',
      { file: path }, 'copy the whole model folder again, or train it again');
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: NamedWeights = {};
  for (const e of index) out[e.name] = { shape: e.shape, values: all.slice(e.offset, e.offset + e.length) };
  return out;
}
