/**
 * Simulator throughput (issue target: ≥ 2,000 galaxies/s at 64×64 on one core): image, truth and volunteer votes
 * per galaxy, on this thread. `images_per_s` is by wall clock; `images_per_cpu_s` by this process's CPU time.
 */
import { benchmarkSimulator } from '../data/simulator/benchmark.js';
import { registerBenchmark } from './registry.js';

export function registerSimulatorBenchmarks(): void {
  for (const size of [64, 128]) {
    registerBenchmark({
      name: `simulator-${size}`,
      group: 'data',
      run: async (settings) => {
        const n = (size === 64 ? 1000 : 250) * settings.steps;
        const r = benchmarkSimulator(n, { size, schema: 'gz2' });
        return {
          bench: 'simulate_galaxies',
          impl: 'galmorph simulator',
          threads: 1,
          size,
          galaxies: r.galaxies,
          images_per_s: Math.round(r.galaxiesPerSecond),
          images_per_cpu_s: Math.round(r.galaxiesPerCpuSecond),
        };
      },
    });
  }
}
