/** `galmorph predict`: MC-dropout predictions of one model or an ensemble for a catalog; see workflows/predict/predict.ts. */
import type { Command } from 'commander';
import { OptionError } from '../../util/errors.js';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { PREDICT_BALD_FIELDS, PREDICT_FIELDS, predict } from '../../workflows/predict/predict.js';
import { COMPUTE_FIELDS } from '../../workflows/commonFields.js';
import { PREDICT_SHARD_FIELDS, predictSharded } from '../../workflows/predict/predictShards.js';

const BACKEND = { backend: COMPUTE_FIELDS.backend };

export function registerPredictCommand(program: Command): void {
  const cmd = program
    .command('predict')
    .description('vote fractions, 90% intervals, P(asked), expected votes (and BALD with --bald) from T MC-dropout passes (several --model = ensemble)')
    .addHelpText('after', [
      '',
      'BALD (--bald): <question>_bald is the mutual information (nats) between the votes a galaxy\'s question would get (round(N × P(asked))',
      'of the --nominal-n volunteers) and the model\'s weights, estimated from the passes; bald sums them: the galaxies to label next',
      'are those with the highest bald (galmorph serve shows them on its Label next page). Binomial and Dirichlet heads only.',
      '',
      'With --shard-size N the catalog (CSV, Parquet, or a virtual sim:<count>[,seed=<s>][,size=<px>] of simulated galaxies) is streamed:',
      'Parquet shards of N galaxies with a manifest in --out (memory flat with catalog size), then merged into predictions_full.parquet',
      '(the friendly table and CSVs are not written; --bald adds the BALD columns to every shard and so to the merged table).',
      'Killed or stopped? Run the same command again: only missing shards are made.',
      'For many machines see galmorph queue submit predict.',
      '',
      'Example:',
      '  galmorph predict --model gz2 --catalog ../shared/data/gz2-kaggle-unlabelled --out runs/predict-gz2',
      '  galmorph predict --model gz2 --catalog sim:100000,seed=1 --shard-size 4096 --out runs/predict-sim100k',
      '',
    ].join('\n'));
  addFieldOptions(cmd, PREDICT_FIELDS, { required: ['models', 'catalog', 'out'] });
  addFieldOptions(cmd, PREDICT_BALD_FIELDS);
  addFieldOptions(cmd, PREDICT_SHARD_FIELDS);
  addFieldOptions(cmd, BACKEND).action(async () => {
    await initBackend({ backend: typedFlags(cmd, BACKEND).backend ?? '', source: '--backend' });
    console.log(describeBackend());
    const given = typedFlags(cmd, PREDICT_FIELDS);
    const sharding = typedFlags(cmd, PREDICT_SHARD_FIELDS);
    const { bald } = typedFlags(cmd, PREDICT_BALD_FIELDS);
    if (sharding.shardSize !== undefined) {
      const r = await predictSharded({ ...given, ...sharding, ...(bald === undefined ? {} : { bald }), models: given.models ?? [], catalog: given.catalog ?? '', out: given.out ?? '' });
      console.log(`${r.galaxies} galaxies (${r.leftOut.length} left out) in ${r.shards} shards, ${r.shardsDoneBefore} of them done before this run; peak RSS ${r.peakRssMb} MB: ${r.files.predictions}`);
      return;
    }
    if (sharding.restart === true) throw new OptionError('--restart', 'to be used with --shard-size (it deletes shards made with other settings)', true);
    const result = await predict({ ...given, ...(bald === undefined ? {} : { bald }), models: given.models ?? [], catalog: given.catalog ?? '', out: given.out ?? '' });
    console.log(`${result.galaxies} galaxies: ${result.files.friendlyCsv}, ${result.files.fullCsv} (+ Parquet)`);
  });
}
