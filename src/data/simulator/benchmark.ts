/**
 * Simulator throughput for the bench runner: galaxies per second (image, truth and votes) on this thread,
 * by wall clock and by this process's user CPU time (the latter is less disturbed by other processes sharing
 * the machine, as long as nothing else runs in this process).
 */
import { createGalaxySimulator, type SimulateGalaxyOptions } from './simulateGalaxy.js';

export interface SimulatorBenchmark {
  galaxies: number;
  size: number;
  /** Wall-clock seconds and galaxies per wall-clock second. */
  seconds: number;
  galaxiesPerSecond: number;
  /** User CPU seconds of this process and galaxies per CPU second. */
  cpuSeconds: number;
  galaxiesPerCpuSecond: number;
}

/** Simulates n galaxies after a short warm-up (so the JIT has compiled the loops) and times them. */
export function benchmarkSimulator(n: number, options: Partial<SimulateGalaxyOptions> = {}): SimulatorBenchmark {
  const simulate = createGalaxySimulator(options);
  const warmUp = Math.min(200, Math.max(10, Math.floor(n / 10)));
  for (let i = 0; i < warmUp; i++) simulate(1_000_000 + i);
  const cpuStart = process.cpuUsage().user;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) simulate(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuSeconds = (process.cpuUsage().user - cpuStart) / 1e6;
  return {
    galaxies: n,
    size: simulate.options.size,
    seconds,
    galaxiesPerSecond: n / seconds,
    cpuSeconds,
    galaxiesPerCpuSecond: n / cpuSeconds,
  };
}
