/**
 * Writing a folder of files as one unit, so that a process killed at any moment (kill -9, power cut after the
 * kernel has the data) leaves either the folder's previous contents or its new contents, never a mix:
 *
 *   1. the files go into a temporary sibling, `.<name>.tmp-<pid>`, each flushed to disk (fsync);
 *   2. the previous folder is set aside as `.<name>.old` (a directory cannot be renamed over a non-empty one);
 *   3. the temporary folder is renamed to `<name>`;
 *   4. `.<name>.old` is removed.
 *
 * A kill before step 3 leaves `<name>` (or, between 2 and 3, `.<name>.old`) holding the previous contents;
 * `committedFolder` finds them in either place without changing anything (a reader may run beside the writer), and
 * the next write cleans up. Writers of one folder must not run concurrently (the run folder's lock sees to that).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeDurably } from './atomicFile.js';

/** Where a folder's previous contents wait while the new ones are renamed into place. */
export function asideFolder(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.old`);
}

function tempPrefix(dir: string): string {
  return `.${basename(dir)}.tmp-`;
}

/**
 * The folder holding the last complete write of `dir`: `dir` itself when `marker` (a file every complete write
 * contains) is there, else the set-aside previous contents when a write was cut between its renames, else null.
 */
export function committedFolder(dir: string, marker: string): string | null {
  if (existsSync(join(dir, marker))) return dir;
  const aside = asideFolder(dir);
  if (existsSync(join(aside, marker))) return aside;
  return null;
}

/**
 * Puts a write cut by a killed process right (the writer's side, before it writes or resumes): the set-aside
 * previous contents go back in place when `dir` is missing, and temporary folders left by earlier writers are
 * removed. Returns what it did, for the run log (empty when there was nothing to mend).
 */
export function mendFolder(dir: string): string[] {
  const notes: string[] = [];
  const aside = asideFolder(dir);
  if (existsSync(aside)) {
    if (existsSync(dir)) {
      rmSync(aside, { recursive: true, force: true });
    } else {
      renameSync(aside, dir);
      notes.push(`${dir}: a save was cut off between its renames; the previous contents (from ${aside}) are back in place`);
    }
  }
  const parent = dirname(dir);
  if (existsSync(parent)) {
    for (const name of readdirSync(parent)) {
      if (!name.startsWith(tempPrefix(dir))) continue;
      rmSync(join(parent, name), { recursive: true, force: true });
      notes.push(`${join(parent, name)}: removed an unfinished save left by a stopped process`);
    }
  }
  return notes;
}

/** Writes `files` (name → bytes) as the whole contents of folder `dir`, as one unit (see the module comment). */
export function writeFolderAtomically(dir: string, files: Record<string, Uint8Array>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  mendFolder(dir);
  const temp = join(parent, `${tempPrefix(dir)}${process.pid}`);
  mkdirSync(temp);
  for (const [name, bytes] of Object.entries(files)) writeDurably(join(temp, name), bytes);
  syncFolder(temp);
  const aside = asideFolder(dir);
  const had = existsSync(dir);
  if (had) renameSync(dir, aside);
  renameSync(temp, dir);
  syncFolder(parent);
  if (had) rmSync(aside, { recursive: true, force: true });
}

/** Flushes a directory's entries (renames, new files) to disk; a no-op where directories cannot be opened (Windows). */
function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    closeSync(fd);
  }
}
