/**
 * Inverting batches of affine transforms [B, 3, 3] (bottom row 0 0 1) as two TensorFlow.js kernels (the op is
 * `invertTransforms` in `src/nn/transformMatrix.ts`): names and the host loops the wasm kernels run over heap views.
 *
 * - `GalmorphAffineInverse` {transform [B, 3, 3]} → [B, 3, 3]: [[A, t], [0, 1]]⁻¹ = [[A⁻¹, −A⁻¹t], [0, 1]], every
 *   product, difference and quotient rounded to float32 in the composite's order, so the inverse — and the points a
 *   grid warped by it lands on — is the composite's bit for bit. Only the top two rows of the input are read.
 * - `GalmorphAffineInverseGrad` {dy [B, 3, 3], inverse [B, 3, 3]} → d/dtransform: the top two rows of −Yᵀ·dY′·Yᵀ
 *   (Y the inverse, dY′ = dy without its bottom row, which the output holds constant), bottom row 0 (not read).
 *
 * Written as loops because the composite (slice, unstack, fourteen [B]-sized ops, stack, with their gradients) runs
 * about sixty tiny kernels per inversion, each costing more in engine bookkeeping than its arithmetic.
 */

export const AFFINE_INVERSE = 'GalmorphAffineInverse';
export const AFFINE_INVERSE_GRAD = 'GalmorphAffineInverseGrad';
export const AFFINE_INVERSE_KERNELS = [AFFINE_INVERSE, AFFINE_INVERSE_GRAD] as const;

const f = Math.fround;

/** inverse ← the inverse of every affine transform in `transform` (both [B·9]). */
export function affineInverseForward(transform: Float32Array, inverse: Float32Array): void {
  for (let o = 0; o < transform.length; o += 9) {
    const a = transform[o];
    const b = transform[o + 1];
    const tx = transform[o + 2];
    const c = transform[o + 3];
    const d = transform[o + 4];
    const ty = transform[o + 5];
    const det = f(f(a * d) - f(b * c));
    const ia = f(d / det);
    const ib = -f(b / det);
    const ic = -f(c / det);
    const id = f(a / det);
    inverse[o] = ia;
    inverse[o + 1] = ib;
    inverse[o + 2] = -f(f(ia * tx) + f(ib * ty));
    inverse[o + 3] = ic;
    inverse[o + 4] = id;
    inverse[o + 5] = -f(f(ic * tx) + f(id * ty));
    inverse[o + 6] = 0;
    inverse[o + 7] = 0;
    inverse[o + 8] = 1;
  }
}

/** dTransform ← top two rows of −Yᵀ·dY′·Yᵀ per transform (double precision), bottom row 0. */
export function affineInverseBackward(dy: Float32Array, inverse: Float32Array, dTransform: Float32Array): void {
  const p = new Float64Array(9);
  for (let o = 0; o < dy.length; o += 9) {
    // P = Yᵀ·dY′: P[r][c] = Y[0][r]·dY[0][c] + Y[1][r]·dY[1][c] (the bottom row of dY′ is zero).
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) p[r * 3 + c] = inverse[o + r] * dy[o + c] + inverse[o + 3 + r] * dy[o + 3 + c];
    }
    // dM[r][c] = −Σ_k P[r][k]·Y[c][k], rows 0 and 1 (Y[2] = [0, 0, 1]).
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += p[r * 3 + k] * (c === 2 ? (k === 2 ? 1 : 0) : inverse[o + c * 3 + k]);
        dTransform[o + r * 3 + c] = -s;
      }
    }
    dTransform[o + 6] = 0;
    dTransform[o + 7] = 0;
    dTransform[o + 8] = 0;
  }
}
