/**
 * The frame every x–y chart shares: layout of the plot area around tick labels, axis labels, title and
 * legend; grid lines, axes, ticks and labels; clipping of data to the plot area. A chart supplies its axes,
 * its legend entries and a function that draws its data in pixel coordinates.
 */
import { OptionError } from '../util/errors.js';
import { project, type Axis } from './axis.js';
import type { ChartOptions } from './chartOptions.js';
import { drawLegend, legendWidth, type LegendEntry } from './legend.js';
import { el, svgDocument, textEl, textWidth } from './svg.js';

export const TITLE_SIZE = 16;
export const LABEL_SIZE = 13;
export const TICK_SIZE = 11;
const TICK_LENGTH = 5;
const AXIS_COLOR = '#333333';
const GRID_COLOR = '#e5e5e5';
const CLIP_ID = 'plot-area';

export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Maps a data point to pixels inside the plot area. */
export type PointMapper = (x: number, y: number) => [number, number];

export interface ChartContent {
  x: Axis;
  y: Axis;
  /** Entries shown when `options.legend` is true. */
  legend: LegendEntry[];
  /** Draws the data; the result is clipped to the plot area. */
  draw: (toPx: PointMapper, area: PlotArea) => string;
}

/** A complete SVG chart: title, grid, axes, data and legend. */
export function renderChart(options: ChartOptions, content: ChartContent): string {
  const legend = options.legend ? content.legend : [];
  const area = layoutPlot(options, content.y, legendWidth(legend));
  const toPx = pointMapper(area, content.x, content.y);
  const right = area.left + area.width;
  const body = [
    drawGrid(area, content.x, content.y),
    el('defs', {}, el('clipPath', { id: CLIP_ID }, el('rect', { x: area.left, y: area.top, width: area.width, height: area.height }))),
    el('g', { 'clip-path': `url(#${CLIP_ID})` }, content.draw(toPx, area)),
    drawAxes(area, content.x, content.y, options),
    options.title ? textEl(options.width / 2, 26, options.title, { 'font-size': TITLE_SIZE, 'font-weight': 'bold', 'text-anchor': 'middle', fill: '#111111' }) : '',
    legend.length > 0 ? drawLegend(legend, right, area.top) : '',
  ];
  return svgDocument(options.width, options.height, body.join(''));
}

/** Where the plot goes inside the figure, leaving room for title, tick labels, axis labels and legend. */
export function layoutPlot(options: ChartOptions, y: Axis, legendSpace: number): PlotArea {
  const yTickWidth = Math.max(0, ...y.labels.map((l) => textWidth(l, TICK_SIZE)));
  const top = options.title ? 44 : 16;
  const left = 12 + (options.yLabel ? LABEL_SIZE + 10 : 0) + yTickWidth + TICK_LENGTH + 6;
  const bottom = TICK_LENGTH + TICK_SIZE + 12 + (options.xLabel ? LABEL_SIZE + 12 : 0);
  const right = Math.max(20, legendSpace);
  const area = { left, top, width: options.width - left - right, height: options.height - top - bottom };
  if (area.width < 80) {
    throw new OptionError('width', `room for a plot beside ${Math.round(legendSpace)} px of legend (try a wider figure or shorter labels)`, options.width);
  }
  if (area.height < 60) throw new OptionError('height', 'room for a plot under the title', options.height);
  return area;
}

export function pointMapper(area: PlotArea, x: Axis, y: Axis): PointMapper {
  return (xv, yv) => [
    project(x, xv, area.left, area.left + area.width),
    project(y, yv, area.top + area.height, area.top),
  ];
}

function drawGrid(area: PlotArea, x: Axis, y: Axis): string {
  const toPx = pointMapper(area, x, y);
  const lines = [
    ...x.ticks.map((t) => {
      const [px] = toPx(t, y.min);
      return el('line', { x1: px, y1: area.top, x2: px, y2: area.top + area.height });
    }),
    ...y.ticks.map((t) => {
      const [, py] = toPx(x.min, t);
      return el('line', { x1: area.left, y1: py, x2: area.left + area.width, y2: py });
    }),
  ];
  return el('g', { stroke: GRID_COLOR, 'stroke-width': 1 }, lines.join(''));
}

function drawAxes(area: PlotArea, x: Axis, y: Axis, options: ChartOptions): string {
  const toPx = pointMapper(area, x, y);
  const bottom = area.top + area.height;
  const parts: string[] = [
    el('rect', { x: area.left, y: area.top, width: area.width, height: area.height, fill: 'none', stroke: AXIS_COLOR, 'stroke-width': 1 }),
  ];
  const tickText = { 'font-size': TICK_SIZE, fill: '#333333' };
  x.ticks.forEach((t, i) => {
    const [px] = toPx(t, y.min);
    parts.push(el('line', { x1: px, y1: bottom, x2: px, y2: bottom + TICK_LENGTH, stroke: AXIS_COLOR }));
    parts.push(textEl(px, bottom + TICK_LENGTH + TICK_SIZE + 2, x.labels[i], { ...tickText, 'text-anchor': 'middle' }));
  });
  y.ticks.forEach((t, i) => {
    const [, py] = toPx(x.min, t);
    parts.push(el('line', { x1: area.left - TICK_LENGTH, y1: py, x2: area.left, y2: py, stroke: AXIS_COLOR }));
    parts.push(textEl(area.left - TICK_LENGTH - 3, py, y.labels[i], { ...tickText, 'text-anchor': 'end', 'dominant-baseline': 'central' }));
  });
  const labelText = { 'font-size': LABEL_SIZE, fill: '#111111', 'text-anchor': 'middle' };
  if (options.xLabel) {
    parts.push(textEl(area.left + area.width / 2, options.height - 12, options.xLabel, labelText));
  }
  if (options.yLabel) {
    const cx = 12 + LABEL_SIZE / 2;
    const cy = area.top + area.height / 2;
    parts.push(
      textEl(cx, cy, options.yLabel, { ...labelText, 'dominant-baseline': 'central', transform: `rotate(-90 ${cx} ${cy})` }),
    );
  }
  return el('g', { class: 'axes' }, parts.join(''));
}

/** The dashed line y = x across the part of the plot where both axes overlap (calibration reference). */
export function drawDiagonal(toPx: PointMapper, x: Axis, y: Axis): string {
  const lo = Math.max(x.min, y.min);
  const hi = Math.min(x.max, y.max);
  if (!(lo < hi)) return '';
  const [x1, y1] = toPx(lo, lo);
  const [x2, y2] = toPx(hi, hi);
  return el('line', { x1, y1, x2, y2, stroke: '#888888', 'stroke-width': 1.25, 'stroke-dasharray': '5 4' });
}
