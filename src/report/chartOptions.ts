/**
 * Options every x–y chart shares (title, axis labels, size, fixed ranges, legend), their defaults and
 * validation, so each chart only declares what is its own.
 */
import { OptionError } from '../util/errors.js';
import { check, type Check, type Spec } from '../util/options.js';
import { SCALE_KINDS, type ScaleKind } from './axis.js';

export interface ChartOptions {
  /** Title above the plot; none when empty. @default '' */
  title: string;
  /** Label under the x axis. @default '' */
  xLabel: string;
  /** Label beside the y axis. @default '' */
  yLabel: string;
  /** Figure width in pixels. @default 640 */
  width: number;
  /** Figure height in pixels. @default 420 */
  height: number;
  /** Fixed x range [min, max]; null fits the data. @default null */
  xRange: [number, number] | null;
  /** Fixed y range [min, max]; null fits the data. @default null */
  yRange: [number, number] | null;
  /** Show a legend right of the plot. @default true */
  legend: boolean;
}

export const CHART_DEFAULTS: ChartOptions = {
  title: '',
  xLabel: '',
  yLabel: '',
  width: 640,
  height: 420,
  xRange: null,
  yRange: null,
  legend: true,
};

export const REFERENCE_LINES = ['none', 'diagonal'] as const;
export type ReferenceLine = (typeof REFERENCE_LINES)[number];

/** Options of charts with two continuous axes (line charts, scatter plots). */
export interface XYChartOptions extends ChartOptions {
  /** Scale of the x axis. @default 'linear' */
  xScale: ScaleKind;
  /** Scale of the y axis. @default 'linear' */
  yScale: ScaleKind;
  /** A dashed reference line; 'diagonal' draws y = x (calibration curves). @default 'none' */
  referenceLine: ReferenceLine;
}

export const XY_CHART_DEFAULTS: XYChartOptions = {
  ...CHART_DEFAULTS,
  xScale: 'linear',
  yScale: 'linear',
  referenceLine: 'none',
};

/** Any string, the empty one included. */
export function textCheck(): Check<string> {
  return (v, name) => {
    if (typeof v !== 'string') throw new OptionError(name, 'a string', v);
  };
}

/** null, or [min, max] with finite min < max. */
export function rangeCheck(): Check<[number, number] | null> {
  return (v, name) => {
    if (v === null) return;
    if (!Array.isArray(v) || v.length !== 2 || !v.every(Number.isFinite) || !(v[0] < v[1])) {
      throw new OptionError(name, 'null or [min, max] with finite min < max', v);
    }
  };
}

export const CHART_SPEC: Spec<ChartOptions> = {
  title: textCheck(),
  xLabel: textCheck(),
  yLabel: textCheck(),
  width: check.integer(240, 10_000),
  height: check.integer(180, 10_000),
  xRange: rangeCheck(),
  yRange: rangeCheck(),
  legend: check.boolean(),
};

export const XY_CHART_SPEC: Spec<XYChartOptions> = {
  ...CHART_SPEC,
  xScale: check.oneOf(SCALE_KINDS),
  yScale: check.oneOf(SCALE_KINDS),
  referenceLine: check.oneOf(REFERENCE_LINES),
};
