/**
 * Padding one axis of a tensor, cyclically (wrap-around) or with zeros, as two TensorFlow.js kernels (the op is
 * `padAxis` in `src/nn/axisPadding.ts`): names and the host loops the wasm kernels run over heap views.
 *
 * - `GalmorphPadAxis` {x}, attrs {axis, before, after, cyclic} → x with `before` entries in front of and `after`
 *   behind `axis`: copies of the last/first entries (cyclic) or zeros.
 * - `GalmorphPadAxisGrad` {dy}, attrs {axis, before, after, cyclic} → dx: dy's entries summed back onto the entries
 *   they were copied from (cyclic), or cropped (zeros).
 *
 * Written as copy loops because the composite (two slices and a concat, or a pad) costs four to six tfjs kernels per
 * call and its gradient a SplitV, pads and adds — strided copies that wasm runs element by element.
 */

export const PAD_AXIS = 'GalmorphPadAxis';
export const PAD_AXIS_GRAD = 'GalmorphPadAxisGrad';
export const PAD_AXIS_KERNELS = [PAD_AXIS, PAD_AXIS_GRAD] as const;

export interface PadAxisAttrs {
  axis: number;
  before: number;
  after: number;
  cyclic: boolean;
}

/** The padded shape of `shape`; throws on an impossible padding. */
export function paddedShape(shape: readonly number[], a: PadAxisAttrs): number[] {
  const { axis, before, after, cyclic } = a;
  if (!(Number.isInteger(axis) && axis >= 0 && axis < shape.length)) throw new Error(`padAxis: axis ${axis} out of range for shape [${shape}]`);
  if (!(Number.isInteger(before) && Number.isInteger(after) && before >= 0 && after >= 0)) {
    throw new Error(`padAxis: before and after must be integers ≥ 0, got ${before} and ${after}`);
  }
  const n = shape[axis];
  if (cyclic && (before > n || after > n)) throw new Error(`padAxis: cyclic padding of ${Math.max(before, after)} exceeds the axis length ${n}`);
  return shape.map((d, i) => (i === axis ? d + before + after : d));
}

/** Sizes of the axes before (outer), along (n) and after (inner) `axis`. */
function split(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  return { outer: prod(shape.slice(0, axis)), n: shape[axis], inner: prod(shape.slice(axis + 1)) };
}

/** Index along the axis that padded position j reads, or −1 for a zero. */
function source(j: number, n: number, a: PadAxisAttrs): number {
  const s = j - a.before;
  if (s >= 0 && s < n) return s;
  return a.cyclic ? (s + n) % n : -1;
}

export function padAxisForward(xShape: readonly number[], a: PadAxisAttrs, x: Float32Array, out: Float32Array): void {
  const { outer, n, inner } = split(xShape, a.axis);
  const m = n + a.before + a.after;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const s = source(j, n, a);
      const dst = (o * m + j) * inner;
      if (s < 0) {
        for (let k = 0; k < inner; k++) out[dst + k] = 0;
      } else {
        // Element loop: a subarray per block costs more than the copy when blocks are short (inner 1 for an image).
        const src = (o * n + s) * inner;
        for (let k = 0; k < inner; k++) out[dst + k] = x[src + k];
      }
    }
  }
}

export function padAxisBackward(xShape: readonly number[], a: PadAxisAttrs, dy: Float32Array, dx: Float32Array): void {
  const { outer, n, inner } = split(xShape, a.axis);
  const m = n + a.before + a.after;
  for (let o = 0; o < outer; o++) {
    // The unpadded part first (a copy), then the wrapped copies added onto it.
    const from = (o * m + a.before) * inner;
    const to = o * n * inner;
    for (let k = 0; k < n * inner; k++) dx[to + k] = dy[from + k];
    if (!a.cyclic) continue;
    for (let j = 0; j < m; j++) {
      if (j >= a.before && j < a.before + n) continue;
      const src = (o * m + j) * inner;
      const dst = (o * n + source(j, n, a)) * inner;
      for (let k = 0; k < inner; k++) dx[dst + k] += dy[src + k];
    }
  }
}
