/**
 * Image bytes → a planar float image, whatever the format: JPEG and PNG (8 or 16 bit) through sharp,
 * FITS through our own reader (fits.ts), gzip-compressed FITS (.fits.gz) unpacked first.
 * The format is recognised from the file's first bytes, not its name.
 */
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { InputError } from '../util/errors.js';
import { looksLikeFits, readFits } from './fits.js';
import { interleavedToPlanar, type ImageFormat, type PlanarImage } from './planarImage.js';

export { IMAGE_FORMATS, type ImageFormat, type PlanarImage } from './planarImage.js';

export function detectFormat(bytes: Uint8Array): ImageFormat {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (looksLikeFits(bytes)) return 'fits';
  return 'other';
}

export interface DecodeOptions {
  /** FITS only: which HDU to read (0 = primary); null = the first HDU with an image. @default null */
  fitsHdu: number | null;
}

/** Decodes image bytes; `file` names the source in error messages. Throws InputError on a bad file. */
export async function decodeImage(bytes: Uint8Array, file: string, options: DecodeOptions = { fitsHdu: null }): Promise<PlanarImage> {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let unpacked: Uint8Array;
    try {
      unpacked = gunzipSync(bytes);
    } catch (err) {
      throw new InputError(`corrupt gzip data: ${(err as Error).message}`, { file }, 'the compressed file is damaged; fetch it again');
    }
    if (!looksLikeFits(unpacked)) {
      throw new InputError('gzip file does not contain a FITS image', { file }, 'only .fits.gz is read compressed');
    }
    return decodeFits(unpacked, file, options);
  }
  const format = detectFormat(bytes);
  if (format === 'fits') return decodeFits(bytes, file, options);
  return decodeWithSharp(bytes, file, format);
}

function decodeFits(bytes: Uint8Array, file: string, options: DecodeOptions): PlanarImage {
  const image = readFits(bytes, file, options.fitsHdu ?? undefined);
  return {
    width: image.width,
    height: image.height,
    bands: image.bands,
    data: image.data,
    format: 'fits',
    invalidPixels: image.invalidPixels,
  };
}

async function decodeWithSharp(bytes: Uint8Array, file: string, format: ImageFormat): Promise<PlanarImage> {
  const label = format === 'other' ? 'image' : format.toUpperCase();
  try {
    // sharp converts to 8-bit sRGB unless told otherwise: keep one band for grey files and 16 bits for deep ones.
    const meta = format === 'jpeg' ? null : await sharp(bytes).metadata();
    const sixteenBit = meta?.depth === 'ushort';
    let pipeline = sharp(bytes, { failOn: 'warning' });
    if (meta !== null) {
      const grey = (meta.channels ?? 3) <= 2;
      pipeline = pipeline.toColourspace(sixteenBit ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb');
    }
    const { data, info } = await pipeline
      .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const { width, height, channels } = info;
    const shape = { width, height, channels, bands: info.hasAlpha ? channels - 1 : channels }; // alpha (always the last channel) is dropped
    return sixteenBit
      ? interleavedToPlanar(new Uint16Array(data.buffer, data.byteOffset, width * height * channels), shape, 1 / 65535, format)
      : interleavedToPlanar(data, shape, 1 / 255, format);
  } catch (err) {
    throw new InputError(
      `cannot decode ${label}: ${(err as Error).message}`,
      { file },
      format === 'other'
        ? 'galmorph reads JPEG, PNG and FITS (and what else sharp can decode); check the file type'
        : 'the file is corrupt or truncated; replace it, or leave it out with --on-bad skip',
    );
  }
}
