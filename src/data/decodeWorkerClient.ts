/**
 * The main-thread side of a decode worker: starts decodeWorker (the .ts source through tsx when running
 * from source under vitest/tsx, the compiled .js from dist), sends requests, resolves each reply by its
 * sequence number, and rejects everything pending if the worker fails or exits unexpectedly.
 */
import { Worker } from 'node:worker_threads';
import type { DecodeReply, DecodeRequest, DecodeResult, DecodeSettings } from './decodeWorkerProtocol.js';

interface Pending {
  resolve: (result: DecodeResult) => void;
  reject: (err: Error) => void;
}

export class DecodeWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  private closed = false;

  constructor(settings: DecodeSettings) {
    this.worker = startWorker(settings);
    this.worker.on('message', (reply: DecodeReply) => this.onReply(reply));
    this.worker.on('error', (err) => this.fail(new Error(`decode worker failed: ${err.message}`)));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`decode worker exited unexpectedly (code ${code})`));
    });
  }

  /** Queues a request; the promise settles when the worker answers it. */
  decode(request: DecodeRequest): Promise<DecodeResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(request.seq, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** Stops the worker; requests still pending never settle (the caller has stopped waiting). */
  async close(): Promise<void> {
    this.closed = true;
    this.pending.clear();
    await this.worker.terminate();
  }

  private onReply(reply: DecodeReply): void {
    const seq = 'result' in reply ? reply.result.seq : reply.seq;
    const waiting = this.pending.get(seq);
    if (waiting === undefined) return;
    this.pending.delete(seq);
    if ('result' in reply) waiting.resolve(reply.result);
    else waiting.reject(new Error(`decode worker: ${reply.fatal}`));
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * From dist: the compiled decodeWorker.js. From source (vitest, tsx): decodeWorker.ts, loaded after
 * registering tsx's ESM hooks inside the worker (Node 20 does not apply `--import tsx` from a worker's
 * execArgv before loading the worker's entry).
 */
function startWorker(settings: DecodeSettings): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./decodeWorker.js', import.meta.url), { workerData: settings });
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./decodeWorker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: settings });
}
