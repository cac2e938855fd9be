/**
 * `galmorph queue submit predict | embed | table1`, `queue status`, `queue merge`: jobs on a Redis queue (BullMQ) for
 * `galmorph worker`s on many machines; see jobs/shardQueue.ts and jobs/table1Jobs.ts.
 */
import type { Command } from 'commander';
import { addFieldOptions, resolveFields, typedFlags } from '../../util/fields.js';
import { ShardedTable } from '../../data/shardedTable.js';
import { requireRedis } from '../../jobs/redisConnection.js';
import { queueStatus, QUEUE_FIELDS, submitShardJobs, SUBMIT_FIELDS } from '../../jobs/shardQueue.js';
import { mergeTable } from '../../jobs/mergeTable.js';
import { PREDICT_SHARDED_FIELDS, predictTableSpec, type PredictShardedOptions } from '../../workflows/predict/predictShards.js';
import { EMBED_FIELDS } from '../../workflows/embed/embed.js';
import { embedTableSpec } from '../../workflows/embed/embedShards.js';
import { field } from '../../util/fields.js';
import { initBackend } from '../../backend/initBackend.js';
import { submitTable1Jobs } from '../../jobs/table1Jobs.js';
import { resolveTable1Options, TABLE1_FIELDS } from '../../workflows/table1/table1.js';
import { TABLE1_PRESETS, TABLE1_PRESET_NAMES } from '../../workflows/table1/table1Presets.js';
import { presetHelp } from '../presetHelp.js';

const MERGE_FIELDS = { out: field.string({ default: '', flag: '--out <dir>', help: 'the --out folder given to queue submit' }) };
const STATUS_FIELDS = { json: field.boolean({ default: false, flag: '--json', help: 'print the status as one JSON object' }) };

export function registerQueueCommand(program: Command): void {
  const queue = program.command('queue').description('split a job over many machines: shard or cell jobs on a Redis queue (BullMQ) for galmorph worker');
  const submit = queue.command('submit').description('add one job per missing shard of a table (predict, embed) or per cell of a Table 1 grid to the queue');
  const predict = submit
    .command('predict')
    .description('predict a catalog of any size: one job per shard of --shard-size galaxies (workers need the same paths to catalog, images, model and --out)')
    .addHelpText('after', [
      '',
      'The table folder (--out) gets manifest.json now; workers write shards/part-NNNNN.parquet with receipts into it;',
      '`galmorph queue merge --out D` checks them and writes D/predictions_full.parquet. Submitting again adds only the',
      'shards not done yet (a failed shard is retried); a changed model or option is refused unless --restart.',
      '',
      'Example:',
      '  galmorph queue submit predict --catalog big.parquet --model gz2 --out /shared/pred --redis redis://queue-host:6379 --shard-size 4096',
      '  galmorph worker --redis redis://queue-host:6379        # on each machine',
      '  galmorph queue status --redis redis://queue-host:6379',
      '  galmorph queue merge --out /shared/pred',
      '',
    ].join('\n'));
  const submitFields = { ...PREDICT_SHARDED_FIELDS, ...QUEUE_FIELDS, ...SUBMIT_FIELDS };
  addFieldOptions(predict, submitFields, { required: ['models', 'catalog', 'out'] }).action(async () => {
    const given = typedFlags(predict, submitFields);
    const { redis, queue: name, attempts, backoffMs, ...rest } = resolveFields(submitFields, { ...given, models: given.models ?? [], catalog: given.catalog ?? '', out: given.out ?? '' });
    await requireRedis(redis);
    const { spec } = await predictTableSpec(rest as PredictShardedOptions);
    const table = ShardedTable.create(rest.out, spec, { restart: rest.restart });
    const r = await submitShardJobs(table, { redis, queue: name, attempts, backoffMs });
    console.log(`queue ${name}: ${r.added} shard jobs added (${r.done} of ${r.shards} shards already done) for ${spec.catalog.rows} galaxies into ${table.dir}`);
  });

  const embed = submit
    .command('embed')
    .description('embed a catalog of any size: one job per shard of --shard-size galaxies; queue merge checks them and fits the PCA, making --out an embeddings store')
    .addHelpText('after', '\nExample:\n  galmorph queue submit embed --catalog big.parquet --model gz2 --out /shared/emb --redis redis://queue-host:6379 --shard-size 10000\n  galmorph queue merge --out /shared/emb     # then: galmorph similar --embeddings /shared/emb …\n');
  const embedFields = { ...EMBED_FIELDS, ...QUEUE_FIELDS, ...SUBMIT_FIELDS };
  addFieldOptions(embed, embedFields, { required: ['catalog', 'out'] }).action(async () => {
    const given = typedFlags(embed, embedFields);
    const { redis, queue: name, attempts, backoffMs, ...rest } = resolveFields(embedFields, { ...given, catalog: given.catalog ?? '', out: given.out ?? '' });
    await requireRedis(redis);
    const table = ShardedTable.create(rest.out, (await embedTableSpec(rest)).spec, { restart: rest.restart });
    const r = await submitShardJobs(table, { redis, queue: name, attempts, backoffMs });
    console.log(`queue ${name}: ${r.added} shard jobs added (${r.done} of ${r.shards} shards already done) for ${table.manifest.catalog.rows} galaxies into ${table.dir}`);
  });

  // table1: the experiment's flags but --resume (a submission always continues its folder) and the commandLine field.
  const { resume: _resume, commandLine: _commandLine, ...table1Own } = TABLE1_FIELDS;
  const table1 = submit
    .command('table1')
    .description('an experiment table1 grid (regimes × labels × seeds) as one job per cell (+ one per seed\'s VAE pre-training); workers need the same paths to --out and the data')
    .addHelpText('after', [
      '',
      'Sets --out up as experiment table1 does (config.json, simulated data, loss balance) and adds a job for every cell not done;',
      'a cell that needs its seed\'s pre-training waits for that job, which adds it. Workers save each cell as cells/<name>/result.json,',
      'exactly as experiment table1 does, so `experiment table1 --resume --out D` and the queue continue each other. Submitting again',
      'adds only the cells not done (failed ones are retried); other settings for the same --out are refused.',
      '`galmorph queue merge --out D` writes the table and report of experiment table1 once every cell is done.',
      '',
      presetHelp(TABLE1_PRESET_NAMES, TABLE1_PRESETS),
      '',
      'Example:',
      '  galmorph queue submit table1 --preset quick --seeds 3 --out /shared/table1 --redis redis://queue-host:6379',
      '  galmorph worker --redis redis://queue-host:6379        # on each machine',
      '  galmorph queue status --redis redis://queue-host:6379  # cells done of the grid, failures with reasons',
      '  galmorph queue merge --out /shared/table1',
      '',
    ].join('\n'));
  const table1Fields = { ...table1Own, ...QUEUE_FIELDS, ...SUBMIT_FIELDS };
  addFieldOptions(table1, table1Fields, { required: ['out'] }).action(async () => {
    const given = typedFlags(table1, table1Fields);
    const { redis, queue: name, attempts, backoffMs, ...rest } = given;
    const submitOptions = resolveFields({ ...QUEUE_FIELDS, ...SUBMIT_FIELDS }, { redis, queue: name, attempts, backoffMs });
    await requireRedis(submitOptions.redis);
    const o = resolveTable1Options(rest);
    const backend = await initBackend({ backend: o.backend, source: '--backend', threads: o.workers });
    const r = await submitTable1Jobs(o, backend, submitOptions);
    console.log(`queue ${submitOptions.queue}: ${r.jobsAdded} table1 jobs added for ${r.out} (${r.cellsDone} of ${r.cells} cells done` +
      `${r.cellsWaiting > 0 ? `, ${r.cellsWaiting} waiting for their seed's pre-training job` : ''})`);
  });

  const status = queue.command('status').description('jobs done / running / waiting / failed / retried, galaxies per second, and each failure\'s reason');
  addFieldOptions(status, { ...QUEUE_FIELDS, ...STATUS_FIELDS }).action(async () => {
    const o = resolveFields({ ...QUEUE_FIELDS, ...STATUS_FIELDS }, typedFlags(status, { ...QUEUE_FIELDS, ...STATUS_FIELDS }));
    await requireRedis(o.redis);
    const s = await queueStatus(o.redis, o.queue);
    if (o.json) {
      console.log(JSON.stringify(s));
      return;
    }
    console.log(`queue ${s.queue}: ${s.done} done, ${s.running} running, ${s.waiting} waiting, ${s.delayed} waiting to retry, ${s.failed} failed, ${s.retried} retried`);
    console.log(s.galaxiesPerSecond === null ? 'galaxies/s: no finished job yet' : `galaxies/s: ${s.galaxiesPerSecond.toFixed(1)} (${s.galaxiesDone} galaxies, first start to last finish, all workers); ` +
      `${s.galaxiesPerCpuSecond?.toFixed(1) ?? '?'} per worker CPU second`);
    for (const t of s.table1) {
      console.log(t.cells === null ? `table1 ${t.out}: folder not readable from here` :
        `table1 ${t.out}: ${t.cellsDone} of ${t.cells} cells done${t.pretrainNeeded ? `, pre-training ${t.pretrainDone} of ${t.pretrainNeeded} seeds done` : ''}`);
    }
    for (const f of s.failures) console.log(`failed: ${f.cell === null ? `shard ${f.shard}` : `table1 ${f.cell}`} of ${f.out} after ${f.attempts} attempt(s): ${f.reason}`);
  });

  const merge = queue.command('merge').description('check every shard of a table against its manifest and write the final table (predict: predictions_full.parquet; embed: the PCA and report of the embeddings store in <out>; table1: the table and report once every cell is done)');
  addFieldOptions(merge, MERGE_FIELDS, { required: ['out'] }).action(async () => {
    const { out } = resolveFields(MERGE_FIELDS, typedFlags(merge, MERGE_FIELDS));
    const r = await mergeTable(out);
    if (r.kind === 'table1') {
      console.log(r.summary);
      console.log(`${r.cells} cells: ${r.file}`);
    } else console.log(`${r.galaxies} galaxies from ${r.shards} shards (${r.leftOut} left out): ${r.file}`);
  });
}
