/** `galmorph choose-k`: the number of clusters in an embeddings store by a Bayesian GMM; see workflows/chooseK/chooseK.ts. */
import type { Command } from 'commander';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { CHOOSE_K_FIELDS, chooseKJob } from '../../workflows/chooseK/chooseK.js';

export function registerChooseKCommand(program: Command): void {
  const cmd = program
    .command('choose-k')
    .description('how many clusters an embeddings store holds: a Dirichlet-process Bayesian GMM fitted to many mini-batches, the count of components in use and its stability across seeds')
    .addHelpText('after', [
      '',
      'Each fit is scikit-learn\'s BayesianGaussianMixture (dirichlet_process, diag) re-written in float64 on a random',
      'mini-batch of the store\'s PCA coordinates; a component is in use when its expected weight is above --threshold.',
      'The count that comes up most often is reported, with its distribution per seed (AstroVaDEr chose 12 this way).',
      'Writes into --out: results.json, fits.csv, counts.csv, counts.svg/.png, summary.md, config.json, run.log.',
      'To cluster with a VaDE and choose K on its own latent space, use galmorph cluster --choose-k.',
      '',
      'Examples:',
      '  galmorph choose-k --embeddings runs/embed-gz2 --out runs/choose-k-gz2',
      '  galmorph choose-k --embeddings runs/embed-gz2 --components 10 --max-components 30 --batches 50 --seeds 5 --out runs/choose-k-gz2-wide',
      '',
    ].join('\n'));
  addFieldOptions(cmd, CHOOSE_K_FIELDS, { required: ['embeddings', 'out'] }).action(async () => {
    const given = typedFlags(cmd, CHOOSE_K_FIELDS);
    const { result, seconds, files } = await chooseKJob({ ...given, embeddings: given.embeddings ?? '', out: given.out ?? '' });
    console.log(`count ${result.mode} (${(100 * result.modeShare).toFixed(0)}% of ${result.fits.length} fits; per-seed modes ${result.perSeed.map((s) => s.mode).join('/')}, ` +
      `${result.stable ? 'stable' : 'not stable'}) in ${seconds.toFixed(1)} s`);
    console.log(`results: ${files.results}, ${files.summary}`);
  });
}
