/**
 * Heatmaps of a matrix with a colour bar and optional value labels in each cell: confusion matrices,
 * cluster-by-class overlap tables, per-question error grids. Colours are viridis (colour-blind safe), cell
 * text switches between black and white for contrast.
 */
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Check, type Spec } from '../util/options.js';
import { textCheck } from './chartOptions.js';
import { LABEL_SIZE, TICK_SIZE, TITLE_SIZE } from './chartFrame.js';
import { luminance, rgbToHex, viridis } from './palette.js';
import { el, svgDocument, textEl, textWidth } from './svg.js';
import { formatLinearTick, niceStep, niceTicks } from './ticks.js';

export interface HeatmapOptions {
  /** Title above the matrix; none when empty. @default '' */
  title: string;
  /** Label under the columns (e.g. "predicted class"). @default '' */
  xLabel: string;
  /** Label beside the rows (e.g. "true class"). @default '' */
  yLabel: string;
  /** One label per row; null numbers the rows from 0. @default null */
  rowLabels: string[] | null;
  /** One label per column; null numbers the columns from 0. @default null */
  colLabels: string[] | null;
  /** Side of a cell in pixels. @default 44 */
  cellSize: number;
  /** Write each value inside its cell. @default true */
  cellLabels: boolean;
  /** Decimals of non-integer cell labels. @default 2 */
  decimals: number;
  /** Value mapped to the darkest colour; null uses the matrix minimum. @default null */
  vmin: number | null;
  /** Value mapped to the brightest colour; null uses the matrix maximum. @default null */
  vmax: number | null;
  /** Label beside the colour bar. @default '' */
  colorBarLabel: string;
}

const DEFAULTS: HeatmapOptions = {
  title: '',
  xLabel: '',
  yLabel: '',
  rowLabels: null,
  colLabels: null,
  cellSize: 44,
  cellLabels: true,
  decimals: 2,
  vmin: null,
  vmax: null,
  colorBarLabel: '',
};

function labelsCheck(): Check<string[] | null> {
  return (v, name) => {
    if (v !== null && (!Array.isArray(v) || v.some((l) => typeof l !== 'string'))) {
      throw new OptionError(name, 'null or a list of strings', v);
    }
  };
}

function optionalNumber(): Check<number | null> {
  return (v, name) => {
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw new OptionError(name, 'null or a finite number', v);
  };
}

const SPEC: Spec<HeatmapOptions> = {
  title: textCheck(),
  xLabel: textCheck(),
  yLabel: textCheck(),
  rowLabels: labelsCheck(),
  colLabels: labelsCheck(),
  cellSize: check.integer(8, 400),
  cellLabels: check.boolean(),
  decimals: check.integer(0, 10),
  vmin: optionalNumber(),
  vmax: optionalNumber(),
  colorBarLabel: textCheck(),
};

const BAR_WIDTH = 14;
const GAP = 10;

/** An SVG heatmap of `matrix` (rows × columns, finite values); throws `OptionError` naming a bad cell. */
export function heatmap(matrix: readonly (readonly number[])[], options: Partial<HeatmapOptions> = {}): string {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  const [rows, cols] = checkMatrix(matrix);
  const rowLabels = o.rowLabels ?? Array.from({ length: rows }, (_, i) => String(i));
  const colLabels = o.colLabels ?? Array.from({ length: cols }, (_, j) => String(j));
  if (rowLabels.length !== rows) throw new OptionError('rowLabels', `${rows} labels (one per row)`, rowLabels);
  if (colLabels.length !== cols) throw new OptionError('colLabels', `${cols} labels (one per column)`, colLabels);
  const [vmin, vmax] = valueRange(matrix, o.vmin, o.vmax);

  const cell = o.cellSize;
  const rowLabelWidth = Math.max(...rowLabels.map((l) => textWidth(l, TICK_SIZE)));
  const colLabelWidth = Math.max(...colLabels.map((l) => textWidth(l, TICK_SIZE)));
  const rotateColumns = colLabelWidth > cell - 4;
  const colLabelHeight = rotateColumns ? colLabelWidth * 0.71 + TICK_SIZE : TICK_SIZE + 4;
  const barTicks = niceTicks(vmin, vmax, 5);
  const barStep = barTicks.length > 1 ? barTicks[1] - barTicks[0] : niceStep(vmax - vmin, 5);
  const barLabels = barTicks.map((t) => formatLinearTick(t, barStep));
  const barLabelWidth = Math.max(0, ...barLabels.map((l) => textWidth(l, TICK_SIZE)));

  const left = 12 + (o.yLabel ? LABEL_SIZE + 10 : 0) + rowLabelWidth + 8;
  const top = o.title ? 44 : 16;
  const gridWidth = cols * cell;
  const gridHeight = rows * cell;
  const barLeft = left + gridWidth + 2 * GAP;
  const width = Math.max(
    barLeft + BAR_WIDTH + 6 + barLabelWidth + (o.colorBarLabel ? LABEL_SIZE + 16 : 10),
    o.title ? textWidth(o.title, TITLE_SIZE) + 24 : 0,
  );
  const height = top + gridHeight + 6 + colLabelHeight + (o.xLabel ? LABEL_SIZE + 14 : 8);

  const parts: string[] = [];
  const tickText = { 'font-size': TICK_SIZE, fill: '#333333' };
  const labelFont = Math.min(12, Math.max(7, cell * 0.28));
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      const rgb = viridis((v - vmin) / (vmax - vmin));
      const x = left + j * cell;
      const y = top + i * cell;
      parts.push(el('rect', { x, y, width: cell, height: cell, fill: rgbToHex(rgb) }));
      if (o.cellLabels) {
        const text = Number.isInteger(v) ? String(v) : v.toFixed(o.decimals);
        const fill = luminance(rgb) > 0.3 ? '#000000' : '#ffffff';
        parts.push(textEl(x + cell / 2, y + cell / 2, text, { 'font-size': labelFont, fill, 'text-anchor': 'middle', 'dominant-baseline': 'central' }));
      }
    }),
  );
  parts.push(el('rect', { x: left, y: top, width: gridWidth, height: gridHeight, fill: 'none', stroke: '#333333' }));
  rowLabels.forEach((l, i) =>
    parts.push(textEl(left - 6, top + (i + 0.5) * cell, l, { ...tickText, 'text-anchor': 'end', 'dominant-baseline': 'central' })),
  );
  colLabels.forEach((l, j) => {
    const cx = left + (j + 0.5) * cell;
    const cy = top + gridHeight + 6 + TICK_SIZE;
    parts.push(
      rotateColumns
        ? textEl(cx, top + gridHeight + 8, l, { ...tickText, 'text-anchor': 'end', 'dominant-baseline': 'central', transform: `rotate(-45 ${cx} ${top + gridHeight + 8})` })
        : textEl(cx, cy, l, { ...tickText, 'text-anchor': 'middle' }),
    );
  });

  const labelText = { 'font-size': LABEL_SIZE, fill: '#111111', 'text-anchor': 'middle' };
  if (o.xLabel) parts.push(textEl(left + gridWidth / 2, height - 12, o.xLabel, labelText));
  if (o.yLabel) {
    const cx = 12 + LABEL_SIZE / 2;
    const cy = top + gridHeight / 2;
    parts.push(textEl(cx, cy, o.yLabel, { ...labelText, 'dominant-baseline': 'central', transform: `rotate(-90 ${cx} ${cy})` }));
  }
  if (o.title) {
    parts.push(textEl(width / 2, 26, o.title, { 'font-size': TITLE_SIZE, 'font-weight': 'bold', 'text-anchor': 'middle', fill: '#111111' }));
  }
  parts.push(drawColorBar(barLeft, top, gridHeight, vmin, vmax, barTicks, barLabels, o.colorBarLabel));
  return svgDocument(Math.ceil(width), Math.ceil(height), parts.join(''));
}

function checkMatrix(matrix: readonly (readonly number[])[]): [number, number] {
  if (!Array.isArray(matrix) || matrix.length === 0 || !Array.isArray(matrix[0]) || matrix[0].length === 0) {
    throw new OptionError('matrix', 'a non-empty list of non-empty rows', matrix);
  }
  const cols = matrix[0].length;
  matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) throw new OptionError(`matrix[${i}]`, `a row of ${cols} values`, row);
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(`matrix[${i}][${j}]`, 'a finite number', v);
    });
  });
  return [matrix.length, cols];
}

function valueRange(matrix: readonly (readonly number[])[], vmin: number | null, vmax: number | null): [number, number] {
  const values = matrix.flat();
  const lo = vmin ?? values.reduce((a, b) => Math.min(a, b), Infinity);
  const hi = vmax ?? values.reduce((a, b) => Math.max(a, b), -Infinity);
  if (lo > hi) throw new OptionError('vmin', `a value below vmax (${hi})`, lo);
  return lo === hi ? [lo, lo + 1] : [lo, hi];
}

function drawColorBar(
  left: number,
  top: number,
  height: number,
  vmin: number,
  vmax: number,
  ticks: readonly number[],
  labels: readonly string[],
  label: string,
): string {
  const stops = Array.from({ length: 11 }, (_, k) =>
    el('stop', { offset: `${k * 10}%`, 'stop-color': rgbToHex(viridis(1 - k / 10)) }),
  );
  const parts = [
    el('defs', {}, el('linearGradient', { id: 'colorbar-gradient', x1: 0, y1: 0, x2: 0, y2: 1 }, stops.join(''))),
    el('rect', { x: left, y: top, width: BAR_WIDTH, height, fill: 'url(#colorbar-gradient)', stroke: '#333333' }),
  ];
  ticks.forEach((t, i) => {
    const y = top + height * (1 - (t - vmin) / (vmax - vmin));
    parts.push(el('line', { x1: left + BAR_WIDTH, y1: y, x2: left + BAR_WIDTH + 4, y2: y, stroke: '#333333' }));
    parts.push(textEl(left + BAR_WIDTH + 6, y, labels[i], { 'font-size': TICK_SIZE, fill: '#333333', 'dominant-baseline': 'central' }));
  });
  if (label) {
    const widest = Math.max(0, ...labels.map((l) => textWidth(l, TICK_SIZE)));
    const cx = left + BAR_WIDTH + 6 + widest + 8 + LABEL_SIZE / 2;
    const cy = top + height / 2;
    parts.push(textEl(cx, cy, label, { 'font-size': LABEL_SIZE, fill: '#111111', 'text-anchor': 'middle', 'dominant-baseline': 'central', transform: `rotate(-90 ${cx} ${cy})` }));
  }
  return el('g', { class: 'colorbar' }, parts.join(''));
}
