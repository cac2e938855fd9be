/**
 * Writing one file so that no reader, and no process killed at any moment, ever finds half of it: the bytes go to
 * a temporary sibling unique to this process and call (`<path>.tmp-<pid>-<random>`, so writers on several machines
 * sharing a folder never collide), are flushed to disk (fsync) and the temporary file is renamed over `path`.
 * The one home of temp-file + rename: run folders, shards and receipts, manifests, ratings files and the
 * folder-at-once writes of atomicFolder.ts all go through here.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** A temporary name beside `path`, unique to this process and call. */
export function temporarySibling(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes a file and flushes it to disk before returning. */
export function writeDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `bytes` to `path` through a flushed temporary file renamed into place (see the module comment). */
export function writeFileAtomically(path: string, bytes: Uint8Array | string): void {
  const temp = temporarySibling(path);
  try {
    writeDurably(temp, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
