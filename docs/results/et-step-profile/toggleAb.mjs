// The same-process A/B loop shared by toggle-kernels.mjs and toggle-narrow.mjs: rounds of one training step per model
// (plain CNN, ET supervised, ET-VAE; 1 thread), each round once per kernel setting ("on" / "off", set by the caller's
// setKernels), the order alternating; CPU time (process.cpuUsage) and wall time per step, printed as JSON lines of the
// median per model and setting and the ratio to the plain CNN's median of the same setting. Ends with the kernels on.
import { loadavg } from 'node:os';

/** @param {{ root: string, rounds: number, setKernels: (state: 'on' | 'off') => void }} o */
export async function runToggle({ root, rounds, setKernels }) {
  const { createTrainer } = await import(root + 'train/dataParallel.js');
  const { MORPHOLOGY_TASK_MODULE } = await import(root + 'train/regimes/morphologyTask.js');
  const { labelledBatch } = await import(root + 'bench/etVaeBenchmarks.js');
  const ET = { imageSize: 64, poseGridSize: 32, latentDim: 32, seed: 0 };
  const specs = {
    'plain-cnn': { model: { kind: 'plain-cnn', options: { imageSize: 64, seed: 0 } }, objective: 'supervised', trainable: ['encoder', 'classifier'] },
    'et-supervised': { model: { kind: 'et-vae', options: ET }, objective: 'supervised', trainable: ['et', 'encoder', 'classifier'] },
    'et-vae': { model: { kind: 'et-vae', options: ET }, objective: 'semi-supervised', trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'] },
  };
  const names = Object.keys(specs);
  const trainers = {};
  for (const n of names) trainers[n] = await createTrainer({ spec: { module: MORPHOLOGY_TASK_MODULE, options: specs[n] }, workers: 1 });
  const batch = labelledBatch(16);
  const cpu = {};
  const wall = {};
  for (let r = 0; r < rounds + 2; r++) {
    for (const state of r % 2 ? ['off', 'on'] : ['on', 'off']) {
      setKernels(state);
      for (const n of names) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await trainers[n].step(batch);
        const c = process.cpuUsage(c0);
        if (r >= 2) {
          (cpu[`${state}:${n}`] ??= []).push((c.user + c.system) / 1000);
          (wall[`${state}:${n}`] ??= []).push(performance.now() - t0);
        }
      }
    }
  }
  setKernels('on');
  const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  for (const state of ['off', 'on']) {
    for (const n of names) {
      const k = `${state}:${n}`;
      console.log(JSON.stringify({
        kernels: state, model: n, rounds, cpu_ms_median: +median(cpu[k]).toFixed(1), wall_ms_median: +median(wall[k]).toFixed(1),
        cpu_ratio_to_plain_cnn: +(median(cpu[k]) / median(cpu[`${state}:plain-cnn`])).toFixed(2),
        wall_ratio_to_plain_cnn: +(median(wall[k]) / median(wall[`${state}:plain-cnn`])).toFixed(2),
      }));
    }
  }
  console.log(JSON.stringify({ load_end: loadavg().map((x) => +x.toFixed(2)) }));
  for (const t of Object.values(trainers)) await t.dispose();
}
