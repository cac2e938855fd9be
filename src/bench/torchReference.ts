/**
 * Running the PyTorch yardstick (`torch_reference.py`) in the same session, and the ratio lines comparing it
 * with galmorph's records. When torch is not importable the caller prints a skip line instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BenchmarkRecord } from './registry.js';

export interface TorchRun {
  records: BenchmarkRecord[];
  /** Why there are no records (missing script, torch not importable, failure), or null. */
  skipped: string | null;
}

const PYTHON = '/usr/bin/python3';

/**
 * glibc's allocator settings for the PyTorch process. By default glibc hands PyTorch's large per-step buffers back
 * to the kernel and maps them again at the next step; on this project's machine the page faults that follow made
 * the GZ2 yardstick 2.5× slower (97 instead of 247 images/s, README "Results"). Large thresholds keep the buffers
 * mapped, so the yardstick runs at its own best speed. Values the user has set are kept.
 */
const TORCH_ALLOCATOR_ENV: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '1000000000', MALLOC_TRIM_THRESHOLD_: '1000000000' };

export function torchAvailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? null : 'torch is not importable by /usr/bin/python3 (apt-get install -y python3-torch)';
}

/** Runs the script for `mode` (train | infer) with the given thread counts; JSON lines parsed. */
export function runTorchReference(script: string, mode: 'train' | 'infer', threads: number[], steps: number): TorchRun {
  if (!existsSync(script)) return { records: [], skipped: `torch reference script not found at ${script}` };
  const unavailable = torchAvailable();
  if (unavailable !== null) return { records: [], skipped: unavailable };
  const run = spawnSync(PYTHON, [script, '--mode', mode, '--threads', threads.join(','), '--steps', String(steps)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...TORCH_ALLOCATOR_ENV, ...process.env },
  });
  if (run.status !== 0) return { records: [], skipped: `torch reference failed: ${run.stderr.trim().split('\n').pop()}` };
  const records = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as BenchmarkRecord);
  return { records, skipped: null };
}

/** One ratio record per galmorph record with a torch record of the same bench kind and thread count. */
export function ratioLines(ours: BenchmarkRecord[], torch: BenchmarkRecord[]): Record<string, unknown>[] {
  const kind = (r: BenchmarkRecord) => (r.bench === 'train_step_data_parallel' ? 'train_step' : r.bench);
  const lines: Record<string, unknown>[] = [];
  for (const r of ours) {
    const t = torch.find((x) => kind(x) === kind(r) && x.threads === r.threads);
    if (t === undefined) continue;
    lines.push({
      ratio: `${r.name ?? r.bench} (${r.threads} thread(s)) vs torch ${t.threads} thread(s)`,
      galmorph_images_per_s: r.images_per_s,
      torch_images_per_s: t.images_per_s,
      ratio_to_torch: +(r.images_per_s / t.images_per_s).toFixed(3),
    });
  }
  return lines;
}
