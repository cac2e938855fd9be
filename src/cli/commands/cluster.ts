/** `galmorph cluster`: unsupervised morphology with AstroVaDEr (VaDE + s3VDC); see workflows/cluster/cluster.ts. */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { CLUSTER_FIELDS, CLUSTER_PRESET_NAMES, CLUSTER_PRESETS } from '../../workflows/cluster/clusterOptions.js';
import { clusterGalaxies } from '../../workflows/cluster/cluster.js';
import { presetHelp } from '../presetHelp.js';
import { interruptHelp } from '../interruptHelp.js';

export function registerClusterCommand(program: Command): void {
  const cmd = program
    .command('cluster')
    .description('cluster galaxies without labels with AstroVaDEr (a VAE with a Gaussian-mixture prior, s3VDC schedule), then analyse the clusters (labels and true classes are used only to judge them)')
    .addHelpText('after', `\n${presetHelp(CLUSTER_PRESET_NAMES, CLUSTER_PRESETS)}\n\nExamples:\n` +
      '  galmorph cluster --simulate 2000 --classes elliptical,edge-on,spiral --k 3 --seeds 3 --out runs/vade-sim\n' +
      '  galmorph cluster --data ../shared/data/gz2-kaggle-votes ../shared/data/gz2-kaggle-unlabelled --crop 0.5 --choose-k --out runs/vade-gz2\n' +
      `  galmorph generate --model runs/vade-gz2 --out runs/vade-gz2-generated\n\n${interruptHelp('step')}`);
  addFieldOptions(cmd, CLUSTER_FIELDS, { required: ['out'] }).action(async () => {
    const given = typedFlags(cmd, CLUSTER_FIELDS);
    const workers = given.workers ?? CLUSTER_FIELDS.workers.default;
    const { backend } = await initBackend({ backend: given.backend ?? '', source: '--backend', threads: workers });
    const r = await clusterGalaxies({ ...given, backend, workers, out: given.out ?? '' });
    const agreement = r.hungarian_accuracy === null ? '' : `; against the true classes: Hungarian accuracy ${r.hungarian_accuracy.toFixed(3)}, ARI ${r.ari?.toFixed(3)}, NMI ${r.nmi?.toFixed(3)}` +
      (r.seeds.length > 1 ? ` (mean of ${r.seeds.length} seeds; accuracy sd ${r.spread.hungarian_accuracy?.sd.toFixed(3)})` : '');
    console.log(`clustered ${r.galaxies} galaxies into ${r.seeds.map((s) => s.k).join('/')} clusters in ${r.seconds.toFixed(0)} s${agreement}`);
    console.log(`report: ${r.out}/summary.md; model: ${r.out}/${r.seeds[0].model} (galmorph generate --model ${r.out} --out DIR)`);
  });
}
