/**
 * Test helpers of the queue tests: a real redis-server (Debian's; .ci/run installs it) on a free loopback port,
 * started and stopped by the test, and worker processes (the CLI's worker without the CLI, exiting when the queue
 * is empty) whose output lines the test can watch.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server (no persistence) and waits until it answers; returns its URL and a stop function. */
export async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      if (i > 100) throw new Error(`redis-server did not answer on ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  probe.disconnect();
  return { url, stop: () => child.kill('SIGKILL') };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Its output so far, a line an entry (stderr lines prefixed "stderr: "). */
  lines: string[];
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** A worker process that exits when the queue has nothing left to run. */
export function startWorker(url: string, queue: string, lockSeconds: number, backend: 'cpu' | 'wasm' = 'cpu'): WorkerProcess {
  const script = `
    const { initBackend } = await import('./src/backend/initBackend.ts');
    await initBackend({ backend: '${backend}' });
    const { runShardWorker } = await import('./src/jobs/shardWorker.ts');
    await runShardWorker({ redis: ${JSON.stringify(url)}, queue: ${JSON.stringify(queue)}, concurrency: 1, lockSeconds: ${lockSeconds}, untilEmpty: true, log: (l) => console.log(l) });
    process.exit(0);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString()}`));
  return { child, lines, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}
