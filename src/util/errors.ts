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

const SYSTEM_ERRORS: Record<string, [problem: string, hint: string]> = {
  EISDIR: ['is a folder, not a file', 'give the path of a file'],
  EEXIST: ['already exists (a file where a folder is needed, or the reverse)', 'choose another path, or move the file away'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'check each folder of the path'],
  ENOENT: ['no such file or folder', 'check the path'],
  EACCES: ['permission denied', 'check the permissions of the file and its folders'],
  EPERM: ['operation not permitted', 'check the permissions of the file and its folders'],
  ENOSPC: ['no space left on the device', 'free some space, or write the run folder elsewhere (--out)'],
  EROFS: ['the file system is read-only', 'write the run folder elsewhere (--out)'],
  EMFILE: ['too many open files', 'raise the limit (ulimit -n) or use fewer --workers'],
};

/**
 * The message a user sees for an error: a Node.js file-system error (whose own message may lack the path, as
 * EISDIR's does) as "PATH: what is wrong (cannot SYSCALL) — what to do"; any other error's message unchanged.
 */
export function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || typeof err.syscall !== 'string') return (e as Error)?.message ?? String(e);
  const known = SYSTEM_ERRORS[err.code];
  const path = typeof err.path === 'string' ? err.path : undefined;
  if (known === undefined) return err.message;
  const problem = `${path === undefined ? 'a path given ' : ''}${known[0]} (cannot ${err.syscall}, ${err.code})`;
  const hint = path === undefined ? `${known[1]}; GALMORPH_DEBUG=1 shows where it happened` : known[1];
  return formatInputError(problem, { file: path }, hint);
}
