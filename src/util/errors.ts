/**
 * Errors a user can act on: what was wrong, where (file, row, column, parameter) and what to do.
 */

export interface InputLocation {
  /** File the problem was found in. */
  file?: string;
  /** 1-based data row (header excluded) of a table. */
  row?: number;
  /** Column name of a table. */
  column?: string;
}

/** Bad input from a user: a file, a table cell, an image. */
export class InputError extends Error {
  readonly location: InputLocation;
  readonly hint: string | undefined;

  constructor(problem: string, location: InputLocation = {}, hint?: string) {
    super(formatInputError(problem, location, hint));
    this.name = 'InputError';
    this.location = location;
    this.hint = hint;
  }
}

export function formatInputError(problem: string, location: InputLocation, hint?: string): string {
  const where: string[] = [];
  if (location.file !== undefined) where.push(location.file);
  if (location.row !== undefined) where.push(`row ${location.row}`);
  if (location.column !== undefined) where.push(`column "${location.column}"`);
  const prefix = where.length > 0 ? `${where.join(', ')}: ` : '';
  return `${prefix}${problem}${hint ? ` — ${hint}` : ''}`;
}

/** A parameter of a public function or CLI command that is out of range or of the wrong kind. */
export class OptionError extends Error {
  constructor(
    readonly parameter: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`option "${parameter}": expected ${expected}, got ${describeValue(received)}`);
    this.name = 'OptionError';
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}
