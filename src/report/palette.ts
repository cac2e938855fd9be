/**
 * Colours for figures: the Okabe–Ito qualitative palette (distinguishable with the common colour-vision
 * deficiencies) for series, viridis for continuous values, and a parser for the colour names and hex codes
 * callers pass in (e.g. tile borders).
 */
import { OptionError } from '../util/errors.js';

export type Rgb = readonly [number, number, number];

/** The eight Okabe–Ito colours by name. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** Series colours in the order they are used: high-contrast ones on white first, yellow last. */
export const SERIES_COLORS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.vermillion,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/** Viridis sampled at 0, 0.1, …, 1 (perceptually uniform and colour-blind safe). */
const VIRIDIS = [
  '#440154', '#482475', '#414487', '#355F8D', '#2A788E', '#21918C',
  '#22A884', '#44BF70', '#7AD151', '#BDDF26', '#FDE725',
].map(hexToRgb);

/** The viridis colour at t in [0, 1] (clamped), linearly interpolated between samples. */
export function viridis(t: number): Rgb {
  const clamped = Math.min(1, Math.max(0, t));
  const pos = clamped * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as unknown as Rgb;
}

export function rgbToHex(rgb: Rgb): string {
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** Relative luminance (sRGB, 0 = black, 1 = white), used to pick readable text on a coloured cell. */
export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const NAMED: Record<string, string> = {
  ...OKABE_ITO,
  white: '#FFFFFF',
  grey: '#808080',
  gray: '#808080',
  red: '#E00000',
  green: '#00A000',
  magenta: '#FF00FF',
};

/** Names accepted by `parseColor` besides hex codes. */
export const COLOR_NAMES: readonly string[] = Object.keys(NAMED);

function hexToRgb(hex: string): Rgb {
  const h = hex.slice(1);
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as unknown as Rgb;
}

/**
 * A colour given as `#rgb`, `#rrggbb` or one of `COLOR_NAMES` (Okabe–Ito names plus black, white, grey, red,
 * green, magenta). `parameter` names the option in the error.
 */
export function parseColor(color: string, parameter: string): Rgb {
  const hex = NAMED[color] ?? color;
  if (typeof hex !== 'string' || !/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(hex)) {
    throw new OptionError(parameter, `a colour "#rrggbb", "#rgb" or one of ${COLOR_NAMES.join(', ')}`, color);
  }
  return hexToRgb(hex);
}
