/**
 * Writes a chart's SVG next to a PNG rendering of it (sharp rasterises the SVG), so a run folder has a
 * vector file for papers and a bitmap for quick viewing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { check, resolveOptions, type Spec } from '../util/options.js';

export interface WriteFigureOptions {
  /** Pixel density of the PNG relative to the SVG's size (2 = sharp on high-resolution screens). @default 2 */
  pngScale: number;
}

const DEFAULTS: WriteFigureOptions = { pngScale: 2 };
const SPEC: Spec<WriteFigureOptions> = { pngScale: check.number(0.25, 8) };

export interface FigureFiles {
  svg: string;
  png: string;
}

/** Writes `<base>.svg` and `<base>.png` (a trailing .svg or .png on `base` is dropped) and returns both paths. */
export async function writeFigure(base: string, svg: string, options: Partial<WriteFigureOptions> = {}): Promise<FigureFiles> {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  const stem = base.replace(/\.(svg|png)$/i, '');
  const files = { svg: `${stem}.svg`, png: `${stem}.png` };
  mkdirSync(dirname(stem), { recursive: true });
  writeFileSync(files.svg, svg);
  await sharp(Buffer.from(svg), { density: 72 * o.pngScale }).flatten({ background: '#ffffff' }).png().toFile(files.png);
  return files;
}
