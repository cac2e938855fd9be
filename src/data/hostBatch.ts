/**
 * A batch as the data layer delivers it and trainers consume it: named plain float arrays, so it can cross a worker
 * boundary (structured clone or shared memory).
 */
export interface HostBatch {
  /** Number of examples in the batch. */
  size: number;
  /** Named float arrays; each has `size` rows, with the per-example shape in `shapes`. */
  arrays: Record<string, Float32Array>;
  /** Per-example shape of each array, e.g. { images: [64, 64, 1], counts: [3] }. */
  shapes: Record<string, number[]>;
}
