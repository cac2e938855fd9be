/**
 * Worker-thread entry for decoding ahead of training: receives DecodeRequests, answers DecodeReplies
 * (image buffers transferred, not copied). Started by DecodePrefetcher in decodeWorkerPool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeBatch, type DecodeReply, type DecodeRequest, type DecodeSettings } from './decodeWorkerProtocol.js';

if (parentPort === null) throw new Error('decodeWorker.ts must be started as a worker thread');
const port = parentPort;
const settings = workerData as DecodeSettings;
sharp.concurrency(1);

port.on('message', (request: DecodeRequest) => {
  decodeBatch(request, settings).then(
    (result) => port.postMessage({ result } satisfies DecodeReply, [result.images.buffer as ArrayBuffer]),
    (err: unknown) => port.postMessage({ seq: request.seq, fatal: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies DecodeReply),
  );
});
