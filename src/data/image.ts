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

/** Images smaller than this on a side (and than the network input) are refused: upscaling them would invent the picture. */
export const MIN_IMAGE_SIDE = 8;

/** What decoding saw, beside the preprocessed image: the source size and its invalid (NaN/BLANK) pixels. */
export interface LoadedImage {
  image: PreprocessedImage;
  source: { width: number; height: number; bands: number; format: string; invalidPixels: number };
}

/** As loadImage, for options already resolved (the dataset resolves once and loads thousands). */
export async function loadResolved(path: string, options: PreprocessOptions): Promise<PreprocessedImage> {
  return (await loadDetailed(path, options)).image;
}

/**
 * As loadResolved, also returning the decoded image's size and invalid-pixel count (for `galmorph check`).
 * Refuses (InputError naming the file) an image under MIN_IMAGE_SIDE pixels on a side (unless the input is that small
 * too) and one whose every pixel
 * is NaN or BLANK.
 */
export async function loadDetailed(path: string, options: PreprocessOptions): Promise<LoadedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? 'image file not found' : code === 'EISDIR' ? 'the image path is a folder, not a file' : `cannot read image file (${code ?? (err as Error).message})`,
      { file: path },
      'check the catalog\'s image column and the image folder',
    );
  }
  if (bytes.length === 0) throw new InputError('image file is empty (0 bytes)', { file: path }, 'replace the file');
  const decoded = await decodeImage(bytes, path, { fitsHdu: options.fitsHdu });
  const { width, height, bands, format, invalidPixels } = decoded;
  if (Math.min(width, height) < Math.min(MIN_IMAGE_SIDE, options.size)) {
    throw new InputError(`image is only ${width}×${height} pixels (at least ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE} needed; it would be upscaled to ${options.size}×${options.size})`,
      { file: path }, 'replace it with a real cutout, or leave it out with --on-bad skip');
  }
  if (invalidPixels >= width * height * bands) {
    throw new InputError(`every one of the ${width * height * bands} pixels is NaN or BLANK`, { file: path }, 'the image holds no data: replace it, or leave it out with --on-bad skip');
  }
  return { image: preprocess(decoded, options, path), source: { width, height, bands, format, invalidPixels } };
}
