import { describe, expect, it } from 'vitest';
import { readFits } from '../../src/data/fits.js';
import { card, concat, dataBytes, headerBytes, primaryImage } from './fitsBytes.js';

// A 3 × 2 image stored bottom row first: FITS rows [1 2 3] (bottom), [4 5 6] (top).
const stored = [1, 2, 3, 4, 5, 6];
// As displayed, row 0 is the top row.
const displayed = [4, 5, 6, 1, 2, 3];

describe('readFits', () => {
  for (const bitpix of [8, 16, 32, 64, -32, -64]) {
    it(`reads BITPIX ${bitpix} big-endian with the top row first`, () => {
      const image = readFits(primaryImage([3, 2], bitpix, stored), 'a.fits');
      expect([image.width, image.height, image.bands, image.bitpix]).toEqual([3, 2, 1, bitpix]);
      expect(Array.from(image.data)).toEqual(displayed);
      expect(image.invalidPixels).toBe(0);
    });
  }

  it('applies BSCALE and BZERO (unsigned 16-bit convention and a scaled float)', () => {
    const u16 = readFits(primaryImage([2, 1], 16, [-32768, 32767], [card('BZERO', 32768), card('BSCALE', 1)]), 'u.fits');
    expect(Array.from(u16.data)).toEqual([0, 65535]);
    const scaled = readFits(primaryImage([2, 1], 16, [10, -4], [card('BSCALE', 0.25), card('BZERO', -1.5)]), 's.fits');
    expect(Array.from(scaled.data)).toEqual([10 * 0.25 - 1.5, -4 * 0.25 - 1.5]);
  });

  it('parses a D exponent in a real value', () => {
    const bytes = concat(
      headerBytes([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', 1), card('NAXIS2', 1),
        `${'BSCALE'.padEnd(8)}=               2.0D+0`.padEnd(80)]),
      dataBytes([7], 8),
    );
    expect(readFits(bytes, 'd.fits').data[0]).toBe(14);
  });

  it('reads several bands (NAXIS3) as planes', () => {
    const values = [1, 2, 3, 4, /* band 1 */ 10, 20, 30, 40];
    const image = readFits(primaryImage([2, 2, 2], -32, values), 'm.fits');
    expect(image.bands).toBe(2);
    expect(Array.from(image.data)).toEqual([3, 4, 1, 2, 30, 40, 10, 20]);
  });

  it('turns BLANK integers and NaN floats into NaN and counts them', () => {
    const ints = readFits(primaryImage([3, 1], 16, [5, -999, 7], [card('BLANK', -999)]), 'b.fits');
    expect(Array.from(ints.data)).toEqual([5, NaN, 7]);
    expect(ints.invalidPixels).toBe(1);
    const floats = readFits(primaryImage([2, 1], -64, [NaN, 1.5]), 'n.fits');
    expect(floats.invalidPixels).toBe(1);
    expect(floats.data[1]).toBe(1.5);
  });

  it('finds the first IMAGE extension after an empty primary, or the HDU asked for', () => {
    const primary = headerBytes([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true)]);
    const table = concat(
      headerBytes([card('XTENSION', 'BINTABLE'), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', 4), card('NAXIS2', 1),
        card('PCOUNT', 0), card('GCOUNT', 1), card('TFIELDS', 1)]),
      dataBytes([1, 2, 3, 4], 8),
    );
    const ext = (v: number) => concat(
      headerBytes([card('XTENSION', 'IMAGE'), card('BITPIX', -32), card('NAXIS', 2), card('NAXIS1', 1), card('NAXIS2', 1),
        card('PCOUNT', 0), card('GCOUNT', 1)]),
      dataBytes([v], -32),
    );
    const bytes = concat(primary, table, ext(7), ext(9));
    const first = readFits(bytes, 'x.fits');
    expect([first.hdu, first.data[0]]).toEqual([2, 7]);
    expect(readFits(bytes, 'x.fits', 3).data[0]).toBe(9);
    expect(() => readFits(bytes, 'x.fits', 1)).toThrow(/x\.fits: HDU 1 is a BINTABLE extension, not an image/);
    expect(() => readFits(bytes, 'x.fits', 4)).toThrow(/x\.fits: FITS file has no HDU 4/);
  });

  it('rejects truncated data, naming the file and the shortfall', () => {
    const bytes = primaryImage([100, 100], 16, new Array(10000).fill(1));
    expect(() => readFits(bytes.subarray(0, 2880 + 5000), '/data/cut.fits')).toThrow(
      /\/data\/cut\.fits: truncated FITS data: HDU 0 needs 20000 bytes of data from byte 2880, but the file ends after 5000/,
    );
  });

  it('rejects a header without END', () => {
    const bytes = concat(headerBytes([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0)], false));
    expect(() => readFits(bytes, 'noend.fits')).toThrow(/noend\.fits: missing END card in the header of HDU 0/);
  });

  it('rejects an unsupported BITPIX', () => {
    const bytes = concat(headerBytes([card('SIMPLE', true), card('BITPIX', 12), card('NAXIS', 2), card('NAXIS1', 1), card('NAXIS2', 1)]),
      new Uint8Array(2880));
    expect(() => readFits(bytes, 'b12.fits')).toThrow(/b12\.fits: unsupported BITPIX = 12 in HDU 0 — FITS images use BITPIX 8, 16, 32, 64, -32, -64/);
  });

  it('rejects a missing NAXISn and a non-FITS file', () => {
    const bytes = concat(headerBytes([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', 1)]));
    expect(() => readFits(bytes, 'ax.fits')).toThrow(/ax\.fits: header of HDU 0: NAXIS2 is missing/);
    expect(() => readFits(new TextEncoder().encode('hello'), 'h.fits')).toThrow(/h\.fits: not a FITS file/);
  });
});
