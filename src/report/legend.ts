/**
 * The legend drawn to the right of a plot: one row per series with its line, marker or filled swatch.
 */
import { drawMarker, type MarkerShape } from './marker.js';
import { el, textEl, textWidth } from './svg.js';

export interface LegendEntry {
  label: string;
  color: string;
  /** Marker drawn in the key; none when absent. */
  marker?: MarkerShape;
  /** Draw a line segment through the key. */
  line?: boolean;
  /** Draw a filled box (histogram bars) instead of a line or marker. */
  swatch?: boolean;
}

const FONT_SIZE = 12;
const ROW_HEIGHT = 20;
const KEY_WIDTH = 26;
const GAP = 6;

/** Horizontal space the legend needs, including its gap to the plot. */
export function legendWidth(entries: readonly LegendEntry[]): number {
  if (entries.length === 0) return 0;
  const longest = Math.max(...entries.map((e) => textWidth(e.label, FONT_SIZE)));
  return 16 + KEY_WIDTH + GAP + longest + 8;
}

/** The legend with its first row centred at `top + ROW_HEIGHT / 2`, starting at pixel `left`. */
export function drawLegend(entries: readonly LegendEntry[], left: number, top: number): string {
  const rows = entries.map((entry, i) => {
    const cy = top + ROW_HEIGHT * (i + 0.5);
    const x0 = left + 16;
    const parts: string[] = [];
    if (entry.swatch) {
      parts.push(el('rect', { x: x0 + 4, y: cy - 6, width: KEY_WIDTH - 8, height: 12, fill: entry.color, 'fill-opacity': 0.6, stroke: entry.color }));
    }
    if (entry.line) {
      parts.push(el('line', { x1: x0, y1: cy, x2: x0 + KEY_WIDTH, y2: cy, stroke: entry.color, 'stroke-width': 2 }));
    }
    if (entry.marker) parts.push(drawMarker(entry.marker, x0 + KEY_WIDTH / 2, cy, 8, entry.color));
    parts.push(
      textEl(x0 + KEY_WIDTH + GAP, cy, entry.label, { 'font-size': FONT_SIZE, 'dominant-baseline': 'central', fill: '#222222' }),
    );
    return parts.join('');
  });
  return el('g', { class: 'legend' }, rows.join(''));
}
