/**
 * Histograms of one or more samples on shared bins, drawn as translucent bars with a step outline so
 * overlapping samples stay readable: predicted vote fractions, uncertainty (BALD) scores, anomaly scores.
 */
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { makeAxis } from './axis.js';
import { renderChart } from './chartFrame.js';
import { CHART_DEFAULTS, CHART_SPEC, type ChartOptions } from './chartOptions.js';
import { seriesColor } from './palette.js';
import { checkValues, seriesName } from './series.js';
import { coord, el } from './svg.js';

export interface HistogramSeries {
  /** Name shown in the legend. */
  label: string;
  values: readonly number[];
}

export const HISTOGRAM_NORMALISATIONS = ['count', 'fraction', 'density'] as const;
/** count: values per bin; fraction: share of the in-range values; density: fraction divided by bin width. */
export type HistogramNormalisation = (typeof HISTOGRAM_NORMALISATIONS)[number];

export interface HistogramOptions extends ChartOptions {
  /** Number of equal-width bins over the x range. @default 20 */
  bins: number;
  /** What the bar heights show. @default 'count' */
  normalise: HistogramNormalisation;
}

const DEFAULTS: HistogramOptions = { ...CHART_DEFAULTS, bins: 20, normalise: 'count' };
const SPEC: Spec<HistogramOptions> = {
  ...CHART_SPEC,
  bins: check.integer(1, 1000),
  normalise: check.oneOf(HISTOGRAM_NORMALISATIONS),
};

export interface BinnedValues {
  /** Number of values in each bin; the last bin includes its right edge. */
  counts: number[];
  /** Values left of the first or right of the last edge. */
  outside: number;
}

/** Counts `values` into `bins` equal-width bins over [min, max]. */
export function binValues(values: readonly number[], min: number, max: number, bins: number): BinnedValues {
  const counts = new Array<number>(bins).fill(0);
  let outside = 0;
  const width = (max - min) / bins;
  for (const v of values) {
    if (v < min || v > max) {
      outside++;
      continue;
    }
    counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  }
  return { counts, outside };
}

/**
 * An SVG histogram. Values outside a fixed `xRange` are not drawn; their number is shown in the legend so
 * none disappear unnoticed.
 */
export function histogram(series: readonly HistogramSeries[], options: Partial<HistogramOptions> = {}): string {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  if (!Array.isArray(series) || series.length === 0) throw new OptionError('series', 'at least one series', series);
  series.forEach((s, i) => {
    const name = `${seriesName(i, s.label)}.values`;
    if (s.values.length === 0) throw new OptionError(name, 'at least one value', s.values);
    checkValues(s.values, name, 'linear');
  });

  const all = series.flatMap((s) => s.values);
  const [min, max] = o.xRange ?? dataRange(all);
  const width = (max - min) / o.bins;
  const heights = series.map((s) => {
    const binned = binValues(s.values, min, max, o.bins);
    const inRange = s.values.length - binned.outside;
    const scale = normaliser(o.normalise, inRange, width);
    return { ...binned, heights: binned.counts.map((c) => c * scale) };
  });
  const top = Math.max(...heights.flatMap((h) => h.heights));
  const x = makeAxis('linear', [], [min, max], 'xRange');
  const y = makeAxis('linear', [], o.yRange ?? [0, top > 0 ? top * 1.05 : 1], 'yRange');

  const legend = series.map((s, i) => ({
    label: heights[i].outside > 0 ? `${s.label} (${heights[i].outside} outside range)` : s.label,
    color: seriesColor(i),
    swatch: true,
  }));

  return renderChart(o, {
    x,
    y,
    legend,
    draw: (toPx) =>
      heights
        .map((h, i) => {
          const color = seriesColor(i);
          const bars = h.heights.map((v, b) => {
            const [x0, y0] = toPx(min + b * width, v);
            const [x1, base] = toPx(min + (b + 1) * width, y.min);
            return el('rect', { x: x0, y: y0, width: x1 - x0, height: base - y0 });
          });
          const outline = h.heights.flatMap((v, b) => [toPx(min + b * width, v), toPx(min + (b + 1) * width, v)]);
          const [start] = toPx(min, y.min);
          const [end, base] = toPx(max, y.min);
          const points = [[start, base], ...outline, [end, base]].map((p) => p.map(coord).join(',')).join(' ');
          return el(
            'g',
            { class: 'series' },
            el('g', { fill: color, 'fill-opacity': 0.35 }, bars.join('')) +
              el('polyline', { points, fill: 'none', stroke: color, 'stroke-width': 1.5 }),
          );
        })
        .join(''),
  });
}

function dataRange(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

function normaliser(kind: HistogramNormalisation, inRange: number, binWidth: number): number {
  switch (kind) {
    case 'count':
      return 1;
    case 'fraction':
      return inRange > 0 ? 1 / inRange : 0;
    case 'density':
      return inRange > 0 ? 1 / (inRange * binWidth) : 0;
  }
}
