/**
 * The one place the optional native kernels are attached. `src/backend/native/index.ts` (owned by the native
 * addon) may export `registerNativeKernels(backend, { threads? }): string[] | Promise<string[]>`, returning the
 * kernel names it registered; when that module or its build is absent, galmorph runs without it.
 */

interface NativeModule {
  registerNativeKernels?: (backend: string, options?: { threads?: number }) => string[] | Promise<string[]>;
}

const NATIVE_MODULE = './native/index.js';

/** `threads`: native (oneDNN) threads for this JavaScript thread; 0 leaves the addon's default. */
export async function registerOptionalNativeKernels(backend: string, threads = 0): Promise<string[]> {
  let native: NativeModule;
  try {
    native = (await import(NATIVE_MODULE)) as NativeModule;
  } catch (error) {
    const err = error as { code?: string; message?: string };
    const absent = err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('native');
    if (absent) return [];
    throw error;
  }
  if (typeof native.registerNativeKernels !== 'function') return [];
  return native.registerNativeKernels(backend, threads > 0 ? { threads } : {});
}
