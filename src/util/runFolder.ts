/**
 * A job's run folder: resolved config, machine-readable results, pictures, a summary and a log.
 *
 * A job holds the folder's lock (runLock.ts: `run.lock`, with its pid and host) from opening the folder until
 * `close()` (or the process's exit), so a second job writing into the same folder is refused instead of mixing its
 * files with this one's. JSON and text files are written whole (atomicFile.ts: a flushed temporary file renamed
 * over the old one), so a killed job leaves the previous version or the new one, never half a file (model folders
 * are replaced whole: atomicFolder.ts).
 */
import { appendFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { writeFileAtomically } from './atomicFile.js';
import { commandLine } from './commandLine.js';
import { onImmediateStop } from './interrupt.js';
import { describeHolder, RunLock } from './runLock.js';

export interface RunFolderOptions {
  /** Echo log lines to stderr. @default true */
  echo?: boolean;
  /** Take the folder's lock (refusing a folder another live job is writing). @default true */
  lock?: boolean;
}

export class RunFolder {
  readonly dir: string;
  private readonly logPath: string;
  private readonly echo: boolean;
  private lock: RunLock | null = null;
  private stopListener: (() => void) | null = null;

  /**
   * Creates (or reopens, for resuming) the folder and takes its lock: throws, naming the folder and the holder's
   * pid and host, when another live job holds it; takes over (and logs) a lock left by a process that died.
   */
  constructor(dir: string, options: boolean | RunFolderOptions = {}) {
    const o: RunFolderOptions = typeof options === 'boolean' ? { echo: options } : options;
    this.dir = dir;
    this.echo = o.echo ?? true;
    mkdirSync(dir, { recursive: true });
    this.logPath = join(dir, 'run.log');
    if (o.lock ?? true) {
      this.lock = RunLock.acquire(dir, commandLine() ?? `galmorph API call (node ${process.argv.slice(1).join(' ')})`);
      if (this.lock.tookOver !== null) {
        this.log(`took over a stale lock of ${describeHolder(this.lock.tookOver)}: that process is no longer running (its job was cut off; --resume continues it where the job supports it)`);
      }
      this.stopListener = onImmediateStop((signal) => this.log(`interrupted by ${signal} outside a training step; nothing to save (exit code ${signal === 'SIGINT' ? 130 : 143})`));
    }
  }

  /** Releases the folder's lock (idempotent; the process's exit releases it too). */
  close(): void {
    this.stopListener?.();
    this.stopListener = null;
    this.lock?.release();
    this.lock = null;
  }

  /** `using run = new RunFolder(dir)` releases the lock when the job's scope ends, normally or by an error. */
  [Symbol.dispose](): void {
    this.close();
  }

  path(...parts: string[]): string {
    const p = join(this.dir, ...parts);
    mkdirSync(dirname(p), { recursive: true });
    return p;
  }

  exists(...parts: string[]): boolean {
    return existsSync(join(this.dir, ...parts));
  }

  /** Appends a timestamped line to run.log and echoes it to stderr (unless `echo` is false here or for the folder). */
  log(message: string, options: { echo?: boolean } = {}): void {
    const line = `[${new Date().toISOString()}] ${message}`;
    appendFileSync(this.logPath, line + '\n');
    if (this.echo && (options.echo ?? true)) process.stderr.write(message + '\n');
  }

  writeJson(name: string, value: unknown): string {
    return this.writeBytes(name, Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8'));
  }

  writeText(name: string, text: string): string {
    return this.writeBytes(name, Buffer.from(text, 'utf8'));
  }

  writeBytes(name: string, bytes: Uint8Array): string {
    const p = this.path(name);
    writeFileAtomically(p, bytes);
    return p;
  }
}
