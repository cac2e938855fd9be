/**
 * Adam on host Float32Arrays: deterministic (the same gradients give bit-identical weights in every thread),
 * and its state (step, first and second moments, and the weight average when it keeps one) exports for checkpoints.
 *
 * Weight averaging (`averageDecay`): an exponential moving average of the weights after every update,
 *   w̄ₜ = d·w̄ₜ₋₁ + (1 − d)·wₜ with d = min(averageDecay, (1 + t)/(10 + t)), w̄₁ = w₁,
 * the ramped decay of TensorFlow's ExponentialMovingAverage(num_updates), so early averages are not dominated by the
 * random initial weights. With noisy vote labels the average of the last few hundred steps predicts better than the
 * last step's weights (README "Training recipe"); it is kept beside the moments so a resumed run continues it exactly.
 */
import type { AdamState } from '../models/optimizerState.js';
import { check, resolveOptions } from '../util/options.js';
import { InputError } from '../util/errors.js';

export interface AdamOptions {
  /** Step size. @default 0.001 */
  learningRate: number;
  /** Decay of the first-moment average. @default 0.9 */
  beta1: number;
  /** Decay of the second-moment average. @default 0.999 */
  beta2: number;
  /** Added to √v̂ in the denominator. @default 1e-8 */
  epsilon: number;
  /** Steps of linear warm-up from 0 to the learning rate (0 = none). @default 0 */
  warmupSteps: number;
  /** Cosine decay of the learning rate to 0 over this many steps (held at 0 after), or null for a constant rate. @default null */
  decaySteps: number | null;
  /** Decay d of the exponential moving average of the weights (e.g. 0.998), or null to keep none. @default null */
  averageDecay: number | null;
  /** Clip every gradient value to [−c, c] before the update (Keras' clipvalue; AstroVaDEr uses 1), or null. @default null */
  clipValue: number | null;
}

export const ADAM_DEFAULTS: AdamOptions = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, warmupSteps: 0, decaySteps: null, averageDecay: null, clipValue: null };

/**
 * The step size of update number `step` (1-based): learningRate × min(1, step / warmupSteps) × ½(1 + cos(π·min(step,
 * decaySteps) / decaySteps)). A function of the step alone, so every data-parallel worker and a resumed run agree.
 */
export function scheduledLearningRate(o: AdamOptions, step: number): number {
  const warm = o.warmupSteps > 0 ? Math.min(1, step / o.warmupSteps) : 1;
  const decay = o.decaySteps === null ? 1 : 0.5 * (1 + Math.cos((Math.PI * Math.min(step, o.decaySteps)) / o.decaySteps));
  return o.learningRate * warm * decay;
}

export function resolveAdamOptions(given: Partial<AdamOptions> = {}): AdamOptions {
  return resolveOptions(ADAM_DEFAULTS, {
    learningRate: check.number(0),
    beta1: check.number(0, 0.999999),
    beta2: check.number(0, 0.999999999),
    epsilon: check.number(0),
    warmupSteps: check.integer(0),
    decaySteps: (v, name) => {
      if (v !== null) check.integer(1)(v, name);
    },
    averageDecay: (v, name) => {
      if (v !== null) check.number(0, 0.999999)(v, name);
    },
    clipValue: (v, name) => {
      if (v !== null) check.number(Number.MIN_VALUE)(v, name);
    },
  }, given);
}

export class Adam {
  readonly options: AdamOptions;
  private step = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  /** The weight average (empty until the first update), or null when `averageDecay` is null. */
  private readonly average: Float32Array[] | null;

  /** `sizes`: the length of each parameter array, in the order `update` receives them. */
  constructor(sizes: readonly number[], options: Partial<AdamOptions> = {}) {
    this.options = resolveAdamOptions(options);
    this.m = sizes.map((n) => new Float32Array(n));
    this.v = sizes.map((n) => new Float32Array(n));
    this.average = this.options.averageDecay === null ? null : sizes.map((n) => new Float32Array(n));
  }

  /** Copies of the weight average, or null when none is kept or no update has run yet. */
  averagedWeights(): Float32Array[] | null {
    return this.average === null || this.step === 0 ? null : this.average.map((a) => a.slice());
  }

  get steps(): number {
    return this.step;
  }

  /** One update of `params` in place from `grads` (same shapes and order as the constructor's sizes). */
  update(params: Float32Array[], grads: Float32Array[]): void {
    if (params.length !== this.m.length || grads.length !== this.m.length) {
      throw new Error(`Adam.update: expected ${this.m.length} parameter arrays, got ${params.length} and ${grads.length} gradients`);
    }
    this.step += 1;
    const { beta1, beta2, epsilon } = this.options;
    const clip = this.options.clipValue ?? Number.POSITIVE_INFINITY;
    const learningRate = scheduledLearningRate(this.options, this.step);
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    for (let k = 0; k < params.length; k++) {
      const p = params[k];
      const g = grads[k];
      const m = this.m[k];
      const v = this.v[k];
      if (p.length !== m.length || g.length !== m.length) {
        throw new Error(`Adam.update: parameter array ${k} has ${p.length} values and ${g.length} gradients, expected ${m.length}`);
      }
      for (let i = 0; i < p.length; i++) {
        const gi = Math.min(clip, Math.max(-clip, g[i]));
        const mi = beta1 * m[i] + (1 - beta1) * gi;
        const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
      }
    }
    if (this.average !== null) this.updateAverage(params);
  }

  private updateAverage(params: Float32Array[]): void {
    const average = this.average as Float32Array[];
    const d = this.step === 1 ? 0 : Math.min(this.options.averageDecay as number, (1 + this.step) / (10 + this.step));
    for (let k = 0; k < params.length; k++) {
      const p = params[k];
      const a = average[k];
      for (let i = 0; i < p.length; i++) a[i] = d * a[i] + (1 - d) * p[i];
    }
  }

  exportState(): AdamState {
    return {
      kind: 'adam', step: this.step, m: this.m.map((a) => a.slice()), v: this.v.map((a) => a.slice()),
      ...(this.average === null ? {} : { average: this.average.map((a) => a.slice()) }),
    };
  }

  importState(state: AdamState): void {
    if (state.kind !== 'adam') throw new InputError(`optimizer state is "${state.kind}", expected "adam"`);
    const sameLayout =
      state.m.length === this.m.length &&
      state.v.length === this.v.length &&
      state.m.every((a, k) => a.length === this.m[k].length && state.v[k].length === this.v[k].length);
    if (!sameLayout) {
      throw new InputError(
        `optimizer state has parameter arrays of sizes [${state.m.map((a) => a.length).join(', ')}], ` +
          `the model has [${this.m.map((a) => a.length).join(', ')}]`,
        {},
        'load optimizer state saved for the same model',
      );
    }
    if (this.average !== null && state.average === undefined && state.step > 0) {
      throw new InputError(
        'optimizer state has no weight average, but this run keeps one',
        {},
        'resume with the weight-average setting the run was started with',
      );
    }
    this.step = state.step;
    state.m.forEach((a, k) => this.m[k].set(a));
    state.v.forEach((a, k) => this.v[k].set(a));
    if (this.average !== null && state.average !== undefined) state.average.forEach((a, k) => (this.average as Float32Array[])[k].set(a));
  }
}
