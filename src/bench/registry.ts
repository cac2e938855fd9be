/**
 * The benchmark registry: each benchmark has a name, a group (`train`, `infer`, …, selectable with --only)
 * and a `run` that returns one JSON-serialisable record. Models add theirs with `registerBenchmark`.
 */

export interface BenchmarkSettings {
  /** Timed repetitions (the median is reported). */
  steps: number;
  /** Untimed repetitions first. */
  warmup: number;
}

export interface BenchmarkRecord {
  bench: string;
  impl: string;
  threads: number;
  images_per_s: number;
  [field: string]: unknown;
}

export interface Benchmark {
  name: string;
  group: string;
  run(settings: BenchmarkSettings): Promise<BenchmarkRecord>;
}

const benchmarks: Benchmark[] = [];

export function registerBenchmark(benchmark: Benchmark): void {
  if (benchmarks.some((b) => b.name === benchmark.name)) throw new Error(`benchmark "${benchmark.name}" is already registered`);
  benchmarks.push(benchmark);
}

/** Registered benchmarks whose group or name contains one of `only` (all when `only` is empty). */
export function selectBenchmarks(only: readonly string[] = []): Benchmark[] {
  if (only.length === 0) return [...benchmarks];
  return benchmarks.filter((b) => only.some((o) => b.group === o || b.name.includes(o)));
}

/** Median of the timed repetitions of `body`, in ms. */
export async function medianMs(settings: BenchmarkSettings, body: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < settings.warmup + settings.steps; i++) {
    const t0 = performance.now();
    await body();
    if (i >= settings.warmup) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return times.length % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
}
