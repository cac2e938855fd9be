/**
 * The native TensorFlow backend ('tensorflow'), used when `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`
 * is installed. Neither is a dependency: they are imported by name at run time and their absence is normal.
 */

const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

function isModuleNotFound(error: unknown, name: string): boolean {
  const err = error as { code?: string; message?: string };
  return (
    (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') &&
    typeof err.message === 'string' &&
    err.message.includes(name)
  );
}

/** Imports the first installed tfjs-node package (which registers the 'tensorflow' backend); its name, or null. */
export async function importTensorflowNode(): Promise<string | null> {
  for (const name of PACKAGES) {
    try {
      await import(name);
      return name;
    } catch (error) {
      if (!isModuleNotFound(error, name)) throw error;
    }
  }
  return null;
}

export const TENSORFLOW_NODE_PACKAGES = PACKAGES;
