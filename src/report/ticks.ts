/**
 * Tick positions at "nice" numbers (1, 2 or 5 times a power of ten) for linear axes, decades (with 2 and 5
 * in between when the range is short) for log axes, and tick labels with just enough decimals.
 */

/** The nice step (1, 2 or 5 × 10^k) that splits `span` into about `target` intervals. */
export function niceStep(span: number, target: number): number {
  const raw = span / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalised = raw / magnitude;
  const factor = normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10;
  return factor * magnitude;
}

/** Removes floating-point noise such as 0.30000000000000004 from a multiple of `step`. */
function snap(value: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 20)));
}

/** Nice ticks inside [min, max] (ends included when they fall on a tick), about `target` intervals apart. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  const step = niceStep(max - min, target);
  const tolerance = step * 1e-9;
  const first = Math.ceil((min - tolerance) / step);
  const last = Math.floor((max + tolerance) / step);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(snap(i * step, step));
  return ticks;
}

/**
 * Ticks for a log axis over [min, max] (both > 0): powers of ten; with 2× and 5× multiples when that gives
 * fewer than four ticks; with every integer multiple when the range is shorter than a decade.
 */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const within = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const candidates = (multiples: number[]) => {
    const ticks: number[] = [];
    for (let e = lo; e <= hi; e++) {
      for (const m of multiples) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (within(v)) ticks.push(v);
      }
    }
    return ticks;
  };
  for (const multiples of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks = candidates(multiples);
    if (ticks.length >= 4 || multiples.length === 9) return ticks;
  }
  throw new Error('unreachable: the last candidate set is always returned');
}

/**
 * A label for a linear tick, with as many decimals as the step needs (exponent form for extreme scales) and a
 * typographic minus sign.
 */
export function formatLinearTick(value: number, step: number): string {
  if (value === 0) return '0';
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const text = step >= 1e6 || step < 1e-4 ? Number(value.toPrecision(6)).toExponential() : value.toFixed(decimals);
  return text.replace(/^-/, '\u2212');
}

/** A label for a log tick: plain for 0.001 … 10 000, exponent form (1e-5, 2e+6) outside. */
export function formatLogTick(value: number): string {
  if (value >= 1e-3 && value < 1e5) return String(Number(value.toPrecision(6)));
  return Number(value.toPrecision(6)).toExponential();
}
