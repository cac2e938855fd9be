/**
 * Options declared once. A job (a workflow) lists its options as a table of fields; each field carries its zod
 * schema (type and validation), default, the words of its error message, and — for the options the command line
 * has — its flag, help text, closed set of choices and environment variable. From that one table come:
 *   - the options type (`FieldValues<typeof TABLE>`) and the defaults (`fieldDefaults`),
 *   - validation of an options object given to the public API (`resolveFields`, OptionError naming the option),
 *   - the commander flags of the command (`addFieldOptions`, OptionError naming the flag), and which flags the
 *     user actually typed (`typedFlags`, so presets fill in the rest),
 *   - config.json, which is the resolved table.
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { OptionError } from './errors.js';

export interface Field<T> {
  readonly schema: z.ZodType<T>;
  readonly default: T;
  /** What a valid value is, for error messages: "an integer ≥ 1". */
  readonly expected: string;
  /** Commander flag with its argument, e.g. '--batch-size <n>'; null for options only the API has. */
  readonly flag: string | null;
  readonly help: string;
  /** Closed set of values (commander `.choices()`). */
  readonly choices?: readonly string[];
  /** Environment variable that supplies the value when the flag is absent (commander `.env()`). */
  readonly env?: string;
  /** Help of the `--no-…` flag of a boolean that a preset may turn on. */
  readonly negation?: string;
  /** The command line's text → a value to validate. */
  readonly parse: (raw: string) => unknown;
}

// The inference is over heterogeneous Field<T>s; `any` is needed for the conditional type to match each one.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FieldTable = Record<string, Field<any>>;
export type FieldValues<F extends FieldTable> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

interface Common {
  flag?: string | null;
  help?: string;
}

function range(kind: string, min: number, max: number): string {
  if (Number.isFinite(min) && Number.isFinite(max)) return `${kind} in [${min}, ${max}]`;
  if (Number.isFinite(min)) return `${kind} ≥ ${min}`;
  if (Number.isFinite(max)) return `${kind} ≤ ${max}`;
  return kind;
}

function make<T>(schema: z.ZodType<T>, value: T, expected: string, common: Common, parse: (raw: string) => unknown, extra: Partial<Field<T>> = {}): Field<T> {
  return { schema, default: value, expected, flag: common.flag ?? null, help: common.help ?? '', parse, ...extra };
}

const toNumber = (raw: string): unknown => (raw.trim() === '' ? raw : Number.isNaN(Number(raw)) ? raw : Number(raw));

export const field = {
  /** An integer in [min, max]; with `step`, a multiple of it (an image side the network's pools divide). */
  integer(o: Common & { default: number; min?: number; max?: number; step?: number }): Field<number> {
    const min = o.min ?? -Infinity;
    const max = o.max ?? Infinity;
    const schema = z.number().int().min(min).max(max);
    if (o.step === undefined) return make(schema, o.default, range('an integer', min, max), o, toNumber);
    return make(schema.multipleOf(o.step), o.default, range(`a multiple of ${o.step}`, min, max), o, toNumber);
  },
  number(o: Common & { default: number; min?: number; max?: number }): Field<number> {
    const min = o.min ?? -Infinity;
    const max = o.max ?? Infinity;
    return make(z.number().finite().min(min).max(max), o.default, range('a number', min, max), o, toNumber);
  },
  string(o: Common & { default: string; env?: string }): Field<string> {
    return make(z.string().min(1), o.default, 'a non-empty string', o, (raw) => raw, o.env === undefined ? {} : { env: o.env });
  },
  boolean(o: Common & { default: boolean; negation?: string }): Field<boolean> {
    return make(z.boolean(), o.default, 'true or false', o, (raw) => raw, o.negation === undefined ? {} : { negation: o.negation });
  },
  choice<const V extends readonly [string, ...string[]]>(values: V, o: Common & { default: V[number] }): Field<V[number]> {
    return make(z.enum(values) as unknown as z.ZodType<V[number]>, o.default, `one of ${values.join(' | ')}`, o, (raw) => raw, { choices: values });
  },
  /** One or more non-empty strings (a variadic flag such as '--model <dir...>'). */
  strings(o: Common & { default: string[] }): Field<string[]> {
    return make(z.array(z.string().min(1)).min(1), o.default, 'one or more non-empty strings', o, (raw) => [raw]);
  },
  /**
   * A field of another type, parsed from the command line by `parse` (which may throw its own OptionError); an
   * option only the API has (no flag) needs no `parse`.
   */
  custom<T>(schema: z.ZodType<T>, o: Common & { default: T; expected: string; parse?: (raw: string) => unknown }): Field<T> {
    return make(schema, o.default, o.expected, o, o.parse ?? ((raw) => raw));
  },
  /** One or more values of the `item` field: an array in the API, a comma-separated list on the command line ("100,300"). */
  list<T>(item: Field<T>, o: Common & { default: T[] }): Field<T[]> {
    const parse = (raw: string): unknown => raw.split(',').map((x) => x.trim()).filter((x) => x !== '').map(item.parse);
    return make(z.array(item.schema).min(1), o.default, `a comma-separated list, each ${item.expected}`, o, parse);
  },
  /** The same field, also accepting null (its default unless given): "not set". */
  nullable<T>(inner: Field<T>): Field<T | null> {
    return { ...inner, schema: inner.schema.nullable(), default: null, expected: `${inner.expected} (or null)` } as Field<T | null>;
  },
  /** The same field with another default, flag or help (a job's own wording of a shared field). */
  with<T>(inner: Field<T>, o: Partial<Pick<Field<T>, 'default' | 'flag' | 'help' | 'env'>>): Field<T> {
    return { ...inner, ...o };
  },
};

/** The defaults of a table. */
export function fieldDefaults<F extends FieldTable>(fields: F): FieldValues<F> {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.default])) as FieldValues<F>;
}

/** The value if the field's schema accepts it; otherwise an OptionError naming the option and showing `shown`. */
function validate(f: Field<unknown>, value: unknown, name: string, shown: unknown = value): unknown {
  const r = f.schema.safeParse(value);
  if (!r.success) throw new OptionError(name, f.expected, shown);
  return r.data;
}

/**
 * `given` over `base` (e.g. a preset) over the defaults; every value validated. Unknown keys and bad values throw
 * an OptionError naming the option.
 */
export function resolveFields<F extends FieldTable>(fields: F, given: Partial<FieldValues<F>>, base: Partial<FieldValues<F>> = {}): FieldValues<F> {
  for (const key of Object.keys(given)) {
    if (!(key in fields)) throw new OptionError(key, `one of ${Object.keys(fields).join(', ')}`, 'an unknown option');
  }
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    const value = (given as Record<string, unknown>)[key] ?? (base as Record<string, unknown>)[key] ?? f.default;
    out[key] = validate(f, value, key);
  }
  return out as FieldValues<F>;
}

/** The field's flag name without its argument: '--batch-size'. */
function flagName(f: Field<unknown>): string {
  return (f.flag ?? '').split(/[\s<[]/)[0];
}

/** Commander options for the table's fields that have a flag (in table order). */
export function addFieldOptions(cmd: Command, fields: FieldTable, options: { required?: readonly string[] } = {}): Command {
  for (const [key, f] of Object.entries(fields)) {
    if (f.flag === null) continue;
    const name = flagName(f);
    const isBoolean = !f.flag.includes('<');
    const required = options.required?.includes(key) === true;
    const option = new Option(f.flag, f.help);
    if (f.flag.includes('...>')) {
      // Variadic: commander calls the parser once per value with the values so far.
      option.argParser((raw: string, previous: unknown) => validate(f, [...(Array.isArray(previous) && previous !== f.default ? previous : []), ...(f.parse(raw) as unknown[])], name, raw));
    } else if (!isBoolean) option.argParser((raw: string) => validate(f, f.parse(raw), name, raw));
    if (f.choices) option.choices(f.choices);
    if (f.env) option.env(f.env);
    if (required) option.makeOptionMandatory(true);
    // A field read from the environment has no command-line default: the job resolves it when neither is set.
    else if (f.default !== null && f.env === undefined) option.default(f.default);
    cmd.addOption(option);
    if (isBoolean && f.negation !== undefined) cmd.addOption(new Option(`--no-${name.slice(2)}`, f.negation));
  }
  return cmd;
}

/** The values of the flags the user typed or set through the environment (not commander's defaults). */
export function typedFlags<F extends FieldTable>(cmd: Command, fields: F): Partial<FieldValues<F>> {
  const values = cmd.opts();
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    if (f.flag === null) continue;
    const attribute = new Option(f.flag).attributeName();
    const source = cmd.getOptionValueSource(attribute);
    if (source !== undefined && source !== 'default' && values[attribute] !== undefined) out[key] = values[attribute];
  }
  return out as Partial<FieldValues<F>>;
}
