/**
 * Named, seeded model parameters. Every model owns one `ParamStore`; layers create their variables through a scope
 * ("encoder/conv1/kernel"). Initial values depend only on (seed, name), so weights are identical across workers and
 * runs, and independent of the order layers are built in.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';

export const INIT_KINDS = ['glorotUniform', 'heNormal', 'zeros', 'ones'] as const;
export type InitKind = (typeof INIT_KINDS)[number];

/** Plain-array weights, as saved in checkpoints and sent to workers. */
export type NamedWeights = Record<string, { shape: number[]; values: Float32Array }>;

interface Entry {
  name: string;
  variable: tf.Variable;
  trainable: boolean;
  /** A trainable weight held fixed (`freeze`): left out of `trainable`, still saved and loaded. */
  frozen: boolean;
}

export interface VariableOptions {
  /** False for state such as BatchNorm running statistics. @default true */
  trainable?: boolean;
  /** Fan-in / fan-out used by Glorot and He initialisers. @default derived from the shape (conv: HWIO) */
  fans?: [fanIn: number, fanOut: number];
}

export class ParamStore {
  private readonly entries: Entry[] = [];
  private readonly byName = new Map<string, Entry>();

  constructor(readonly seed: number) {}

  variable(name: string, shape: number[], init: InitKind, options: VariableOptions = {}): tf.Variable {
    if (this.byName.has(name)) throw new Error(`ParamStore: a parameter named "${name}" already exists`);
    const values = initialValues(Rng.derive(this.seed, name), shape, init, options.fans ?? fansOf(shape));
    const trainable = options.trainable ?? true;
    // The variable shares the initial tensor's data (reference-counted): dispose the tensor, or it outlives the variable.
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, trainable, `${name}_${uniqueSuffix()}`);
    initial.dispose();
    const entry = { name, variable, trainable, frozen: false };
    this.entries.push(entry);
    this.byName.set(name, entry);
    return variable;
  }

  /** A view that prefixes every name with `prefix/`. */
  scope(prefix: string): ParamScope {
    return new ParamScope(this, prefix);
  }

  /** The weights an optimiser updates: trainable and not frozen. */
  get trainable(): tf.Variable[] {
    return this.entries.filter((e) => e.trainable && !e.frozen).map((e) => e.variable);
  }

  /**
   * Holds the trainable weights under the prefixes fixed (e.g. a pretrained encoder while a new head trains): they
   * leave `trainable`, so trainers neither compute their gradients nor update them, and stay in the saved weights.
   * Returns the names frozen; a prefix that matches no weight is an error naming it.
   */
  freeze(...prefixes: string[]): string[] {
    const frozen: string[] = [];
    for (const p of prefixes) {
      const hits = this.entries.filter((e) => e.trainable && under(e.name, p));
      if (hits.length === 0) throw new Error(`ParamStore.freeze: no trainable parameter under "${p}"`);
      for (const e of hits) {
        e.frozen = true;
        frozen.push(e.name);
      }
    }
    return frozen;
  }

  /** Trainable variables whose names start with one of the prefixes (e.g. to freeze an encoder). */
  trainableUnder(...prefixes: string[]): tf.Variable[] {
    return this.entries
      .filter((e) => e.trainable && !e.frozen && prefixes.some((p) => under(e.name, p)))
      .map((e) => e.variable);
  }

  get state(): tf.Variable[] {
    return this.entries.filter((e) => !e.trainable).map((e) => e.variable);
  }

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  get parameterCount(): number {
    return this.entries.filter((e) => e.trainable).reduce((n, e) => n + e.variable.size, 0);
  }

  exportWeights(): NamedWeights {
    const out: NamedWeights = {};
    for (const e of this.entries) {
      out[e.name] = { shape: [...e.variable.shape], values: new Float32Array(e.variable.dataSync()) };
    }
    return out;
  }

  /** Loads weights saved by `exportWeights`; refuses missing, extra or mis-shaped entries, naming them. */
  importWeights(weights: NamedWeights, source = 'weights'): void {
    const missing = this.entries.filter((e) => !(e.name in weights)).map((e) => e.name);
    const extra = Object.keys(weights).filter((n) => !this.byName.has(n));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `${source}: parameters do not match this model` +
          (missing.length ? `; missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}` : '') +
          (extra.length ? `; unexpected: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}` : '') +
          ' — was it saved from a model with a different configuration?',
      );
    }
    for (const e of this.entries) {
      const w = weights[e.name];
      const same = w.shape.length === e.variable.shape.length && w.shape.every((d, i) => d === e.variable.shape[i]);
      if (!same) {
        throw new Error(`${source}: parameter "${e.name}" has shape [${w.shape}] but the model expects [${e.variable.shape}]`);
      }
      const value = tf.tensor(w.values, w.shape, 'float32');
      e.variable.assign(value);
      value.dispose();
    }
  }

  /**
   * Loads the parameters under the prefixes from `weights` (e.g. a pretrained encoder into a model with a new head),
   * leaving the others as they are; refuses a parameter under them that `weights` lacks or holds in another shape.
   * Returns the names loaded.
   */
  importUnder(weights: NamedWeights, prefixes: readonly string[], source = 'weights'): string[] {
    const chosen = this.entries.filter((e) => prefixes.some((p) => under(e.name, p)));
    if (chosen.length === 0) throw new Error(`${source}: this model has no parameters under ${prefixes.join(', ')}`);
    for (const e of chosen) {
      const w = weights[e.name];
      if (w === undefined) throw new Error(`${source}: lacks parameter "${e.name}" — was it saved from a model with another architecture?`);
      if (w.shape.length !== e.variable.shape.length || w.shape.some((d, i) => d !== e.variable.shape[i])) {
        throw new Error(`${source}: parameter "${e.name}" has shape [${w.shape}] but the model expects [${e.variable.shape}]`);
      }
    }
    for (const e of chosen) {
      const value = tf.tensor(weights[e.name].values, weights[e.name].shape, 'float32');
      e.variable.assign(value);
      value.dispose();
    }
    return chosen.map((e) => e.name);
  }

  dispose(): void {
    for (const e of this.entries) e.variable.dispose();
    this.entries.length = 0;
    this.byName.clear();
  }
}

export class ParamScope {
  constructor(
    readonly store: ParamStore,
    readonly prefix: string,
  ) {}

  variable(name: string, shape: number[], init: InitKind, options?: VariableOptions): tf.Variable {
    return this.store.variable(`${this.prefix}/${name}`, shape, init, options);
  }

  scope(prefix: string): ParamScope {
    return new ParamScope(this.store, `${this.prefix}/${prefix}`);
  }
}

/** Whether parameter `name` is `prefix` itself or lies under it (`prefix/…`). */
function under(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}/`);
}

let counter = 0;
function uniqueSuffix(): number {
  return counter++;
}

/** Fans of a dense [in, out] or conv [kh, kw, in, out] / [k, in, out] kernel. */
function fansOf(shape: number[]): [number, number] {
  if (shape.length < 2) return [shape[0] ?? 1, shape[0] ?? 1];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

function initialValues(rng: Rng, shape: number[], init: InitKind, [fanIn, fanOut]: [number, number]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  switch (init) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = rng.range(-limit, limit);
      return out;
    }
    case 'heNormal': {
      const sd = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) {
        let z = rng.normal();
        while (Math.abs(z) > 2) z = rng.normal(); // truncated at 2 sd, as Keras' he_normal
        out[i] = sd * z / 0.87962566; // keeps the variance 2/fanIn after truncation
      }
      return out;
    }
    default: {
      const never: never = init;
      throw new Error(`unknown initialiser ${String(never)}`);
    }
  }
}
