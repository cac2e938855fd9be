/**
 * The main-thread side of a decode worker: starts decodeWorker (the .ts source through tsx when running
 * from source under vitest/tsx, the compiled .js from dist), sends requests, resolves each reply by its
 * sequence number, and rejects everything pending if the worker fails or exits unexpectedly.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/moduleWorker.js';
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

/** Starts decodeWorker next to this file, from dist or from source. */
function startWorker(settings: DecodeSettings): Worker {
  return startModuleWorker(import.meta.url, 'decodeWorker', settings);
}
