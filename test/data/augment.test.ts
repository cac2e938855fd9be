import { describe, expect, it } from 'vitest';
import { applyAugmentation, augmentImage, IDENTITY, resolveAugmentOptions, rotateImage } from '../../src/data/augment.js';
import type { ImageArray } from '../../src/data/preprocess.js';
import { Rng } from '../../src/util/rng.js';

function marked(w: number, h: number, x: number, y: number, channels = 1): ImageArray {
  const data = new Float32Array(w * h * channels);
  for (let c = 0; c < channels; c++) data[(y * w + x) * channels + c] = 1 + c;
  return { data, width: w, height: h, channels };
}

function argmax(img: ImageArray): [number, number] {
  let best = 0;
  for (let i = 1; i < img.width * img.height; i++) if (img.data[i * img.channels] > img.data[best * img.channels]) best = i;
  return [best % img.width, Math.floor(best / img.width)];
}

describe('augmentation', () => {
  it('rotating +90° moves a pixel right of the centre to above it (counter-clockwise as displayed)', () => {
    // 5 × 5, centre (2, 2); mark (4, 2): two pixels to the right.
    const out = rotateImage(marked(5, 5, 4, 2, 2), Math.PI / 2);
    expect(argmax(out)).toEqual([2, 0]);
    expect(out.data[(0 * 5 + 2) * 2]).toBeCloseTo(1, 12);
    expect(out.data[(0 * 5 + 2) * 2 + 1]).toBeCloseTo(2, 12);
    expect(out.data.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 12);
  });

  it('rotating an even-sized image by 90° about its centre lands exactly', () => {
    // 4 × 4, centre (1.5, 1.5); (3, 1) is (+1.5, −0.5) from it → after +90° (−0.5, −1.5) → pixel (1, 0).
    expect(argmax(rotateImage(marked(4, 4, 3, 1), Math.PI / 2))).toEqual([1, 0]);
    expect(argmax(rotateImage(marked(4, 4, 3, 1), -Math.PI / 2))).toEqual([2, 3]);
  });

  it('rotation by an arbitrary angle keeps the centroid where the rotation sends it', () => {
    const img = marked(21, 21, 15, 10); // (+5, 0) from the centre (10, 10)
    const angle = 0.5;
    const out = rotateImage(img, angle);
    let sx = 0, sy = 0, s = 0;
    for (let y = 0; y < 21; y++) for (let x = 0; x < 21; x++) {
      const v = out.data[y * 21 + x];
      sx += v * x; sy += v * y; s += v;
    }
    expect(sx / s).toBeCloseTo(10 + 5 * Math.cos(angle), 1);
    expect(sy / s).toBeCloseTo(10 - 5 * Math.sin(angle), 1);
  });

  it('flips mirror exactly', () => {
    const img = marked(4, 3, 0, 0);
    expect(argmax(applyAugmentation(img, { ...IDENTITY, flipX: true }))).toEqual([3, 0]);
    expect(argmax(applyAugmentation(img, { ...IDENTITY, flipY: true }))).toEqual([0, 2]);
  });

  it('a crop of half the side, centred, zooms in by two', () => {
    // 1-D ramp along x on a 5 × 5 image; crop scale 0.5 about the centre samples x = 2 + (xo − 2)/2.
    const data = new Float32Array(25);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) data[y * 5 + x] = x;
    const out = applyAugmentation({ data, width: 5, height: 5, channels: 1 }, { ...IDENTITY, scale: 0.5 });
    expect(Array.from(out.data.subarray(0, 5))).toEqual([1, 1.5, 2, 2.5, 3]);
  });

  it('is reproducible from the seed and differs between seeds', () => {
    const img = marked(9, 9, 6, 3);
    const options = resolveAugmentOptions({ cropScale: [0.7, 1] });
    const a = augmentImage(img, new Rng(5), options);
    const b = augmentImage(img, new Rng(5), options);
    const c = augmentImage(img, new Rng(6), options);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('validates its options', () => {
    expect(() => resolveAugmentOptions({ cropScale: [0, 1] })).toThrow(/option "cropScale": expected two fractions/);
    expect(() => resolveAugmentOptions({ rotate: 'some' as never })).toThrow(/option "rotate": expected one of none \| right \| any/);
  });
});
