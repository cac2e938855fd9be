import { describe, expect, it } from 'vitest';
import type { PlanarImage } from '../../src/data/imageDecode.js';
import { preprocess, resampleWeights, resizePlane, resolvePreprocessOptions } from '../../src/data/preprocess.js';

/** A planar image from per-band arrays of rows. */
function planar(bands: number[][][], format: PlanarImage['format'] = 'png'): PlanarImage {
  const height = bands[0].length;
  const width = bands[0][0].length;
  return { width, height, bands: bands.length, data: Float32Array.from(bands.flat(2)), format, invalidPixels: 0 };
}

// 4 × 4 ramp, value (4y + x) / 16.
const ramp = [0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((x) => (4 * y + x) / 16));

describe('preprocess', () => {
  it('takes the central crop as a fraction or in pixels', () => {
    const expected = [5, 6, 9, 10].map((v) => v / 16);
    for (const crop of [0.5, 2]) {
      const out = preprocess(planar([ramp]), resolvePreprocessOptions({ size: 2, crop }), 'ramp');
      expect(Array.from(out.data)).toEqual(expected.map((v) => Math.fround(v)));
    }
  });

  it('shrinks by area averaging: 4 × 4 → 2 × 2 gives the block means', () => {
    const out = preprocess(planar([ramp]), resolvePreprocessOptions({ size: 2 }), 'ramp');
    const block = (x0: number, y0: number) => (4 * y0 + x0 + 4 * y0 + x0 + 1 + 4 * (y0 + 1) + x0 + 4 * (y0 + 1) + x0 + 1) / 4 / 16;
    expect(Array.from(out.data).map((v) => +v.toFixed(6))).toEqual([block(0, 0), block(2, 0), block(0, 2), block(2, 2)].map((v) => +v.toFixed(6)));
  });

  it('enlarges bilinearly between pixel centres', () => {
    const out = resizePlane(Float32Array.of(0, 1), 2, 1, 4, 1);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('shrink weights sum to one and cover the input exactly once (424 → 64)', () => {
    const { start, taps } = resampleWeights(424, 64);
    const coverage = new Float64Array(424);
    taps.forEach((w, j) => {
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      w.forEach((v, k) => (coverage[start[j] + k] += v));
    });
    for (const c of coverage) expect(c).toBeCloseTo(64 / 424, 5);
  });

  it('greyscale is the mean of all bands or of the chosen ones; rgb follows the band order', () => {
    const flat = (v: number) => [[v, v], [v, v]];
    const img = planar([flat(0.3), flat(0.6), flat(0.9)]);
    expect(preprocess(img, resolvePreprocessOptions({ size: 2 }), 'f').data[0]).toBeCloseTo(0.6, 6);
    expect(preprocess(img, resolvePreprocessOptions({ size: 2, bands: [0, 2] }), 'f').data[0]).toBeCloseTo(0.6, 6);
    expect(preprocess(img, resolvePreprocessOptions({ size: 2, bands: [1] }), 'f').data[3]).toBeCloseTo(0.6, 6);
    const rgb = preprocess(img, resolvePreprocessOptions({ size: 2, colour: 'rgb', bands: [2, 0, 1] }), 'f');
    expect(Array.from(rgb.data.subarray(0, 3)).map((v) => +v.toFixed(6))).toEqual([0.9, 0.3, 0.6]);
    const single = preprocess(planar([flat(0.4)]), resolvePreprocessOptions({ size: 2, colour: 'rgb' }), 'f');
    expect(single.channels).toBe(3);
    expect(Array.from(single.data.subarray(0, 3)).map((v) => +v.toFixed(6))).toEqual([0.4, 0.4, 0.4]);
  });

  it('reports impossible crops and bands with the file name', () => {
    expect(() => preprocess(planar([ramp]), resolvePreprocessOptions({ size: 2, crop: 5 }), 'small.png'))
      .toThrow(/small\.png: crop of 5 px is larger than the image \(4 × 4\)/);
    expect(() => preprocess(planar([ramp]), resolvePreprocessOptions({ bands: [1] }), 'one.png'))
      .toThrow(/one\.png: band 1 requested but the image has 1 band\(s\)/);
    expect(() => preprocess(planar([ramp, ramp]), resolvePreprocessOptions({ colour: 'rgb' }), 'two.fits'))
      .toThrow(/two\.fits: colour "rgb" needs three bands, the image has 2/);
  });

  it('validates options, naming the parameter', () => {
    expect(() => resolvePreprocessOptions({ size: 0 })).toThrow(/option "size": expected an integer in \[1, 4096\], got 0/);
    expect(() => resolvePreprocessOptions({ crop: 2.5 })).toThrow(/option "crop": expected a fraction in \(0, 1\] or a whole number/);
    expect(() => resolvePreprocessOptions({ clipPercentiles: [99, 1] })).toThrow(/option "clipPercentiles"/);
    expect(() => resolvePreprocessOptions({ colour: 'rgb', bands: [0, 1] })).toThrow(/option "bands": expected exactly three bands/);
  });

});
