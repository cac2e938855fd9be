import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError, InputError } from '../../src/util/errors.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe('describeError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-syserr-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');

  it('explains an EISDIR, whose own message has no path ("illegal operation on a directory")', () => {
    const e = thrown(() => readFileSync(dir));
    expect((e as Error).message).toBe('EISDIR: illegal operation on a directory, read');
    expect(describeError(e)).toBe('a path given is a folder, not a file (cannot read, EISDIR) — give the path of a file; GALMORPH_DEBUG=1 shows where it happened');
  });

  it('names the path when the error has one', () => {
    expect(describeError(thrown(() => readFileSync(join(dir, 'nope'))))).toBe(`${join(dir, 'nope')}: no such file or folder (cannot open, ENOENT) — check the path`);
  });

  it('explains EEXIST and ENOTDIR when a folder is made where a file is', () => {
    expect(describeError(thrown(() => mkdirSync(file)))).toBe(`${file}: already exists (a file where a folder is needed, or the reverse) (cannot mkdir, EEXIST) — choose another path, or move the file away`);
    expect(describeError(thrown(() => mkdirSync(join(file, 'sub'), { recursive: true })))).toMatch(/a-file(\/sub)?: (a part of the path is a file, not a folder \(cannot mkdir, ENOTDIR\)|already exists)/);
  });

  it('leaves other errors as they are', () => {
    expect(describeError(new InputError('bad', { file: 'f.csv', row: 2 }))).toBe('f.csv, row 2: bad');
    expect(describeError(new Error('plain'))).toBe('plain');
  });
});
