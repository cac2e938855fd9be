/**
 * `galmorph queue submit predict | embed`, `queue status`, `queue merge`: shard jobs on a Redis queue (BullMQ) for `galmorph worker`s on
 * many machines; see jobs/shardQueue.ts.
 */
import type { Command } from 'commander';
import { addFieldOptions, resolveFields, typedFlags } from '../../util/fields.js';
import { ShardedTable } from '../../data/shardedTable.js';
import { requireRedis } from '../../jobs/redisConnection.js';
import { queueStatus, QUEUE_FIELDS, submitShardJobs, SUBMIT_FIELDS } from '../../jobs/shardQueue.js';
import { mergeTable } from '../../jobs/mergeTable.js';
import { PREDICT_SHARD_FIELDS, PREDICT_SHARDED_FIELDS, predictTableSpec, type PredictShardedOptions } from '../../workflows/predict/predictShards.js';
import { EMBED_FIELDS } from '../../workflows/embed/embed.js';
import { embedTableSpec } from '../../workflows/embed/embedShards.js';
import { field } from '../../util/fields.js';

const MERGE_FIELDS = { out: field.string({ default: '', flag: '--out <dir>', help: 'the --out folder given to queue submit' }) };
const STATUS_FIELDS = { json: field.boolean({ default: false, flag: '--json', help: 'print the status as one JSON object' }) };

export function registerQueueCommand(program: Command): void {
  const queue = program.command('queue').description('split a job over many machines: shard jobs on a Redis queue (BullMQ) for galmorph worker');
  const submit = queue.command('submit').description('add one job per missing shard of a table to the queue');
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
    .description('embed a catalog of any size: one job per shard of --shard-size galaxies; queue merge writes an embeddings store with its PCA in <out>/embeddings')
    .addHelpText('after', '\nExample:\n  galmorph queue submit embed --catalog big.parquet --model gz2 --out /shared/emb --redis redis://queue-host:6379 --shard-size 10000\n  galmorph queue merge --out /shared/emb     # then: galmorph similar --embeddings /shared/emb/embeddings …\n');
  const embedFields = { ...EMBED_FIELDS, restart: PREDICT_SHARD_FIELDS.restart, ...QUEUE_FIELDS, ...SUBMIT_FIELDS };
  addFieldOptions(embed, embedFields, { required: ['catalog', 'out'] }).action(async () => {
    const given = typedFlags(embed, embedFields);
    const { redis, queue: name, attempts, backoffMs, restart, ...rest } = resolveFields(embedFields, { ...given, catalog: given.catalog ?? '', out: given.out ?? '' });
    await requireRedis(redis);
    const table = ShardedTable.create(rest.out, await embedTableSpec(rest), { restart });
    const r = await submitShardJobs(table, { redis, queue: name, attempts, backoffMs });
    console.log(`queue ${name}: ${r.added} shard jobs added (${r.done} of ${r.shards} shards already done) for ${table.manifest.catalog.rows} galaxies into ${table.dir}`);
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
    for (const f of s.failures) console.log(`failed: shard ${f.shard} of ${f.out} after ${f.attempts} attempt(s): ${f.reason}`);
  });

  const merge = queue.command('merge').description('check every shard of a table against its manifest and write the final table (predict: predictions_full.parquet; embed: an embeddings store in <out>/embeddings)');
  addFieldOptions(merge, MERGE_FIELDS, { required: ['out'] }).action(async () => {
    const { out } = resolveFields(MERGE_FIELDS, typedFlags(merge, MERGE_FIELDS));
    const r = await mergeTable(out);
    console.log(`${r.galaxies} galaxies from ${r.shards} shards (${r.leftOut} left out): ${r.file}`);
  });
}
