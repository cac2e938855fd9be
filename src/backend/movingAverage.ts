/**
 * The running-average update of a batch norm's statistics — running·m + batch·(1 − m) — as one TensorFlow.js kernel
 * (the op is `movingAverage` in `src/nn/movingAverage.ts`): its name and the host loop the wasm kernel runs.
 *
 * - `GalmorphMovingAverage` {running [C], batch [C]}, attrs {momentum} → [C]. No gradient: it updates state.
 *
 * Arithmetic in float32 step for step like the composite `add(mul(running, m), mul(batch, 1 − m))` (m and 1 − m
 * rounded to float32 as tfjs rounds a scalar), so both give the same bits. Written as a kernel because the composite
 * runs three kernels plus the tape's copies of their saved inputs — nine calls per statistic, 126 per ET-VAE step.
 */

export const MOVING_AVERAGE = 'GalmorphMovingAverage';
export const MOVING_AVERAGE_KERNELS = [MOVING_AVERAGE] as const;

export interface MovingAverageAttrs {
  /** Weight of the running value, in [0, 1]. */
  momentum: number;
}

export function checkMomentum(momentum: number): void {
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`moving average: momentum must be in [0, 1], got ${momentum}`);
}

/** out[i] ← fround(fround(running[i]·m) + fround(batch[i]·(1 − m))), m and 1 − m as float32. */
export function movingAverageForward(running: Float32Array, batch: Float32Array, momentum: number, out: Float32Array): void {
  const m = Math.fround(momentum);
  const rest = Math.fround(1 - momentum);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(Math.fround(running[i] * m) + Math.fround(batch[i] * rest));
}
