/**
 * The one check every file the explorer serves goes through: a path asked for by a client (already URL-decoded
 * once by the router) is resolved under a root folder and refused unless the file it names — after following
 * symbolic links — lies inside that root. Refused: empty paths, NUL bytes, absolute paths (`/etc/passwd`, `C:\…`,
 * `\\server\…`), any `..` segment (also when it arrived encoded as `%2e%2e`: the router decodes it to `..` first),
 * hidden names (`.git`, `.ratings`), and links leading out of the root. Files only: a folder is refused too.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

/** Why a path was refused, with the HTTP status the server answers with. */
export class PathRefused extends Error {
  constructor(readonly status: 400 | 403 | 404, message: string) {
    super(message);
    this.name = 'PathRefused';
  }
}

/** The real path of `root` (resolved once by the caller and passed to `resolveInside`). */
export function realRoot(root: string): string {
  return realpathSync(root);
}

/**
 * The real path of the file `requested` names under `root` (a real path, see `realRoot`), or a PathRefused saying
 * why not: 400 for a malformed path, 403 for a path that would leave the root, 404 for a missing file.
 */
export function resolveInside(root: string, requested: string): string {
  if (requested.length === 0) throw new PathRefused(400, 'an empty file path');
  if (requested.includes('\0')) throw new PathRefused(400, 'a file path with a NUL byte');
  if (isAbsolute(requested) || /^[a-zA-Z]:/.test(requested) || requested.startsWith('\\')) {
    throw new PathRefused(403, `an absolute path (${JSON.stringify(requested)}): paths are relative to the served folder`);
  }
  const segments = requested.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new PathRefused(403, 'a path with ".." segments: only files inside the served folder are served');
  if (segments.some((s) => s.startsWith('.'))) throw new PathRefused(403, 'a hidden file or folder (a name starting with "."): not served');
  if (segments.length === 0) throw new PathRefused(400, 'a path naming no file');
  let real: string;
  try {
    real = realpathSync(join(root, ...segments));
  } catch {
    throw new PathRefused(404, `no such file: ${segments.join('/')}`);
  }
  if (real !== root && !real.startsWith(root + sep)) throw new PathRefused(403, `${segments.join('/')} leads outside the served folder (a symbolic link): not served`);
  if (!statSync(real).isFile()) throw new PathRefused(404, `${segments.join('/')} is a folder, not a file`);
  return real;
}
