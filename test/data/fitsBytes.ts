/**
 * Writes FITS files byte by byte for tests, independently of the reader: 80-character cards padded to
 * 2880-byte blocks, big-endian data padded with zeros.
 */

export function card(key: string, value: string | number | boolean, comment = ''): string {
  const text = typeof value === 'boolean' ? (value ? 'T' : 'F') : typeof value === 'string' ? `'${value.padEnd(8)}'` : String(value);
  const body = `${key.padEnd(8)}= ${text.padStart(20)}${comment ? ` / ${comment}` : ''}`;
  return body.padEnd(80).slice(0, 80);
}

/** A header unit: the cards, END, padded with spaces to a multiple of 2880 bytes. */
export function headerBytes(cards: string[], withEnd = true): Uint8Array {
  const text = [...cards, ...(withEnd ? ['END'.padEnd(80)] : [])].join('');
  const padded = text.padEnd(Math.ceil(text.length / 2880) * 2880, ' ');
  return Uint8Array.from(padded, (c) => c.charCodeAt(0));
}

/** Values stored big-endian with the given BITPIX, padded to 2880 bytes. */
export function dataBytes(values: number[], bitpix: number): Uint8Array {
  const size = Math.abs(bitpix) / 8;
  const raw = new Uint8Array(Math.ceil((values.length * size) / 2880) * 2880);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    const at = i * size;
    if (bitpix === 8) view.setUint8(at, v);
    else if (bitpix === 16) view.setInt16(at, v, false);
    else if (bitpix === 32) view.setInt32(at, v, false);
    else if (bitpix === 64) view.setBigInt64(at, BigInt(v), false);
    else if (bitpix === -32) view.setFloat32(at, v, false);
    else if (bitpix === -64) view.setFloat64(at, v, false);
    else throw new Error(`dataBytes: no writer for BITPIX ${bitpix}`);
  });
  return raw;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A primary-HDU image: axes [width, height(, bands)], values in FITS storage order (bottom row first). */
export function primaryImage(axes: number[], bitpix: number, values: number[], extra: string[] = []): Uint8Array {
  const cards = [
    card('SIMPLE', true),
    card('BITPIX', bitpix),
    card('NAXIS', axes.length),
    ...axes.map((n, i) => card(`NAXIS${i + 1}`, n)),
    ...extra,
  ];
  return concat(headerBytes(cards), dataBytes(values, bitpix));
}
