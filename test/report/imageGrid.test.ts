import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { renderImageGrid, writeImageGrid, type GridImage } from '../../src/report/imageGrid.js';

/** A 4×4 grey image of constant value v. */
function grey(v: number): GridImage {
  return { data: new Float32Array(16).fill(v), height: 4, width: 4, channels: 1 };
}

async function decode(png: Buffer): Promise<{ width: number; height: number; pixel: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    pixel: (x, y) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)],
  };
}

// cols 2, scale 2, gap 4, border ring 3: a cell is 4·2 + 2·3 = 14 px; tile k's image starts 3 px inside its cell.
const layout = { cols: 2, scale: 2, gap: 4, borderWidth: 3 };
const cellOrigin = (k: number): [number, number] => [4 + (k % 2) * 18, 4 + Math.floor(k / 2) * 18];

describe('renderImageGrid', () => {
  it('lays tiles out in rows with upscaled pixels at the expected positions', async () => {
    const values = [0, 0.2, 0.6, 1, 0.4];
    const result = await renderImageGrid(values.map(grey), layout);
    const img = await decode(result.png);
    expect([img.width, img.height]).toEqual([4 + 2 * 18, 4 + 3 * 18]);
    expect([result.width, result.height]).toEqual([img.width, img.height]);
    values.forEach((v, k) => {
      const [x0, y0] = cellOrigin(k);
      const expected = Math.round(v * 255);
      expect(img.pixel(x0 + 3, y0 + 3)).toEqual([expected, expected, expected]);
      expect(img.pixel(x0 + 3 + 7, y0 + 3 + 7)).toEqual([expected, expected, expected]);
    });
    expect(img.pixel(cellOrigin(5)[0] + 7, cellOrigin(5)[1] + 7)).toEqual([255, 255, 255]);
    expect(result.nanPixels).toBe(0);
  });

  it('keeps RGB channels apart', async () => {
    const data = new Float32Array(16 * 3);
    for (let p = 0; p < 16; p++) data.set([1, 0.5, 0], p * 3);
    const img = await decode((await renderImageGrid([{ data, height: 4, width: 4, channels: 3 }], layout)).png);
    expect(img.pixel(4 + 3, 4 + 3)).toEqual([255, 128, 0]);
  });

  it('draws borders only where asked', async () => {
    const result = await renderImageGrid([grey(0.5), grey(0.5)], { ...layout, borders: ['red', null] });
    const img = await decode(result.png);
    expect(img.pixel(cellOrigin(0)[0], cellOrigin(0)[1])).toEqual([0xe0, 0, 0]);
    expect(img.pixel(cellOrigin(0)[0] + 2, cellOrigin(0)[1] + 7)).toEqual([0xe0, 0, 0]);
    expect(img.pixel(cellOrigin(1)[0], cellOrigin(1)[1])).toEqual([255, 255, 255]);
  });

  it('marks NaN pixels in the marker colour and counts them per image', async () => {
    const withNaN = grey(0.5);
    withNaN.data[0] = NaN;
    withNaN.data[5] = NaN;
    const result = await renderImageGrid([grey(0.5), withNaN], layout);
    expect(result.nanPixels).toBe(2);
    expect(result.nanPixelsPerImage).toEqual([0, 2]);
    const img = await decode(result.png);
    const [x0, y0] = cellOrigin(1);
    expect(img.pixel(x0 + 3, y0 + 3)).toEqual([255, 0, 255]);
    expect(img.pixel(x0 + 3 + 2, y0 + 3 + 2)).toEqual([255, 0, 255]);
    expect(img.pixel(x0 + 3 + 4, y0 + 3)).toEqual([128, 128, 128]);
  });

  it('clips and counts values outside [0, 1]', async () => {
    const bright = grey(0.5);
    bright.data[0] = 1.7;
    bright.data[1] = -0.2;
    const result = await renderImageGrid([bright], layout);
    expect(result.clippedValues).toBe(2);
    expect((await decode(result.png)).pixel(4 + 3, 4 + 3)).toEqual([255, 255, 255]);
  });

  it('adds a caption strip under each row and draws text into it', async () => {
    const result = await renderImageGrid([grey(1), grey(1)], { ...layout, captions: ['a', 'bb'], captionSize: 11 });
    expect(result.height).toBe(4 + 14 + 17 + 4);
    const img = await decode(result.png);
    let dark = 0;
    for (let y = 4 + 14; y < 4 + 14 + 17; y++) for (let x = 0; x < img.width; x++) if (img.pixel(x, y)[0] < 128) dark++;
    expect(dark).toBeGreaterThan(5);
  });

  it('names the image or option that does not fit', async () => {
    const odd: GridImage = { data: new Float32Array(25), height: 5, width: 5, channels: 1 };
    await expect(renderImageGrid([grey(0), odd])).rejects.toThrow(/option "images\[1\]": expected the size of images\[0\] \(4×4×1\), got "5×5×1"/);
    await expect(renderImageGrid([{ ...grey(0), data: new Float32Array(3) }])).rejects.toThrow(/images\[0\]\.data.*16 values/);
    await expect(renderImageGrid([])).rejects.toThrow(/option "images"/);
    await expect(renderImageGrid([grey(0)], { captions: ['a', 'b'] })).rejects.toThrow(/option "captions": expected 1 captions/);
    await expect(renderImageGrid([grey(0)], { borders: ['pink'] })).rejects.toThrow(/option "borders\[0\]": expected a colour/);
    await expect(renderImageGrid([grey(0)], { scale: 1.5 })).rejects.toThrow(/option "scale"/);
  });
});

describe('writeImageGrid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galmorph-grid-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a PNG of the reported size into a new folder', async () => {
    const path = join(dir, 'nested', 'grid.png');
    const result = await writeImageGrid(path, [grey(0.3), grey(0.7), grey(0.1)], { cols: 2 });
    const meta = await sharp(path).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([result.width, result.height]);
  });
});
