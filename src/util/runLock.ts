/**
 * The lock that keeps a run folder to one writer: a file `run.lock` in the folder holding the writer's pid, host,
 * command and start time. It is created atomically (written to a temporary file, then hard-linked to its name,
 * which fails if the name exists), so two processes starting together cannot both take it.
 *
 * A second writer is refused with a message naming the folder and the holder. A lock left by a process that died
 * without releasing it (kill -9, power cut) is stale when its host is this host and its pid is no longer alive:
 * it is taken over, and the caller is told so (for the run log). A lock from another host is never assumed stale
 * (its pid means nothing here); the message says how to remove it by hand.
 *
 * Locks are released by `release()`, and any still held when the process exits (normally, after an error, or
 * through process.exit from a signal handler) are removed by an exit hook.
 */
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from './errors.js';

export const LOCK_FILE = 'run.lock';

export interface LockHolder {
  pid: number;
  host: string;
  /** The command line (or API call) of the holder. */
  command: string;
  /** When the lock was taken (ISO time). */
  since: string;
}

/** Locks this process holds, by lock-file path (one holder per folder in a process, too). */
const held = new Map<string, RunLock>();
let exitHookInstalled = false;

export class RunLock {
  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
    /** The stale lock this one replaced, if any. */
    readonly tookOver: LockHolder | null,
  ) {}

  /**
   * Takes the lock of `dir` (which must exist), or throws an InputError naming the folder and the holder.
   * `command` is recorded in the lock file for whoever finds it.
   */
  static acquire(dir: string, command: string): RunLock {
    const path = join(dir, LOCK_FILE);
    const mine: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
    if (held.has(path)) throw refusal(dir, held.get(path)!.holder, true);
    let tookOver: LockHolder | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryCreate(path, mine)) {
        const lock = new RunLock(path, mine, tookOver);
        held.set(path, lock);
        installExitHook();
        return lock;
      }
      const found = readHolder(path);
      if (found === null) continue; // released (or half-written by a dying writer) meanwhile: try again
      if (!isStale(found)) throw refusal(dir, found, false);
      // Remove the stale lock only if it is still the same file (another process may have taken it over first).
      const again = readHolder(path);
      if (again !== null && again.pid === found.pid && again.since === found.since && again.host === found.host) {
        rmSync(path, { force: true });
        tookOver = found;
      }
    }
    const last = readHolder(path);
    throw last !== null ? refusal(dir, last, false) : new InputError('could not take the run-folder lock', { file: path }, 'try again');
  }

  /** Removes the lock file if it is still this process's (idempotent). */
  release(): void {
    if (held.get(this.path) !== this) return;
    held.delete(this.path);
    const found = readHolder(this.path);
    if (found !== null && found.pid === this.holder.pid && found.since === this.holder.since) rmSync(this.path, { force: true });
  }
}

/** Whether a lock's holder is gone: same host and no process with its pid (EPERM means it exists, as another user). */
export function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  // Our own pid, yet not a lock this process holds (acquire checks that first): left by an earlier process that had
  // this pid (pids are reused, and restart from 1 in every container).
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function describeHolder(h: LockHolder): string {
  return `process ${h.pid} on host ${h.host} (since ${h.since}: ${h.command})`;
}

function refusal(dir: string, holder: LockHolder, sameProcess: boolean): InputError {
  const hint = sameProcess
    ? 'this process is already writing this run folder; wait for that job to finish or choose another --out'
    : holder.host === hostname()
      ? 'wait for that job to finish, stop it, or choose another --out'
      : `wait for that job to finish or choose another --out; if it is no longer running on ${holder.host}, delete ${join(dir, LOCK_FILE)}`;
  return new InputError(`this run folder is being written by ${describeHolder(holder)}`, { file: dir }, hint);
}

function tryCreate(path: string, holder: LockHolder): boolean {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temp, JSON.stringify(holder, null, 2) + '\n');
  try {
    linkSync(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(temp);
  }
}

function readHolder(path: string): LockHolder | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') {
      return { pid: h.pid, host: h.host, command: String(h.command ?? '?'), since: String(h.since ?? '?') };
    }
  } catch {
    // fall through: not a lock this program wrote
  }
  throw new InputError('not a galmorph lock file (expected JSON with pid and host)', { file: path },
    'if no galmorph job is writing this folder, delete the file');
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lock of [...held.values()]) lock.release();
  });
}
