/**
 * Saving and loading trained models: a folder with `model.json` (format, kind, resolved config, schema,
 * preprocessing, training step, parameter index, SHA-256 of the binary files) and `weights.bin` (float32
 * little-endian, concatenated in index order), plus optional optimiser state in the same layout (`optimizer.bin`).
 * `loadCheckpoint` refuses files of another format or kind, and binary files that do not match model.json, with a
 * message that says what was found and what was expected.
 *
 * The format itself (encoding, parsing, checks and their messages) lives in checkpointFormat.ts, shared with the
 * browser's loader (checkpointFetch.ts); this file is its Node side: the folder, node:fs and node:crypto.
 *
 * A checkpoint is written as one unit (atomicFolder.ts): into a temporary sibling folder, then renamed over the
 * previous one, so a process killed while saving leaves either the previous checkpoint or the new one, never a mix.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { committedFolder, writeFolderAtomically } from '../util/atomicFolder.js';
import { BINARY_FILES, MODEL_JSON, binaryParts, decodeCheckpoint, encodeCheckpoint, parseModelJson, type BinaryFile, type BinaryPart, type Checkpoint } from './checkpointFormat.js';

export { CHECKPOINT_FORMAT, type Checkpoint, type CheckpointMeta } from './checkpointFormat.js';

/** Saves a checkpoint folder as one unit: `dir` holds either its previous checkpoint or this one, whenever the process dies. */
export function saveCheckpoint(dir: string, ckpt: Checkpoint): void {
  writeFolderAtomically(dir, encodeCheckpoint(ckpt, sha256));
}

/**
 * Loads a checkpoint folder; `expectedKind` makes a model of another kind an error. Read-only: when a save was cut
 * between its two renames (atomicFolder.ts), the previous checkpoint is read from where it was set aside.
 */
export function loadCheckpoint(dir: string, expectedKind?: string): Checkpoint {
  return loadCheckpointFiles(committedFolder(dir, 'model.json') ?? dir, expectedKind);
}

function loadCheckpointFiles(dir: string, expectedKind?: string): Checkpoint {
  const jsonPath = join(dir, MODEL_JSON);
  const json = parseModelJson(existsSync(jsonPath) ? readFileSync(jsonPath, 'utf8') : null, { folder: dir, file: jsonPath }, expectedKind);
  const read = (name: string): BinaryFile => {
    const file = join(dir, name);
    const bytes = existsSync(file) ? readFileSync(file) : null;
    return { bytes, sha256: bytes === null ? null : sha256(bytes), file };
  };
  const binaries: Partial<Record<BinaryPart, BinaryFile>> = {};
  for (const part of binaryParts(json)) binaries[part] = read(BINARY_FILES[part]);
  return decodeCheckpoint(json, binaries);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
