/**
 * Models shipped with galmorph, loadable by name wherever a model folder is accepted (`--model gz2`). They live in
 * the package's `pretrained/<name>/` folder (model.json + weights.bin + MODEL_CARD.md), so Node finds them next to
 * the installed code and a browser can fetch the same two files. `resolveModelFolder` turns a name or a path into
 * a folder: an existing path wins; otherwise a shipped name; otherwise an InputError listing both options.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../util/errors.js';

/** The package's folder of shipped models (src/models → ../../pretrained, and the same from dist/models). */
export const PRETRAINED_DIR = fileURLToPath(new URL('../../pretrained', import.meta.url));

/** Names of the shipped models present in this installation. */
export function shippedModelNames(dir = PRETRAINED_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'model.json')))
    .map((e) => e.name)
    .sort();
}

/** A model folder from a path or a shipped model's name. */
export function resolveModelFolder(nameOrPath: string, dir = PRETRAINED_DIR): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const names = shippedModelNames(dir);
  if (names.includes(nameOrPath)) return join(dir, nameOrPath);
  throw new InputError(`no model folder or shipped model called "${nameOrPath}"`, { file: nameOrPath },
    names.length > 0 ? `pass a model folder (e.g. RUN/model) or one of the shipped models: ${names.join(', ')}` : 'pass a model folder (e.g. RUN/model); this installation ships no models');
}
