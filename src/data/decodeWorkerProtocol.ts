/**
 * The work a decode worker does, shared with the in-thread path so both produce identical batches:
 * load + preprocess + (seeded) augment a list of images, packing the good ones into one Float32Array
 * and reporting the bad ones (InputError) instead of throwing.
 */
import { InputError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { augmentImage, type AugmentOptions } from './augment.js';
import { loadResolved } from './image.js';
import { isVirtualImage, loadVirtualImage } from './simulator/virtualCatalog.js';
import type { PreprocessOptions } from './preprocess.js';

/** Fixed for the worker's lifetime (sent as workerData). */
export interface DecodeSettings {
  preprocess: PreprocessOptions;
  /** null: no augmentation. */
  augment: AugmentOptions | null;
}

export interface DecodeItem {
  id: string;
  /** Absolute path of the image file. */
  image: string;
  /** Seed of this item's augmentation draw; ignored when settings.augment is null. */
  augmentSeed: number;
}

export interface DecodeRequest {
  seq: number;
  items: DecodeItem[];
}

/** An image that could not be used, and why. */
export interface BadImage {
  id: string;
  image: string;
  reason: string;
}

export interface DecodeResult {
  seq: number;
  /** The good images one after another (HWC each), in request order. */
  images: Float32Array;
  /** ok[i]: item i decoded and is in `images`. */
  ok: boolean[];
  bad: BadImage[];
}

/** What a worker posts back: a result, or a failure that is not the input's fault (a bug). */
export type DecodeReply = { result: DecodeResult } | { seq: number; fatal: string };

export async function decodeBatch(request: DecodeRequest, settings: DecodeSettings): Promise<DecodeResult> {
  const pixels: Float32Array[] = [];
  const ok: boolean[] = [];
  const bad: BadImage[] = [];
  for (const item of request.items) {
    try {
      // A virtual catalog's image (simulator/virtualCatalog.ts) is rendered, not read.
      let image = isVirtualImage(item.image) ? loadVirtualImage(item.image, settings.preprocess) : await loadResolved(item.image, settings.preprocess);
      if (settings.augment !== null) image = { ...augmentImage(image, new Rng(item.augmentSeed), settings.augment), invalidPixels: image.invalidPixels };
      pixels.push(image.data);
      ok.push(true);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      ok.push(false);
      bad.push({ id: item.id, image: item.image, reason: err.message });
    }
  }
  const per = pixels[0]?.length ?? 0;
  const images = new Float32Array(per * pixels.length);
  pixels.forEach((p, i) => images.set(p, i * per));
  return { seq: request.seq, images, ok, bad };
}
