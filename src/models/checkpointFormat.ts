/**
 * The checkpoint format, wherever its files come from (a folder in Node: checkpoint.ts; a URL in a browser:
 * checkpointFetch.ts): `model.json` (format, kind, resolved config, schema, preprocessing, training step, parameter
 * index, SHA-256 of the binary files) and `weights.bin` (float32 little-endian, concatenated in index order), plus
 * optional optimiser state in the same layout (`optimizer.bin`).
 *
 * Everything here is pure — no file system, no network, no hashing library: the readers hand in the files' text and
 * bytes and the SHA-256 they computed (node:crypto in Node, WebCrypto in a browser), and get back the checkpoint or
 * the one error message for each way a model can be refused (missing file, not JSON, foreign format, wrong kind,
 * truncated or damaged binary file). `file` arguments name a path or a URL in those messages.
 */
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

export interface TensorIndexEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface ModelJson extends CheckpointMeta {
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

/** The files of a checkpoint, by name. */
export const MODEL_JSON = 'model.json';
export const BINARY_FILES = { weights: 'weights.bin', optimizer: 'optimizer.bin' } as const;
export type BinaryPart = keyof typeof BINARY_FILES;

/** A binary file as read: its bytes (null when it is missing) and their SHA-256 in hex. */
export interface BinaryFile {
  bytes: Uint8Array | null;
  sha256: string | null;
  /** Path or URL, for messages. */
  file: string;
}

/** Hex SHA-256 of bytes; synchronous where a reader needs it (saving in Node). */
export type Sha256 = (bytes: Uint8Array) => string;

/** The files of a checkpoint (model.json and the binary files), with `sha256` for the checksums it records. */
export function encodeCheckpoint(ckpt: Checkpoint, sha256: Sha256): Record<string, Uint8Array> {
  const [weightIndex, weightBytes] = pack(ckpt.weights);
  const files: Record<string, Uint8Array> = { [BINARY_FILES.weights]: weightBytes };
  let optimizerIndex: TensorIndexEntry[] | null = null;
  let optimizerSum: string | null = null;
  if (ckpt.optimizer) {
    const [idx, bytes] = pack(ckpt.optimizer);
    optimizerIndex = idx;
    optimizerSum = sha256(bytes);
    files[BINARY_FILES.optimizer] = bytes;
  }
  const json: ModelJson = { ...ckpt.meta, weights: weightIndex, optimizer: optimizerIndex, checksums: { weights: sha256(weightBytes), optimizer: optimizerSum } };
  files[MODEL_JSON] = new TextEncoder().encode(JSON.stringify(json, null, 2) + '\n');
  return files;
}

/**
 * model.json's text (null when there is none at `folder`) → its contents, refusing a missing file, text that is
 * not JSON, another format, a model of a kind other than `expectedKind` and a file without a weight index.
 */
export function parseModelJson(text: string | null, where: { folder: string; file: string }, expectedKind?: string): ModelJson {
  if (text === null) {
    throw new InputError('no model.json here', { file: where.folder }, 'pass the folder a training run saved its model to (e.g. RUN/model) or a shipped model\'s name');
  }
  const file = where.file;
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file }, 'the model file is damaged: copy or train it again');
  }
  if (typeof json !== 'object' || json === null || json.format !== CHECKPOINT_FORMAT) {
    throw new InputError(`not a galmorph model: format is ${JSON.stringify((json as Partial<ModelJson> | null)?.format)}, expected "${CHECKPOINT_FORMAT}"`,
      { file }, 'pass a folder saved by galmorph (train, experiment) or a shipped model\'s name');
  }
  if (expectedKind !== undefined && json.kind !== expectedKind) {
    throw new InputError(`holds a "${json.kind}" model, but a "${expectedKind}" model is needed here`, { file }, `pass a ${expectedKind} model folder`);
  }
  if (!Array.isArray(json.weights)) throw new InputError('model.json has no weight index', { file }, 'the model file is damaged: copy or train it again');
  return json;
}

/** The binary files model.json refers to (weights, and optimizer when it recorded optimiser state). */
export function binaryParts(json: ModelJson): BinaryPart[] {
  return json.optimizer ? ['weights', 'optimizer'] : ['weights'];
}

/** The checkpoint from model.json and its binary files as read, refusing a missing, truncated or damaged file. */
export function decodeCheckpoint(json: ModelJson, binaries: Partial<Record<BinaryPart, BinaryFile>>): Checkpoint {
  if (binaries.weights === undefined) throw new Error('decodeCheckpoint: weights.bin was not read');
  const weights = unpack(binaries.weights, json.weights, json.checksums?.weights);
  let optimizer: NamedWeights | null = null;
  if (json.optimizer) {
    if (binaries.optimizer === undefined) throw new Error('decodeCheckpoint: model.json records optimiser state, but optimizer.bin was not read');
    optimizer = unpack(binaries.optimizer, json.optimizer, json.checksums?.optimizer ?? undefined);
  }
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

function unpack({ bytes, sha256, file }: BinaryFile, index: TensorIndexEntry[], checksum: string | undefined): NamedWeights {
  if (bytes === null) throw new InputError('missing: the checkpoint folder is incomplete', { file }, 'copy the whole model folder, or train it again');
  const total = index.reduce((n, e) => Math.max(n, e.offset + e.length), 0);
  if (bytes.byteLength !== total * 4) {
    throw new InputError(`has ${bytes.byteLength} bytes but model.json describes ${total * 4}: the file is truncated or from another save`,
      { file }, 'copy the whole model folder again, or train it again');
  }
  if (checksum !== undefined && sha256 !== checksum) {
    throw new InputError('its SHA-256 does not match the one model.json recorded: the file is damaged or from another save',
      { file }, 'copy the whole model folder again, or train it again');
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: NamedWeights = {};
  for (const e of index) out[e.name] = { shape: e.shape, values: all.slice(e.offset, e.offset + e.length) };
  return out;
}
