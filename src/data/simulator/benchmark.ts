/**
 * Simulator throughput for the bench runner: galaxies per second (images, truth and votes) on this thread.
 */
import { createGalaxySimulator, type SimulateGalaxyOptions } from './simulateGalaxy.js';

export interface SimulatorBenchmark {
  galaxies: number;
  seconds: number;
  galaxiesPerSecond: number;
  size: number;
}

/** Simulates n galaxies after a short warm-up (so the JIT has compiled the loops) and times them. */
export function benchmarkSimulator(n: number, options: Partial<SimulateGalaxyOptions> = {}): SimulatorBenchmark {
  const simulate = createGalaxySimulator(options);
  const warmUp = Math.min(200, Math.max(10, Math.floor(n / 10)));
  for (let i = 0; i < warmUp; i++) simulate(1_000_000 + i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) simulate(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { galaxies: n, seconds, galaxiesPerSecond: n / seconds, size: simulate.options.size };
}
