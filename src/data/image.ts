/**
 * The one entry for turning an image file into a network input: read, decode (JPEG/PNG/FITS), preprocess.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.js';
import { decodeImage } from './imageDecode.js';
import { preprocess, resolvePreprocessOptions, type PreprocessedImage, type PreprocessOptions } from './preprocess.js';

/**
 * Loads `path` as a size × size × channels Float32Array in [0, 1] (HWC). Throws InputError naming the
 * file when it is missing, corrupt, truncated or of an unsupported kind.
 */
export async function loadImage(path: string, options: Partial<PreprocessOptions> = {}): Promise<PreprocessedImage> {
  return loadResolved(path, resolvePreprocessOptions(options));
}

/** As loadImage, for options already resolved (the dataset resolves once and loads thousands). */
export async function loadResolved(path: string, options: PreprocessOptions): Promise<PreprocessedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? 'image file not found' : `cannot read image file (${code ?? (err as Error).message})`,
      { file: path },
      'check the catalog\'s image column and the image folder',
    );
  }
  if (bytes.length === 0) throw new InputError('image file is empty (0 bytes)', { file: path }, 'replace the file');
  const image = await decodeImage(bytes, path, { fitsHdu: options.fitsHdu });
  return preprocess(image, options, path);
}
