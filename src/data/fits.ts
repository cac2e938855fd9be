/**
 * A reader for FITS images (NASA/IAU FITS standard 4.0): the primary HDU and IMAGE extensions, one band
 * (NAXIS = 2) or several (NAXIS3 bands), BITPIX 8 / 16 / 32 / 64 / −32 / −64, big-endian, BSCALE/BZERO.
 *
 * Pixel values come back as physical values (BZERO + BSCALE × stored) in a planar Float32Array:
 * band-major, then rows, then columns. Row 0 is the TOP row as FITS viewers display it (FITS stores
 * the bottom row first, so rows are flipped on read).
 *
 * Invalid pixels: integer pixels equal to the header's BLANK value become NaN, and floating-point
 * NaNs stay NaN. The reader never replaces them; `invalidPixels` counts them so callers can decide
 * (preprocessing excludes them from percentiles, writes 0 and reports the count).
 */
import { InputError } from '../util/errors.js';

const BLOCK = 2880;
const CARD = 80;

export type FitsValue = string | number | boolean;

/** One header-data unit's image. */
export interface FitsImage {
  /** NAXIS1: pixels per row. */
  width: number;
  /** NAXIS2: number of rows. */
  height: number;
  /** NAXIS3 (1 when NAXIS = 2). */
  bands: number;
  /** Physical values, planar [band][row][column], row 0 at the top. */
  data: Float32Array;
  /** Index of the HDU read (0 = primary). */
  hdu: number;
  /** BITPIX of the stored data. */
  bitpix: number;
  /** NaN pixels (BLANK or floating-point NaN). */
  invalidPixels: number;
  /** Header keywords of the HDU (values parsed; COMMENT/HISTORY dropped). */
  header: Record<string, FitsValue>;
}

export const FITS_BITPIX = [8, 16, 32, 64, -32, -64] as const;

/** True when the bytes start like a FITS file (a SIMPLE card). */
export function looksLikeFits(bytes: Uint8Array): boolean {
  return bytes.length >= 9 && asciiOf(bytes, 0, 9) === 'SIMPLE  =';
}

/**
 * Reads one image HDU. Without `hdu`, the first HDU that holds an image with NAXIS ≥ 2 (usually the
 * primary, or the first IMAGE extension when the primary is empty). `file` is used in error messages.
 */
export function readFits(bytes: Uint8Array, file: string, hdu?: number): FitsImage {
  if (!looksLikeFits(bytes)) {
    throw new InputError(
      `not a FITS file: it does not start with a "SIMPLE  =" card (first bytes ${JSON.stringify(asciiOf(bytes, 0, 16))})`,
      { file },
      'check the file is a FITS image, or give a JPEG/PNG',
    );
  }
  let offset = 0;
  for (let index = 0; offset < bytes.length; index++) {
    const unit = readHeader(bytes, offset, index, file);
    const dataStart = unit.headerEnd;
    const dataEnd = dataStart + unit.dataBytes;
    if (dataEnd > bytes.length) {
      throw new InputError(
        `truncated FITS data: HDU ${index} needs ${unit.dataBytes} bytes of data from byte ${dataStart}, ` +
          `but the file ends after ${bytes.length - dataStart}`,
        { file },
        'the file was cut short (interrupted download?); fetch it again',
      );
    }
    const wanted = hdu === undefined ? unit.isImage && unit.axes.length >= 2 && unit.dataBytes > 0 : hdu === index;
    if (wanted) {
      if (!unit.isImage) {
        throw new InputError(`HDU ${index} is a ${String(unit.header.XTENSION)} extension, not an image`, { file },
          'choose an image HDU (fitsHdu option)');
      }
      return decodeData(bytes, unit, index, file);
    }
    const padded = dataStart + Math.ceil(unit.dataBytes / BLOCK) * BLOCK;
    offset = padded;
  }
  throw new InputError(
    hdu === undefined ? 'no image HDU with NAXIS ≥ 2 and data in this FITS file' : `FITS file has no HDU ${hdu}`,
    { file },
    hdu === undefined ? 'the file holds only tables or empty HDUs' : 'HDUs are numbered from 0 (the primary)',
  );
}

interface HeaderUnit {
  header: Record<string, FitsValue>;
  headerEnd: number;
  dataBytes: number;
  isImage: boolean;
  axes: number[];
  bitpix: number;
}

function readHeader(bytes: Uint8Array, start: number, index: number, file: string): HeaderUnit {
  const header: Record<string, FitsValue> = {};
  let pos = start;
  let ended = false;
  for (; pos + CARD <= bytes.length; pos += CARD) {
    const card = asciiOf(bytes, pos, CARD);
    const key = card.slice(0, 8).trim();
    if (key === 'END') {
      ended = true;
      pos += CARD;
      break;
    }
    if (card.slice(8, 10) === '= ' && key !== '') header[key] = parseValue(card.slice(10), key, index, file);
  }
  if (!ended) {
    throw new InputError(
      `missing END card in the header of HDU ${index} (read ${pos - start} bytes of header without finding END)`,
      { file },
      'the header is truncated or the file is not a FITS file',
    );
  }
  const headerEnd = start + Math.ceil((pos - start) / BLOCK) * BLOCK;
  const xtension = index === 0 ? 'PRIMARY' : String(header.XTENSION ?? '').trim();
  if (index === 0 && header.SIMPLE !== true) {
    throw new InputError('SIMPLE = F: the file says it does not conform to FITS', { file });
  }
  const bitpix = requireInt(header, 'BITPIX', index, file);
  const naxis = requireInt(header, 'NAXIS', index, file);
  const axes: number[] = [];
  for (let i = 1; i <= naxis; i++) axes.push(requireInt(header, `NAXIS${i}`, index, file));
  const pcount = typeof header.PCOUNT === 'number' ? header.PCOUNT : 0;
  const gcount = typeof header.GCOUNT === 'number' ? header.GCOUNT : 1;
  const elements = naxis === 0 ? 0 : axes.reduce((a, b) => a * b, 1);
  const dataBytes = naxis === 0 ? 0 : (Math.abs(bitpix) / 8) * gcount * (pcount + elements);
  const isImage = xtension === 'PRIMARY' || xtension === 'IMAGE';
  if (isImage && !(FITS_BITPIX as readonly number[]).includes(bitpix)) {
    throw new InputError(
      `unsupported BITPIX = ${bitpix} in HDU ${index}`,
      { file },
      `FITS images use BITPIX ${FITS_BITPIX.join(', ')}`,
    );
  }
  return { header, headerEnd, dataBytes, isImage, axes, bitpix };
}

function decodeData(bytes: Uint8Array, unit: HeaderUnit, index: number, file: string): FitsImage {
  const { axes, bitpix, header } = unit;
  if (axes.length < 2) {
    throw new InputError(`HDU ${index} has NAXIS = ${axes.length}; an image needs at least 2 axes`, { file });
  }
  if (axes.slice(3).some((n) => n !== 1)) {
    throw new InputError(
      `HDU ${index} has axes ${axes.join(' × ')}; only width × height × bands images are supported`,
      { file },
      'axes beyond the third must have length 1',
    );
  }
  const [width, height] = axes;
  const bands = axes[2] ?? 1;
  const bscale = typeof header.BSCALE === 'number' ? header.BSCALE : 1;
  const bzero = typeof header.BZERO === 'number' ? header.BZERO : 0;
  const blank = bitpix > 0 && typeof header.BLANK === 'number' ? header.BLANK : undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + unit.headerEnd, width * height * bands * (Math.abs(bitpix) / 8));
  const read = reader(view, bitpix);
  const data = new Float32Array(width * height * bands);
  let invalid = 0;
  let i = 0;
  for (let b = 0; b < bands; b++) {
    for (let fitsRow = 0; fitsRow < height; fitsRow++) {
      const out = b * width * height + (height - 1 - fitsRow) * width;
      for (let x = 0; x < width; x++, i++) {
        const raw = read(i);
        let value: number;
        if (raw === blank || Number.isNaN(raw)) {
          value = NaN;
          invalid++;
        } else {
          value = bzero + bscale * raw;
        }
        data[out + x] = value;
      }
    }
  }
  return { width, height, bands, data, hdu: index, bitpix, invalidPixels: invalid, header };
}

function reader(view: DataView, bitpix: number): (i: number) => number {
  switch (bitpix) {
    case 8:
      return (i) => view.getUint8(i);
    case 16:
      return (i) => view.getInt16(2 * i, false);
    case 32:
      return (i) => view.getInt32(4 * i, false);
    case 64:
      return (i) => Number(view.getBigInt64(8 * i, false));
    case -32:
      return (i) => view.getFloat32(4 * i, false);
    case -64:
      return (i) => view.getFloat64(8 * i, false);
    default:
      throw new Error(`reader: BITPIX ${bitpix} was not rejected by readHeader`);
  }
}

function requireInt(header: Record<string, FitsValue>, key: string, index: number, file: string): number {
  const value = header[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || (key !== 'BITPIX' && value < 0)) {
    throw new InputError(
      `header of HDU ${index}: ${key} is ${value === undefined ? 'missing' : `not a valid integer (${String(value)})`}`,
      { file },
      'a FITS image header needs BITPIX, NAXIS and NAXIS1…NAXISn',
    );
  }
  return value;
}

/** A card's value field: 'string' (with '' escapes), T/F, integer or real (E or D exponent); comments after '/'. */
function parseValue(field: string, key: string, index: number, file: string): FitsValue {
  const text = field.trimStart();
  if (text.startsWith("'")) {
    let out = '';
    for (let i = 1; i < text.length; i++) {
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i++;
        } else {
          return out.trimEnd();
        }
      } else {
        out += text[i];
      }
    }
    throw new InputError(`header of HDU ${index}: unterminated string value for ${key}`, { file });
  }
  const token = text.split('/')[0].trim();
  if (token === 'T') return true;
  if (token === 'F') return false;
  const number = Number(token.replace(/[dD]/, 'E'));
  if (token !== '' && Number.isFinite(number)) return number;
  return token;
}

function asciiOf(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  const end = Math.min(bytes.length, start + length);
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}
