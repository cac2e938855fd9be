/** Options every compute command shares: backend, worker threads, seed. */
import type { Command } from 'commander';
import { OptionError } from '../util/errors.js';

export interface ComputeFlags {
  backend?: string;
  workers: number;
  seed: number;
}

export function addComputeOptions(cmd: Command): Command {
  return cmd
    .option('--backend <name>', 'compute backend: wasm | cpu | tensorflow (default: $GALMORPH_BACKEND, else tensorflow when tfjs-node is installed, else wasm)')
    .option('--workers <n>', 'worker threads for data-parallel training and inference', (v) => parseInteger(v, '--workers', 1), 2)
    .option('--seed <n>', 'random seed (same seed, same backend → same results)', (v) => parseInteger(v, '--seed', 0), 0);
}

export function parseInteger(value: string, flag: string, min = -Infinity): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new OptionError(flag, `an integer ≥ ${min}`, value);
  return n;
}

export function parseNumber(value: string, flag: string, min = -Infinity, max = Infinity): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new OptionError(flag, `a number in [${min}, ${max}]`, value);
  return n;
}

export function parseIntegerList(value: string, flag: string, min = 1): number[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new OptionError(flag, 'a comma-separated list of integers', value);
  return parts.map((p) => parseInteger(p, flag, min));
}
