/**
 * A job's run folder: resolved config, machine-readable results, pictures, a summary and a log.
 */
import { appendFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';

export class RunFolder {
  readonly dir: string;
  private readonly logPath: string;

  /** Creates (or reopens, for resuming) the folder. */
  constructor(dir: string, private readonly echo: boolean = true) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.logPath = join(dir, 'run.log');
  }

  path(...parts: string[]): string {
    const p = join(this.dir, ...parts);
    mkdirSync(dirname(p), { recursive: true });
    return p;
  }

  exists(...parts: string[]): boolean {
    return existsSync(join(this.dir, ...parts));
  }

  /** Appends a timestamped line to run.log and echoes it to stderr. */
  log(message: string): void {
    const line = `[${new Date().toISOString()}] ${message}`;
    appendFileSync(this.logPath, line + '\n');
    if (this.echo) process.stderr.write(message + '\n');
  }

  writeJson(name: string, value: unknown): string {
    const p = this.path(name);
    writeFileSync(p, JSON.stringify(value, null, 2) + '\n');
    return p;
  }

  writeText(name: string, text: string): string {
    const p = this.path(name);
    writeFileSync(p, text);
    return p;
  }

  writeBytes(name: string, bytes: Uint8Array): string {
    const p = this.path(name);
    writeFileSync(p, bytes);
    return p;
  }
}
