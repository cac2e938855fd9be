/**
 * Validation of the data series charts receive: present, of matching lengths, finite, positive on log axes.
 * Errors name the series by index and label and the offending point, e.g.
 * `option "series[1] ("BALD").y[3]": expected a finite number, got NaN`.
 */
import { OptionError } from '../util/errors.js';
import type { ScaleKind } from './axis.js';

export interface XYSeries {
  /** Name shown in the legend. */
  label: string;
  x: readonly number[];
  y: readonly number[];
}

export function seriesName(index: number, label: string): string {
  return `series[${index}] (${JSON.stringify(label)})`;
}

/** Throws unless `series` is a non-empty list of x–y series with equal-length, finite (and log-safe) values. */
export function checkXYSeries(series: readonly XYSeries[], xScale: ScaleKind, yScale: ScaleKind): void {
  if (!Array.isArray(series) || series.length === 0) {
    throw new OptionError('series', 'at least one series', series);
  }
  series.forEach((s, i) => {
    const name = seriesName(i, s.label);
    if (s.x.length === 0) throw new OptionError(`${name}.x`, 'at least one point', s.x);
    if (s.y.length !== s.x.length) {
      throw new OptionError(`${name}.y`, `as many values as x (${s.x.length})`, s.y);
    }
    checkValues(s.x, `${name}.x`, xScale);
    checkValues(s.y, `${name}.y`, yScale);
  });
}

/** Throws unless every value is finite, and positive when it is plotted on a log scale. */
export function checkValues(values: readonly number[], name: string, scale: ScaleKind): void {
  values.forEach((v, j) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(`${name}[${j}]`, 'a finite number', v);
    if (scale === 'log' && v <= 0) throw new OptionError(`${name}[${j}]`, 'a positive number (log axis)', v);
  });
}
