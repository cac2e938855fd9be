/**
 * A PNG grid of galaxy images (same size, grey or RGB, values in [0, 1]) with optional captions under each
 * tile, optional coloured borders (e.g. acquired galaxies in red) and integer upscaling. NaN pixels are
 * painted in a marker colour and counted; values outside [0, 1] are clipped and counted — neither is hidden.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Check, type Spec } from '../util/options.js';
import { parseColor, type Rgb } from './palette.js';
import { el, FONT_FAMILY, textEl, textWidth } from './svg.js';

/** One image, pixels in height × width × channels (HWC) order. */
export interface GridImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface ImageGridOptions {
  /** Tiles per row. @default 8 */
  cols: number;
  /** A caption under each tile (same length as the images); null for none. @default null */
  captions: string[] | null;
  /** A border colour per tile ("#rrggbb" or a palette name), null for no border; null for no borders. @default null */
  borders: (string | null)[] | null;
  /** Integer upscaling of every pixel (nearest neighbour). @default 1 */
  scale: number;
  /** Pixels between tiles and around the grid. @default 4 */
  gap: number;
  /** Width of the ring around each tile where a border is drawn. @default 3 */
  borderWidth: number;
  /** Colour of NaN pixels. @default 'magenta' */
  nanColor: string;
  /** Caption font size in pixels. @default 11 */
  captionSize: number;
}

const DEFAULTS: ImageGridOptions = {
  cols: 8,
  captions: null,
  borders: null,
  scale: 1,
  gap: 4,
  borderWidth: 3,
  nanColor: 'magenta',
  captionSize: 11,
};

function listCheck<T>(isItem: (v: unknown) => boolean, expected: string): Check<T[] | null> {
  return (v, name) => {
    if (v !== null && (!Array.isArray(v) || !v.every(isItem))) throw new OptionError(name, expected, v);
  };
}

const SPEC: Spec<ImageGridOptions> = {
  cols: check.integer(1, 1000),
  captions: listCheck((v) => typeof v === 'string', 'null or a list of strings'),
  borders: listCheck((v) => v === null || typeof v === 'string', 'null or a list of colours or nulls'),
  scale: check.integer(1, 64),
  gap: check.integer(0, 100),
  borderWidth: check.integer(0, 50),
  nanColor: check.string(),
  captionSize: check.integer(6, 48),
};

export interface ImageGridResult {
  /** PNG size in pixels. */
  width: number;
  height: number;
  /** NaN pixels (a pixel counts once however many channels are NaN), over all images and per image. */
  nanPixels: number;
  nanPixelsPerImage: number[];
  /** Channel values below 0 or above 1 that were clipped for display. */
  clippedValues: number;
}

/** Pixel geometry of the grid: where tile k's cell (border ring included) starts and how big it is. */
interface GridLayout {
  width: number;
  height: number;
  cellWidth: number;
  cellHeight: number;
  captionHeight: number;
  origin: (k: number) => [number, number];
}

/** Renders the grid to PNG bytes. */
export async function renderImageGrid(
  images: readonly GridImage[],
  options: Partial<ImageGridOptions> = {},
): Promise<ImageGridResult & { png: Buffer }> {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  checkImages(images);
  if (o.captions && o.captions.length !== images.length) {
    throw new OptionError('captions', `${images.length} captions (one per image)`, o.captions);
  }
  if (o.borders && o.borders.length !== images.length) {
    throw new OptionError('borders', `${images.length} colours or nulls (one per image)`, o.borders);
  }
  const nanRgb = parseColor(o.nanColor, 'nanColor');
  const borderRgb = (o.borders ?? []).map((c, k) => (c === null ? null : parseColor(c, `borders[${k}]`)));
  const layout = gridLayout(images[0], images.length, o);

  const canvas = new Uint8Array(layout.width * layout.height * 3).fill(255);
  const nanPixelsPerImage: number[] = [];
  let clippedValues = 0;
  images.forEach((image, k) => {
    const [x0, y0] = layout.origin(k);
    const border = borderRgb[k];
    if (border) fillRect(canvas, layout.width, x0, y0, layout.cellWidth, layout.cellHeight, border);
    const drawn = drawTile(canvas, layout.width, image, x0 + o.borderWidth, y0 + o.borderWidth, o.scale, nanRgb);
    nanPixelsPerImage.push(drawn.nanPixels);
    clippedValues += drawn.clippedValues;
  });

  let picture = sharp(canvas, { raw: { width: layout.width, height: layout.height, channels: 3 } });
  if (o.captions) {
    picture = picture.composite([{ input: Buffer.from(captionOverlay(o.captions, layout, o.captionSize)), left: 0, top: 0 }]);
  }
  const png = await picture.png().toBuffer();
  return {
    png,
    width: layout.width,
    height: layout.height,
    nanPixels: nanPixelsPerImage.reduce((a, b) => a + b, 0),
    nanPixelsPerImage,
    clippedValues,
  };
}

/** Writes the grid as a PNG at `path` (folders created) and returns its size and NaN / clipping counts. */
export async function writeImageGrid(
  path: string,
  images: readonly GridImage[],
  options: Partial<ImageGridOptions> = {},
): Promise<ImageGridResult> {
  const { png, ...result } = await renderImageGrid(images, options);
  mkdirSync(dirname(path), { recursive: true });
  await sharp(png).toFile(path);
  return result;
}

function checkImages(images: readonly GridImage[]): void {
  if (!Array.isArray(images) || images.length === 0) throw new OptionError('images', 'at least one image', images);
  const first = images[0];
  images.forEach((image, k) => {
    const name = `images[${k}]`;
    if (image.channels !== 1 && image.channels !== 3) throw new OptionError(`${name}.channels`, '1 (grey) or 3 (RGB)', image.channels);
    if (!Number.isInteger(image.height) || !Number.isInteger(image.width) || image.height < 1 || image.width < 1) {
      throw new OptionError(name, 'positive integer height and width', `${image.height}×${image.width}`);
    }
    if (image.height !== first.height || image.width !== first.width || image.channels !== first.channels) {
      throw new OptionError(
        name,
        `the size of images[0] (${first.height}×${first.width}×${first.channels})`,
        `${image.height}×${image.width}×${image.channels}`,
      );
    }
    const expected = image.height * image.width * image.channels;
    if (!(image.data instanceof Float32Array) || image.data.length !== expected) {
      throw new OptionError(`${name}.data`, `a Float32Array of ${expected} values (height × width × channels)`, image.data?.length);
    }
  });
}

function gridLayout(first: GridImage, count: number, o: ImageGridOptions): GridLayout {
  const cols = Math.min(o.cols, count);
  const rows = Math.ceil(count / o.cols);
  const cellWidth = first.width * o.scale + 2 * o.borderWidth;
  const cellHeight = first.height * o.scale + 2 * o.borderWidth;
  const captionHeight = o.captions ? o.captionSize + 6 : 0;
  return {
    width: o.gap + cols * (cellWidth + o.gap),
    height: o.gap + rows * (cellHeight + captionHeight + o.gap),
    cellWidth,
    cellHeight,
    captionHeight,
    origin: (k) => [o.gap + (k % o.cols) * (cellWidth + o.gap), o.gap + Math.floor(k / o.cols) * (cellHeight + captionHeight + o.gap)],
  };
}

function fillRect(canvas: Uint8Array, canvasWidth: number, x0: number, y0: number, w: number, h: number, rgb: Rgb): void {
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) canvas.set(rgb, (y * canvasWidth + x) * 3);
  }
}

function drawTile(
  canvas: Uint8Array,
  canvasWidth: number,
  image: GridImage,
  x0: number,
  y0: number,
  scale: number,
  nanRgb: Rgb,
): { nanPixels: number; clippedValues: number } {
  let nanPixels = 0;
  let clippedValues = 0;
  const rgb: number[] = [0, 0, 0];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const base = (y * image.width + x) * image.channels;
      let missing = false;
      for (let c = 0; c < 3; c++) {
        const v = image.data[base + (image.channels === 3 ? c : 0)];
        if (Number.isNaN(v)) missing = true;
        else if (c < image.channels && (v < 0 || v > 1)) clippedValues++;
        rgb[c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
      if (missing) nanPixels++;
      fillRect(canvas, canvasWidth, x0 + x * scale, y0 + y * scale, scale, scale, missing ? nanRgb : (rgb as unknown as Rgb));
    }
  }
  return { nanPixels, clippedValues };
}

/** Transparent SVG the size of the grid with each caption centred under its tile, shortened with … to fit. */
function captionOverlay(captions: readonly string[], layout: GridLayout, size: number): string {
  const room = layout.cellWidth - 2;
  const maxChars = Math.max(1, Math.floor(room / textWidth('0', size)));
  const texts = captions.map((caption, k) => {
    const [x0, y0] = layout.origin(k);
    const shown = textWidth(caption, size) > room ? caption.slice(0, maxChars - 1) + '…' : caption;
    return textEl(x0 + layout.cellWidth / 2, y0 + layout.cellHeight + size + 1, shown, { 'text-anchor': 'middle' });
  });
  return el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width: layout.width, height: layout.height, 'font-family': FONT_FAMILY, 'font-size': size, fill: '#222222' },
    texts.join(''),
  );
}
