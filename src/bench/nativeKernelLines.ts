/**
 * Per-kernel GFLOP/s of the native oneDNN kernels next to galmorph's wasm kernels, as JSON lines (only when the
 * native addon is active on the wasm backend).
 */
import { nativeKernelBench } from '../backend/native/index.js';

export function nativeKernelLines(steps: number): Record<string, unknown>[] {
  return nativeKernelBench({ batch: 32, repeats: steps, threads: 1 }).map((r) => ({
    bench: 'kernel',
    kernel: r.kernel,
    shape: r.label,
    gflop: Number(r.gflop.toFixed(3)),
    native_ms: Number(r.nativeMs.toFixed(2)),
    wasm_ms: Number(r.wasmMs.toFixed(2)),
    native_gflops: Number(r.nativeGflops.toFixed(1)),
    wasm_gflops: Number(r.wasmGflops.toFixed(1)),
    speedup: Number((r.wasmMs / r.nativeMs).toFixed(2)),
  }));
}
