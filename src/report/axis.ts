/**
 * An axis: scale kind, data domain, tick values and tick labels, and the projection of a data value onto
 * pixels. Charts build axes from their (already validated) data, then lay out the plot area around the
 * tick labels.
 */
import { OptionError } from '../util/errors.js';
import { formatLinearTick, formatLogTick, logTicks, niceStep, niceTicks } from './ticks.js';

export const SCALE_KINDS = ['linear', 'log'] as const;
export type ScaleKind = (typeof SCALE_KINDS)[number];

export interface Axis {
  readonly kind: ScaleKind;
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  readonly labels: readonly string[];
}

/** Fraction of the data span added on each side of an automatic domain, so markers are not cut by the frame. */
const MARGIN = 0.05;
/** Intervals aimed for between linear ticks. */
const TICK_TARGET = 6;

/**
 * An axis over `values` (finite; positive for a log axis), or over `fixed` when given. `parameter` names the
 * option (e.g. "xRange") in errors.
 */
export function makeAxis(
  kind: ScaleKind,
  values: readonly number[],
  fixed: readonly [number, number] | null,
  parameter: string,
): Axis {
  const [min, max] = fixed ?? autoDomain(kind, values, parameter);
  if (kind === 'log' && min <= 0) {
    throw new OptionError(parameter, 'a range of positive values for a log axis', `[${min}, ${max}]`);
  }
  switch (kind) {
    case 'linear': {
      const ticks = niceTicks(min, max, TICK_TARGET);
      const step = ticks.length > 1 ? ticks[1] - ticks[0] : niceStep(max - min, TICK_TARGET);
      return { kind, min, max, ticks, labels: ticks.map((t) => formatLinearTick(t, step)) };
    }
    case 'log': {
      const ticks = logTicks(min, max);
      return { kind, min, max, ticks, labels: ticks.map(formatLogTick) };
    }
  }
}

function autoDomain(kind: ScaleKind, values: readonly number[], parameter: string): [number, number] {
  if (values.length === 0) throw new OptionError(parameter, 'data to span the axis', 'no values');
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  switch (kind) {
    case 'linear': {
      if (lo === hi) return lo === 0 ? [-1, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
      const pad = (hi - lo) * MARGIN;
      return [lo - pad, hi + pad];
    }
    case 'log': {
      if (lo <= 0) {
        throw new OptionError(parameter, 'only positive values on a log axis', `a minimum of ${lo}`);
      }
      const [a, b] = [Math.log10(lo), Math.log10(hi)];
      const pad = a === b ? 0.5 : (b - a) * MARGIN;
      return [10 ** (a - pad), 10 ** (b + pad)];
    }
  }
}

/** The pixel position of `value` on an axis drawn from pixel `start` (axis.min) to pixel `end` (axis.max). */
export function project(axis: Axis, value: number, start: number, end: number): number {
  const t =
    axis.kind === 'log'
      ? (Math.log10(value) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min))
      : (value - axis.min) / (axis.max - axis.min);
  return start + t * (end - start);
}
