/**
 * Scatter plots of several point clouds: latent embeddings coloured by class, predicted against true vote
 * fractions, calibration points with the diagonal y = x for reference.
 */
import { check, resolveOptions, type Spec } from '../util/options.js';
import { makeAxis } from './axis.js';
import { drawDiagonal, renderChart } from './chartFrame.js';
import { XY_CHART_DEFAULTS, XY_CHART_SPEC, type XYChartOptions } from './chartOptions.js';
import { drawMarker, markerFor } from './marker.js';
import { seriesColor } from './palette.js';
import { checkXYSeries, type XYSeries } from './series.js';
import { el } from './svg.js';

export interface ScatterOptions extends XYChartOptions {
  /** Marker diameter in pixels. @default 6 */
  markerSize: number;
  /** Marker fill opacity, lower for dense clouds. @default 0.8 */
  opacity: number;
}

const DEFAULTS: ScatterOptions = { ...XY_CHART_DEFAULTS, markerSize: 6, opacity: 0.8 };
const SPEC: Spec<ScatterOptions> = { ...XY_CHART_SPEC, markerSize: check.number(1, 40), opacity: check.number(0.05, 1) };

/** An SVG document plotting the points of each series; throws `OptionError` naming the series and point on bad data. */
export function scatterPlot(series: readonly XYSeries[], options: Partial<ScatterOptions> = {}): string {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  checkXYSeries(series, o.xScale, o.yScale);
  const x = makeAxis(o.xScale, series.flatMap((s) => s.x), o.xRange, 'xRange');
  const y = makeAxis(o.yScale, series.flatMap((s) => s.y), o.yRange, 'yRange');
  return renderChart(o, {
    x,
    y,
    legend: series.map((s, i) => ({ label: s.label, color: seriesColor(i), marker: markerFor(i) })),
    draw: (toPx) => {
      const parts: string[] = [];
      if (o.referenceLine === 'diagonal') parts.push(drawDiagonal(toPx, x, y));
      series.forEach((s, i) => {
        const points = s.x.map((xv, j) => {
          const [px, py] = toPx(xv, s.y[j]);
          return drawMarker(markerFor(i), px, py, o.markerSize, seriesColor(i), o.opacity);
        });
        parts.push(el('g', { class: 'series' }, points.join('')));
      });
      return parts.join('');
    },
  });
}
