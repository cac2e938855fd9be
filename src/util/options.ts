/**
 * One place to fill defaults and validate options objects. Each public function declares an
 * `*Options` interface (fields documented with `@default`) and a `Spec` of validators; `resolveOptions`
 * merges user values over defaults and throws an `OptionError` naming the parameter on bad input.
 */
import { OptionError } from './errors.js';

export type Check<T> = (value: T, name: string) => void;

export type Spec<T> = { [K in keyof T]-?: Check<T[K]> };

export function resolveOptions<T extends object>(defaults: T, spec: Spec<T>, given: Partial<T> = {}): T {
  for (const key of Object.keys(given)) {
    if (!(key in defaults)) {
      throw new OptionError(key, `one of ${Object.keys(defaults).join(', ')}`, `an unknown option`);
    }
  }
  const merged = { ...defaults } as T;
  for (const key of Object.keys(given) as (keyof T)[]) {
    if (given[key] !== undefined) merged[key] = given[key] as T[keyof T];
  }
  for (const key of Object.keys(spec) as (keyof T)[]) spec[key](merged[key], String(key));
  return merged;
}

export const check = {
  number(min = -Infinity, max = Infinity): Check<number> {
    return (v, name) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
        throw new OptionError(name, `a finite number in [${min}, ${max}]`, v);
      }
    };
  },
  integer(min = -Infinity, max = Infinity): Check<number> {
    return (v, name) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        throw new OptionError(name, `an integer in [${min}, ${max}]`, v);
      }
    };
  },
  oneOf<T extends string>(values: readonly T[]): Check<T> {
    return (v, name) => {
      if (!values.includes(v)) throw new OptionError(name, `one of ${values.join(' | ')}`, v);
    };
  },
  boolean(): Check<boolean> {
    return (v, name) => {
      if (typeof v !== 'boolean') throw new OptionError(name, 'true or false', v);
    };
  },
  string(): Check<string> {
    return (v, name) => {
      if (typeof v !== 'string' || v.length === 0) throw new OptionError(name, 'a non-empty string', v);
    };
  },
  integerList(min = -Infinity): Check<number[]> {
    return (v, name) => {
      if (!Array.isArray(v) || v.length === 0 || v.some((x) => !Number.isInteger(x) || x < min)) {
        throw new OptionError(name, `a non-empty list of integers ≥ ${min}`, v);
      }
    };
  },
  any<T>(): Check<T> {
    return () => undefined;
  },
};
