/**
 * The pose readout's soft-argmax (`PoseReadout` in `src/nn/poseReadout.ts`, steps 3–4) as two TensorFlow.js kernels:
 * names and the host loops the wasm kernels run over heap views.
 *
 * - `GalmorphSoftArgmax` {logits [B, n], bias []}, attrs {step, periodic} → [value [B], heatmap [B, n]]:
 *   h = softmax(logits), positions r_j = j·step − (n − 1)·step/2 (rounded to float32, as the composite's constant),
 *   value = Σ_j h_j r_j + tanh(bias), or on a periodic axis atan2(Σ h_j sin πr_j, Σ h_j cos πr_j)/π + tanh(bias).
 * - `GalmorphSoftArgmaxGrad` {dValue, dHeatmap, heatmap, bias}, attrs {step, periodic} → [dLogits, dBias]:
 *   with dh_j = dValue·∂value/∂h_j + dHeatmap_j, dLogits_j = h_j·(dh_j − Σ_k h_k dh_k) (the softmax's Jacobian) and
 *   dBias = Σ_b dValue_b·(1 − tanh²(bias)); ∂value/∂h_j is r_j, or (C sin πr_j − S cos πr_j)/(π(S² + C²)) on a periodic
 *   axis (S, C the two sums; tfjs's atan2 gradient).
 *
 * Written as loops because the composite (softmax, constant position tensors, one or two matrix products, atan2, tanh,
 * reshapes and adds) runs about a dozen tfjs kernels forward and twenty backward on [B, n]-sized tensors, three
 * readouts per ET step, where each kernel's bookkeeping costs more than its arithmetic.
 */

export const SOFT_ARGMAX = 'GalmorphSoftArgmax';
export const SOFT_ARGMAX_GRAD = 'GalmorphSoftArgmaxGrad';
export const SOFT_ARGMAX_KERNELS = [SOFT_ARGMAX, SOFT_ARGMAX_GRAD] as const;

export interface SoftArgmaxAttrs {
  /** Normalised distance between adjacent positions. */
  step: number;
  periodic: boolean;
}

/** The n positions r_j and, on a periodic axis, sin πr_j and cos πr_j, each rounded to float32. */
export function readoutPositions(n: number, step: number): { r: Float32Array; sin: Float32Array; cos: Float32Array } {
  const r = Float32Array.from({ length: n }, (_, j) => j * step - ((n - 1) * step) / 2);
  const exact = Array.from({ length: n }, (_, j) => j * step - ((n - 1) * step) / 2);
  return { r, sin: Float32Array.from(exact, (p) => Math.sin(Math.PI * p)), cos: Float32Array.from(exact, (p) => Math.cos(Math.PI * p)) };
}

export function softArgmaxForward(
  batch: number, n: number, a: SoftArgmaxAttrs, logits: Float32Array, bias: number, value: Float32Array, heatmap: Float32Array,
): void {
  const { r, sin, cos } = readoutPositions(n, a.step);
  const offset = Math.tanh(bias);
  for (let b = 0; b < batch; b++) {
    const base = b * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, logits[base + j]);
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(logits[base + j] - max);
    let s = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      const h = Math.fround(Math.exp(logits[base + j] - max) / total);
      heatmap[base + j] = h;
      if (a.periodic) {
        s += h * sin[j];
        c += h * cos[j];
      } else {
        s += h * r[j];
      }
    }
    value[b] = (a.periodic ? Math.atan2(s, c) / Math.PI : s) + offset;
  }
}

export function softArgmaxBackward(
  batch: number, n: number, a: SoftArgmaxAttrs, dValue: Float32Array, dHeatmap: Float32Array, heatmap: Float32Array,
  bias: number, dLogits: Float32Array, dBias: Float32Array,
): void {
  const { r, sin, cos } = readoutPositions(n, a.step);
  const dh = new Float64Array(n);
  let sumDValue = 0;
  for (let b = 0; b < batch; b++) {
    const base = b * n;
    const dv = dValue[b];
    sumDValue += dv;
    let s = 0;
    let c = 0;
    if (a.periodic) {
      for (let j = 0; j < n; j++) {
        s += heatmap[base + j] * sin[j];
        c += heatmap[base + j] * cos[j];
      }
    }
    const norm = Math.PI * (s * s + c * c);
    let dot = 0;
    for (let j = 0; j < n; j++) {
      const slope = a.periodic ? (c * sin[j] - s * cos[j]) / norm : r[j];
      dh[j] = dv * slope + dHeatmap[base + j];
      dot += heatmap[base + j] * dh[j];
    }
    for (let j = 0; j < n; j++) dLogits[base + j] = heatmap[base + j] * (dh[j] - dot);
  }
  const t = Math.tanh(bias);
  dBias[0] = sumDValue * (1 - t * t);
}
