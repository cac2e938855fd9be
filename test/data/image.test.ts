import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImage } from '../../src/data/image.js';
import { primaryImage } from './fitsBytes.js';

const dir = mkdtempSync(join(tmpdir(), 'galmorph-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An 8 × 6 RGB image whose pixel (x, y) is (10x + y, 100 + y, 200 − 5x). */
function pattern(): Uint8Array {
  const w = 8;
  const h = 6;
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) px.set([10 * x + y, 100 + y, 200 - 5 * x], (y * w + x) * 3);
  }
  return px;
}

async function writeImage(name: string, format: 'png' | 'jpeg', px: Uint8Array, w: number, h: number): Promise<string> {
  const path = join(dir, name);
  const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 100, chromaSubsampling: '4:4:4' })).toFile(path);
  return path;
}

/** A 16-bit greyscale PNG written chunk by chunk (filter type 0 on every row). */
function png16(width: number, height: number, values: number[]): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([16, 0, 0, 0, 0], 8); // bit depth 16, colour type 0 (grey), deflate, filter 0, no interlace
  const raw = Buffer.alloc(height * (1 + 2 * width));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.writeUInt16BE(values[y * width + x], y * (1 + 2 * width) + 1 + 2 * x);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('loadImage on PNG and JPEG', () => {
  it('keeps the full precision of a 16-bit PNG', async () => {
    const path = join(dir, 'deep.png');
    writeFileSync(path, png16(2, 2, [0, 1000, 65535, 30000]));
    const image = await loadImage(path, { size: 2 });
    expect(Array.from(image.data)).toEqual([0, 1000 / 65535, 1, 30000 / 65535].map(Math.fround));
  });

  it('keeps a greyscale PNG as one band', async () => {
    const path = join(dir, 'grey.png');
    await sharp(Uint8Array.of(0, 51, 102, 255), { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('b-w').png().toFile(path);
    expect(Array.from((await loadImage(path, { size: 2 })).data)).toEqual([0, 0.2, 0.4, 1].map(Math.fround));
    await expect(loadImage(path, { size: 2, bands: [1] })).rejects.toThrow(/grey\.png: band 1 requested but the image has 1 band/);
  });

  it('decodes a PNG exactly, taking the central square of a wide image', async () => {
    const path = await writeImage('p.png', 'png', pattern(), 8, 6);
    const image = await loadImage(path, { size: 6, colour: 'rgb' });
    expect([image.height, image.width, image.channels]).toEqual([6, 6, 3]);
    // The central 6 × 6 of an 8-wide image starts at x = 1.
    for (const [x, y] of [[0, 0], [5, 0], [2, 3], [5, 5]]) {
      const at = (y * 6 + x) * 3;
      const sx = x + 1;
      expect(image.data[at]).toBeCloseTo((10 * sx + y) / 255, 6);
      expect(image.data[at + 1]).toBeCloseTo((100 + y) / 255, 6);
      expect(image.data[at + 2]).toBeCloseTo((200 - 5 * sx) / 255, 6);
    }
  });

  it('greyscale is the mean of the bands', async () => {
    const path = await writeImage('g.png', 'png', pattern(), 8, 6);
    const image = await loadImage(path, { size: 6 });
    expect(image.channels).toBe(1);
    const [x, y] = [3, 2];
    const sx = x + 1;
    expect(image.data[y * 6 + x]).toBeCloseTo((10 * sx + y + 100 + y + 200 - 5 * sx) / 3 / 255, 6);
  });

  it('decodes a JPEG of a flat colour to that colour within JPEG error', async () => {
    const px = new Uint8Array(16 * 16 * 3);
    for (let i = 0; i < px.length; i += 3) px.set([200, 100, 50], i);
    const path = await writeImage('flat.jpg', 'jpeg', px, 16, 16);
    const rgb = await loadImage(path, { size: 4, colour: 'rgb' });
    expect(rgb.data[0]).toBeCloseTo(200 / 255, 1);
    expect(rgb.data[1]).toBeCloseTo(100 / 255, 1);
    expect(rgb.data[2]).toBeCloseTo(50 / 255, 1);
    const grey = await loadImage(path, { size: 4 });
    expect(Math.abs(grey.data[5] - 350 / 3 / 255)).toBeLessThan(3 / 255);
  });

  it('throws an InputError naming a truncated JPEG', async () => {
    const good = await writeImage('whole.jpg', 'jpeg', pattern(), 8, 6);
    const bytes = readFileSync(good);
    const cut = join(dir, 'cut.jpg');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(loadImage(cut)).rejects.toThrow(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot decode JPEG: .*premature end`, 'i'));
  });

  it('throws for a file of another kind, an empty file and a missing file', async () => {
    const text = join(dir, 'notes.jpg');
    writeFileSync(text, 'this is not an image');
    await expect(loadImage(text)).rejects.toThrow(/notes\.jpg: cannot decode image: .*galmorph reads JPEG, PNG and FITS/);
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    await expect(loadImage(empty)).rejects.toThrow(/empty\.png: image file is empty/);
    await expect(loadImage(join(dir, 'nope.png'))).rejects.toThrow(/nope\.png: image file not found/);
  });
});

describe('loadImage on FITS', () => {
  // 4 × 4, values 0…15 stored bottom row first, so displayed row 0 holds 12…15.
  const values = Array.from({ length: 16 }, (_, i) => i);
  const path = join(dir, 'ramp.fits');
  writeFileSync(path, primaryImage([4, 4], -32, values));

  it('clips at percentiles and maps linearly to [0, 1]', async () => {
    const image = await loadImage(path, { size: 4, stretch: 'linear', clipPercentiles: [0, 100] });
    expect(image.data[0]).toBeCloseTo(12 / 15, 6);
    expect(image.data[15]).toBeCloseTo(3 / 15, 6);
  });

  it('applies the arcsinh stretch asinh(βx)/asinh(β)', async () => {
    const image = await loadImage(path, { size: 4, clipPercentiles: [0, 100], arcsinhSoftening: 5 });
    expect(image.data[1]).toBeCloseTo(Math.asinh(5 * (13 / 15)) / Math.asinh(5), 6);
    // Percentiles clip: the 10th percentile of 0…15 is 1.5, so 0 and 1 map to 0.
    const clipped = await loadImage(path, { size: 4, stretch: 'linear', clipPercentiles: [10, 100] });
    expect(clipped.data[12]).toBe(0);
    expect(clipped.data[13]).toBe(0);
    expect(clipped.data[14]).toBeCloseTo((2 - 1.5) / 13.5, 6);
  });

  it('writes NaN pixels as 0, leaves them out of the percentiles and counts them', async () => {
    const withNaN = join(dir, 'nan.fits');
    writeFileSync(withNaN, primaryImage([2, 2], -32, [NaN, 2, 4, 6]));
    const image = await loadImage(withNaN, { size: 2, stretch: 'linear', clipPercentiles: [0, 100] });
    expect(image.invalidPixels).toBe(1);
    expect(Array.from(image.data)).toEqual([0.5, 1, 0, 0]);
  });

  it('reads gzip-compressed FITS', async () => {
    const gz = join(dir, 'ramp.fits.gz');
    writeFileSync(gz, gzipSync(readFileSync(path)));
    const plain = await loadImage(path, { size: 2 });
    const unpacked = await loadImage(gz, { size: 2 });
    expect(Array.from(unpacked.data)).toEqual(Array.from(plain.data));
  });

  it('names a truncated FITS file', async () => {
    const cut = join(dir, 'cut.fits');
    writeFileSync(cut, readFileSync(path).subarray(0, 2880 + 10));
    await expect(loadImage(cut)).rejects.toThrow(/cut\.fits: truncated FITS data/);
  });
});
