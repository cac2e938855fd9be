/**
 * Minimal SVG writing: escaped text, elements from attribute maps and a complete document with a white
 * background. Every chart in this folder is built from these three functions, so escaping and number
 * formatting happen in one place.
 */

export type Attrs = Record<string, string | number | undefined>;

/** Font stack used by every figure; DejaVu Sans is what sharp's rasteriser finds on most Linux systems. */
export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate rounded to 0.01 px, without trailing zeros, so documents stay short and deterministic. */
export function coord(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/**
 * One element. `content` is inserted verbatim (children already built with `el`); use `textEl` for text.
 * Attributes whose value is undefined are left out; numbers are rounded with `coord`.
 */
export function el(tag: string, attrs: Attrs, content?: string): string {
  const parts = [tag];
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    const shown = typeof value === 'number' ? coord(value) : escapeXml(value);
    parts.push(`${name}="${shown}"`);
  }
  const open = parts.join(' ');
  return content === undefined ? `<${open}/>` : `<${open}>${content}</${tag}>`;
}

/** A text element whose content is escaped. */
export function textEl(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** Approximate rendered width of a text in DejaVu Sans (digits and most letters are 0.55–0.65 em wide). */
export function textWidth(content: string, fontSize: number): number {
  return content.length * fontSize * 0.62;
}

/** A complete standalone SVG document with a white background. */
export function svgDocument(width: number, height: number, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    el(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        width,
        height,
        viewBox: `0 0 ${coord(width)} ${coord(height)}`,
        'font-family': FONT_FAMILY,
      },
      el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }) + body,
    ) +
    '\n'
  );
}
