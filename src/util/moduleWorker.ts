/**
 * Starts a worker thread on a module beside the caller: the compiled `<name>.js` when the caller runs from dist, or,
 * when it runs from source (vitest, tsx), `<name>.ts` through a bootstrap that registers tsx's ESM hooks inside the
 * worker first (Node 20 does not apply a loader hook given in a worker's execArgv before loading the worker's entry).
 * Used by the decode worker, the data-parallel trainer's workers and the explorer's anomaly session.
 */
import { Worker } from 'node:worker_threads';

/**
 * @param callerUrl the caller's `import.meta.url`
 * @param name the worker module's file name without extension, in the caller's folder
 */
export function startModuleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
