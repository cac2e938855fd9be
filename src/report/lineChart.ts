/**
 * Line and marker plots of several series, with optional error bars (mean ± sd) and log axes: error against
 * the number of labels per regime, learning curves, active-learning curves (BALD against random).
 */
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { makeAxis } from './axis.js';
import { drawDiagonal, renderChart, type PointMapper } from './chartFrame.js';
import { XY_CHART_DEFAULTS, XY_CHART_SPEC, type XYChartOptions } from './chartOptions.js';
import { drawMarker, markerFor } from './marker.js';
import { seriesColor } from './palette.js';
import { checkValues, checkXYSeries, seriesName, type XYSeries } from './series.js';
import { coord, el } from './svg.js';

export interface LineSeries extends XYSeries {
  /** Standard deviation of each y, drawn as an error bar y ± sd; none when absent. */
  sd?: readonly number[];
}

export interface LineChartOptions extends XYChartOptions {
  /** Draw a marker at every point. @default true */
  markers: boolean;
  /** Join the points of a series, in the order given. @default true */
  lines: boolean;
}

const DEFAULTS: LineChartOptions = { ...XY_CHART_DEFAULTS, markers: true, lines: true };
const SPEC: Spec<LineChartOptions> = { ...XY_CHART_SPEC, markers: check.boolean(), lines: check.boolean() };

const MARKER_SIZE = 7;
const CAP_HALF_WIDTH = 3.5;

/** An SVG document plotting `series`; throws `OptionError` naming the series and point on bad data. */
export function lineChart(series: readonly LineSeries[], options: Partial<LineChartOptions> = {}): string {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  if (!o.markers && !o.lines) throw new OptionError('markers', 'true when lines is false (nothing would be drawn)', false);
  checkXYSeries(series, o.xScale, o.yScale);
  series.forEach((s, i) => {
    if (s.sd === undefined) return;
    const name = `${seriesName(i, s.label)}.sd`;
    if (s.sd.length !== s.y.length) throw new OptionError(name, `as many values as y (${s.y.length})`, s.sd);
    checkValues(s.sd, name, 'linear');
    s.sd.forEach((v, j) => {
      if (v < 0) throw new OptionError(`${name}[${j}]`, 'a standard deviation ≥ 0', v);
    });
  });

  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => errorBarEnds(s).flat().filter((v) => o.yScale === 'linear' || v > 0));
  const x = makeAxis(o.xScale, xs, o.xRange, 'xRange');
  const y = makeAxis(o.yScale, ys, o.yRange, 'yRange');

  const legend = series.map((s, i) => ({
    label: s.label,
    color: seriesColor(i),
    marker: o.markers ? markerFor(i) : undefined,
    line: o.lines,
  }));

  return renderChart(o, {
    x,
    y,
    legend,
    draw: (toPx) => {
      const below = o.yScale === 'log' ? y.min / 10 : y.min;
      const parts: string[] = [];
      if (o.referenceLine === 'diagonal') parts.push(drawDiagonal(toPx, x, y));
      series.forEach((s, i) => {
        const color = seriesColor(i);
        const group: string[] = [];
        if (s.sd) group.push(drawErrorBars(s, toPx, color, below));
        if (o.lines && s.x.length > 1) {
          const points = s.x.map((xv, j) => toPx(xv, s.y[j]).map(coord).join(',')).join(' ');
          group.push(el('polyline', { points, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round' }));
        }
        if (o.markers) {
          s.x.forEach((xv, j) => {
            const [px, py] = toPx(xv, s.y[j]);
            group.push(drawMarker(markerFor(i), px, py, MARKER_SIZE, color));
          });
        }
        parts.push(el('g', { class: 'series' }, group.join('')));
      });
      return parts.join('');
    },
  });
}

/** [y − sd, y + sd] per point, or [y, y] without sd. */
function errorBarEnds(s: LineSeries): [number, number][] {
  return s.y.map((v, j) => [v - (s.sd?.[j] ?? 0), v + (s.sd?.[j] ?? 0)]);
}

/** Vertical bars with caps; on a log axis an end at or below zero runs off the bottom of the plot. */
function drawErrorBars(s: LineSeries, toPx: PointMapper, color: string, below: number): string {
  const bars = errorBarEnds(s).map(([lo, hi], j) => {
    const [px, top] = toPx(s.x[j], hi);
    const [, bottom] = toPx(s.x[j], Math.max(lo, below));
    return (
      el('line', { x1: px, y1: top, x2: px, y2: bottom }) +
      el('line', { x1: px - CAP_HALF_WIDTH, y1: top, x2: px + CAP_HALF_WIDTH, y2: top }) +
      el('line', { x1: px - CAP_HALF_WIDTH, y1: bottom, x2: px + CAP_HALF_WIDTH, y2: bottom })
    );
  });
  return el('g', { stroke: color, 'stroke-width': 1.25 }, bars.join(''));
}
