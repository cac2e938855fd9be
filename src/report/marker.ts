/**
 * Marker shapes for data points. Each series gets both a colour and a shape, so series stay apart in
 * greyscale print and for readers who cannot tell the colours apart.
 */
import { coord, el } from './svg.js';

export const MARKER_SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangleDown'] as const;
export type MarkerShape = (typeof MARKER_SHAPES)[number];

export function markerFor(index: number): MarkerShape {
  return MARKER_SHAPES[index % MARKER_SHAPES.length];
}

/** A marker of diameter `size` centred at (x, y), filled with `color` and outlined in white for contrast. */
export function drawMarker(shape: MarkerShape, x: number, y: number, size: number, color: string, opacity = 1): string {
  const r = size / 2;
  const style = {
    fill: color,
    stroke: '#ffffff',
    'stroke-width': 0.75,
    'fill-opacity': opacity < 1 ? opacity : undefined,
  };
  const polygon = (points: [number, number][]) =>
    el('polygon', { points: points.map(([px, py]) => `${coord(px)},${coord(py)}`).join(' '), ...style });
  switch (shape) {
    case 'circle':
      return el('circle', { cx: x, cy: y, r, ...style });
    case 'square':
      return el('rect', { x: x - r * 0.89, y: y - r * 0.89, width: r * 1.78, height: r * 1.78, ...style });
    case 'triangle':
      return polygon([[x, y - r * 1.15], [x + r * 1.1, y + r * 0.75], [x - r * 1.1, y + r * 0.75]]);
    case 'triangleDown':
      return polygon([[x, y + r * 1.15], [x + r * 1.1, y - r * 0.75], [x - r * 1.1, y - r * 0.75]]);
    case 'diamond':
      return polygon([[x, y - r * 1.25], [x + r, y], [x, y + r * 1.25], [x - r, y]]);
  }
}

