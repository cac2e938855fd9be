/**
 * Browser pixels → a network input with the model's saved preprocessing (crop, size, grey/rgb): an ImageData, or
 * anything a canvas can draw (an <img> that has loaded, a <canvas>, an ImageBitmap, an OffscreenCanvas), is turned
 * into the planar image Node's decoders produce (data/planarImage.ts: RGB of RGBA, 8 bits / 255) and then through
 * the same preprocess() as `galmorph predict` (data/preprocess.ts). A PNG read here and by Node gives the same
 * input; a JPEG may differ in the last bit, as decoders do.
 *
 * Only structural types are used (no DOM library in the project's TypeScript settings).
 */
import { InputError } from '../util/errors.js';
import { interleavedToPlanar, type PlanarImage } from '../data/planarImage.js';
import { preprocess, type PreprocessedImage, type PreprocessOptions } from '../data/preprocess.js';

/** What an ImageData is: RGBA bytes, row 0 at the top. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Something a 2D canvas can draw: HTMLImageElement, HTMLCanvasElement, ImageBitmap, OffscreenCanvas, … */
export type Drawable = object & ({ naturalWidth: number; naturalHeight: number } | { width: number; height: number });

export type PixelSource = RgbaPixels | Drawable;

interface Context2D {
  drawImage(image: unknown, dx: number, dy: number): void;
  getImageData(x: number, y: number, w: number, h: number): RgbaPixels;
}
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d', options?: { willReadFrequently?: boolean }): Context2D | null;
}
interface BrowserGlobals {
  OffscreenCanvas?: new (width: number, height: number) => CanvasLike;
  document?: { createElement(tag: 'canvas'): CanvasLike };
}

function isRgba(source: PixelSource): source is RgbaPixels {
  const data = (source as Partial<RgbaPixels>).data;
  return data instanceof Uint8ClampedArray || data instanceof Uint8Array;
}

/** The RGBA pixels of `source` (drawn once onto a canvas unless it is already an ImageData). */
export function rgbaPixels(source: PixelSource, name = 'image'): RgbaPixels {
  if (isRgba(source)) {
    if (source.data.length !== source.width * source.height * 4) {
      throw new InputError(`has ${source.data.length} bytes, not ${source.width}×${source.height}×4 (RGBA)`, { file: name }, 'pass an ImageData or RGBA bytes');
    }
    return source;
  }
  const natural = source as { naturalWidth?: number; naturalHeight?: number; width?: number; height?: number };
  const width = natural.naturalWidth ?? natural.width ?? 0;
  const height = natural.naturalHeight ?? natural.height ?? 0;
  if (width === 0 || height === 0) {
    throw new InputError('has no pixels (an <img> that has not loaded yet, or failed to)', { file: name }, 'await img.decode() (or its load event) before predicting');
  }
  const globals = globalThis as BrowserGlobals;
  let canvas: CanvasLike;
  if (globals.OffscreenCanvas !== undefined) canvas = new globals.OffscreenCanvas(width, height);
  else if (globals.document !== undefined) canvas = globals.document.createElement('canvas');
  else throw new Error('galmorph: no canvas here (OffscreenCanvas or document); pass ImageData-like RGBA pixels instead');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('galmorph: cannot get a 2D canvas context');
  context.drawImage(source, 0, 0);
  return context.getImageData(0, 0, width, height);
}

/** RGBA pixels as the planar image the preprocessing reads (alpha dropped, values / 255). */
export function planarFromRgba(pixels: RgbaPixels): PlanarImage {
  return interleavedToPlanar(pixels.data, { width: pixels.width, height: pixels.height, channels: 4, bands: 3 }, 1 / 255, 'png');
}

/** `source` preprocessed as the model was trained (resolved options, e.g. a loaded model's `preprocessing`). */
export function preprocessPixels(source: PixelSource, preprocessing: PreprocessOptions, name = 'image'): PreprocessedImage {
  return preprocess(planarFromRgba(rgbaPixels(source, name)), preprocessing, name);
}
