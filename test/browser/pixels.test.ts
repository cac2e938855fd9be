// Browser pixels (ImageData-like RGBA) → the model's input, in Node: the same numbers as a PNG of the same pixels
// decoded by sharp and preprocessed by `galmorph predict`'s path, for grey and RGB models; bad sources refused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../../src/data/image.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { preprocessPixels } from '../../src/browser/pixels.js';

describe('browser pixels', () => {
  it('preprocess RGBA pixels exactly as Node preprocesses the same PNG (crop, resize, grey and rgb)', async () => {
    const [width, height] = [90, 70];
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) rgba.set([(p * 7) % 256, (p * 13) % 256, (p * 29) % 256, 255], 4 * p);
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => rgba[4 * Math.floor(i / 3) + (i % 3)]);
    const file = join(mkdtempSync(join(tmpdir(), 'gm-pixels-')), 'c.png');
    await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(file);
    for (const given of [{ size: 16, crop: 0.5 }, { size: 24, crop: 60, colour: 'rgb' as const }, { size: 80, crop: 1 }]) {
      const options = resolvePreprocessOptions(given);
      const node = await loadImage(file, options);
      const browser = preprocessPixels({ width, height, data: rgba }, options);
      expect([browser.height, browser.width, browser.channels]).toEqual([node.height, node.width, node.channels]);
      const gap = Math.max(...Array.from(node.data, (v, i) => Math.abs(v - browser.data[i])));
      expect(gap, JSON.stringify(given)).toBeLessThan(1e-6);
    }
  });

  it('refuses RGBA bytes of the wrong length and an image that has not loaded, naming it', () => {
    const options = resolvePreprocessOptions({ size: 8 });
    expect(() => preprocessPixels({ width: 4, height: 4, data: new Uint8ClampedArray(48) }, options, 'tile')).toThrow(/tile: has 48 bytes, not 4×4×4 \(RGBA\)/);
    expect(() => preprocessPixels({ naturalWidth: 0, naturalHeight: 0 }, options, 'img 1')).toThrow(/img 1: has no pixels .* await img\.decode\(\)/);
  });
});
