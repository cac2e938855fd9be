/**
 * Splitting a batch across data-parallel workers (contiguous shards whose sizes differ by at most one) and
 * joining per-shard predictions back in order.
 */
import { InputError } from '../util/errors.js';
import type { HostBatch } from '../data/hostBatch.js';
import type { Prediction } from './localTrainer.js';

export function splitBatch(batch: HostBatch, parts: number): HostBatch[] {
  if (batch.size < parts) {
    throw new InputError(`a batch of ${batch.size} examples cannot be split across ${parts} workers`, {}, `use a batch of at least ${parts}`);
  }
  const shards: HostBatch[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = Math.floor(batch.size / parts) + (p < batch.size % parts ? 1 : 0);
    const arrays: Record<string, Float32Array> = {};
    for (const [name, array] of Object.entries(batch.arrays)) {
      const row = array.length / batch.size;
      if (!Number.isInteger(row)) {
        throw new InputError(`batch array "${name}" has ${array.length} values, not a multiple of the batch size ${batch.size}`);
      }
      arrays[name] = array.slice(start * row, (start + size) * row);
    }
    shards.push({ size, arrays, shapes: batch.shapes });
    start += size;
  }
  return shards;
}

export function joinPredictions(parts: Prediction[]): Prediction {
  const rowShape = parts[0].shape.slice(1);
  const rows = parts.reduce((n, p) => n + p.shape[0], 0);
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { shape: [rows, ...rowShape], data };
}
