/**
 * `npm run bench` (node dist/bench/run.js): galmorph's benchmarks as JSON lines — images/s for training and
 * inference and peak RSS — then the PyTorch yardstick run in the same session and ratio lines.
 *
 *   node dist/bench/run.js [--only train|infer|data|et|kernels|NAME ...] [--steps N] [--warmup N]
 *                          [--torch-script PATH] [--no-torch] [--backend wasm|cpu|tensorflow]
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from '../backend/initBackend.js';
import { registerReferenceVaeBenchmarks } from './referenceVaeBenchmarks.js';
import { registerSimulatorBenchmarks } from './simulatorBenchmarks.js';
import { registerPredictStreamBenchmarks } from './predictStreamBenchmarks.js';
import { registerEmbedStreamBenchmarks } from './embedStreamBenchmarks.js';
import { etRatioLines, registerEtVaeBenchmarks } from './etVaeBenchmarks.js';
import { nativeKernelLines } from './nativeKernelLines.js';
import { selectBenchmarks, type BenchmarkRecord } from './registry.js';
import { ratioLines, runTorchReference } from './torchReference.js';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_TORCH_SCRIPT = resolve(here, '../../../shared/bench/torch_reference.py');

const print = (record: unknown) => console.log(JSON.stringify(record));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true, default: [] },
      steps: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      'torch-script': { type: 'string', default: DEFAULT_TORCH_SCRIPT },
      'no-torch': { type: 'boolean', default: false },
      backend: { type: 'string', default: '' },
    },
  });
  const settings = { steps: Number(values.steps), warmup: Number(values.warmup) };
  for (const [name, v] of Object.entries(settings)) {
    if (!Number.isInteger(v) || v < (name === 'steps' ? 1 : 0)) throw new Error(`--${name}: expected an integer, got ${v}`);
  }
  const description = await initBackend({ backend: values.backend, source: '--backend', threads: 2, nativeThreads: 1 });
  print({ description: describeBackend(description), ...description });
  registerReferenceVaeBenchmarks();
  registerSimulatorBenchmarks();
  registerPredictStreamBenchmarks();
  registerEmbedStreamBenchmarks();
  registerEtVaeBenchmarks();
  const selected = selectBenchmarks(values.only);
  if (selected.length === 0 && !values.only.includes('kernels')) throw new Error(`--only ${values.only.join(' ')}: no benchmark matches`);
  const ours: BenchmarkRecord[] = [];
  for (const benchmark of selected) {
    const record = { ...(await benchmark.run(settings)), name: benchmark.name, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
    ours.push(record);
    print(record);
  }
  etRatioLines(ours).forEach(print);
  const wantKernels = values.only.length === 0 || values.only.includes('kernels');
  if (wantKernels && description.nativeKernels.length > 0) nativeKernelLines(settings.steps).forEach(print);
  if (values['no-torch']) return;
  for (const mode of ['train', 'infer'] as const) {
    const mine = ours.filter((r) => (mode === 'train' ? r.bench.startsWith('train') : r.bench.startsWith('infer')));
    if (mine.length === 0) continue;
    const threads = [...new Set(mine.map((r) => r.threads))].sort();
    const torch = runTorchReference(values['torch-script'], mode, threads, settings.steps);
    if (torch.skipped !== null) {
      print({ torch: 'skipped', mode, reason: torch.skipped });
      continue;
    }
    torch.records.forEach(print);
    ratioLines(mine, torch.records).forEach(print);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
