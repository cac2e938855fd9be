import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunFolder } from '../../src/util/runFolder.js';
import { LOCK_FILE } from '../../src/util/runLock.js';

/**
 * Another process that opens `dir` as its run folder (taking the lock) and holds it until told to exit on stdin
 * ("exit" returns normally, "throw" ends with an uncaught error). Resolves once it reports the lock taken, or
 * with its refusal message when it could not take it.
 */
async function holder(dir: string): Promise<{ child: ChildProcessWithoutNullStreams; status: string }> {
  const url = pathToFileURL(resolve('src/util/runFolder.ts')).href;
  const script = `
    const { RunFolder } = await import(${JSON.stringify(url)});
    let run;
    try {
      run = new RunFolder(process.argv[1], false);
    } catch (e) {
      process.stdout.write('refused: ' + e.message + '\\n');
      process.exit(3);
    }
    process.stdout.write('locked\\n');
    process.stdin.on('data', (d) => {
      const what = d.toString().trim();
      if (what === 'exit') { run.log('done'); process.exit(0); }
      if (what === 'throw') setTimeout(() => { throw new Error('job failed'); });
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { cwd: process.cwd() });
  child.stderr.resume();
  const status = await new Promise<string>((done, fail) => {
    let out = '';
    child.on('error', fail);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) done(out.trim());
    });
    child.on('exit', () => done(out.trim()));
  });
  return { child, status };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
}

describe('run-folder lock', () => {
  it('two processes: the second writer is refused naming the folder and the holder; the lock is released on exit and on an error', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gm-lock-')), 'run');
    const first = await holder(dir);
    expect(first.status).toBe('locked');
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid: first.child.pid, host: hostname() });

    // Another process, then this one: both refused while the first holds the folder.
    const second = await holder(dir);
    expect(second.status).toMatch(new RegExp(`^refused: ${dir}: this run folder is being written by process ${first.child.pid} on host ${hostname()}`));
    expect((await exited(second.child)).code).toBe(3);
    expect(() => new RunFolder(dir, false)).toThrow(new RegExp(`${dir}: this run folder is being written by process ${first.child.pid} on host .*wait for that job to finish, stop it, or choose another --out`));

    first.child.stdin.write('exit\n');
    expect((await exited(first.child)).code).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const third = await holder(dir);
    expect(third.status).toBe('locked');
    third.child.stdin.write('throw\n');
    expect((await exited(third.child)).code).toBe(1);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false); // released by the exit hook after the uncaught error
  });

  it('a lock left by a killed process (SIGKILL) is detected as stale, named in the log and taken over', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gm-lock-')), 'run');
    const dead = await holder(dir);
    expect(dead.status).toBe('locked');
    dead.child.kill('SIGKILL');
    expect((await exited(dead.child)).signal).toBe('SIGKILL');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(dead.child.pid); // nothing could release it

    const run = new RunFolder(dir, false);
    try {
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
      expect(readFileSync(join(dir, 'run.log'), 'utf8')).toMatch(
        new RegExp(`took over a stale lock of process ${dead.child.pid} on host ${hostname()} .*: that process is no longer running`),
      );
    } finally {
      run.close();
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('in one process: a second open of a folder in use is refused; `using` releases it when the job ends, by return or by error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-lock-'));
    const job = (fail: boolean): void => {
      using run = new RunFolder(dir, false);
      expect(() => new RunFolder(dir, false)).toThrow(/this run folder is being written by process \d+ .*this process is already writing this run folder/);
      run.log('working');
      if (fail) throw new Error('job failed');
    };
    expect(() => job(true)).toThrow('job failed');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    job(false);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('a lock held on another host is never taken over; the message says how to clear it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-lock-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', command: 'galmorph train --out x', since: '2026-01-01T00:00:00Z' }));
    expect(() => new RunFolder(dir, false)).toThrow(/being written by process 1 on host elsewhere\.example \(since 2026-01-01T00:00:00Z: galmorph train --out x\).*if it is no longer running on elsewhere\.example, delete .*run\.lock/);
    writeFileSync(join(dir, LOCK_FILE), 'not json');
    expect(() => new RunFolder(dir, false)).toThrow(/run\.lock: not a galmorph lock file/);
  });
});
