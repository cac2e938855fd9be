import { describe, expect, it } from 'vitest';
import { addPointSource } from '../../../src/data/simulator/blob.js';
import { blurSeparable, moffatKernel } from '../../../src/data/simulator/psf.js';

describe('Moffat PSF', () => {
  it('has normalised symmetric taps', () => {
    const k = moffatKernel(2.2, 3);
    expect(k.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    for (let t = 0; t < k.length; t++) expect(k[t]).toBeCloseTo(k[k.length - 1 - t], 15);
  });

  it('blurs a point source to the requested FWHM and keeps its flux', () => {
    const size = 48;
    for (const fwhm of [1.5, 2.5, 4]) {
      const img = new Float32Array(size * size);
      addPointSource(img, size, 24.5, 24.5, 1000); // exactly on the centre of pixel (24, 24)
      blurSeparable(img, size, moffatKernel(fwhm, 3.5));
      expect(img.reduce((s, x) => s + x, 0)).toBeCloseTo(1000, 2);
      // Half maximum along the row through the peak, by linear interpolation between pixels.
      const row = Array.from(img.slice(24 * size, 25 * size));
      const peak = row[24];
      let i = 24;
      while (row[i + 1] > peak / 2) i++;
      const halfWidth = i - 24 + (row[i] - peak / 2) / (row[i] - row[i + 1]);
      // Sampling a continuous profile at pixel centres blurs the core by about a pixel; allow ±0.35 px.
      expect(Math.abs(2 * halfWidth - fwhm)).toBeLessThan(0.35);
    }
  });

  it('blurs near the edges without reading outside the image and without gaining light', () => {
    const size = 16;
    const img = new Float32Array(size * size);
    addPointSource(img, size, 0.5, 0.5, 100);
    blurSeparable(img, size, moffatKernel(3, 3));
    const total = img.reduce((s, x) => s + x, 0);
    expect(total).toBeLessThan(100);
    expect(total).toBeGreaterThan(25);
    expect(img.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
  });
});
