/** `galmorph worker`: runs the Redis queue's jobs (predict/embed shards, table1 cells); see jobs/shardWorker.ts. */
import type { Command } from 'commander';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { addFieldOptions, resolveFields, typedFlags } from '../../util/fields.js';
import { stoppableWhile } from '../../util/interrupt.js';
import { COMPUTE_FIELDS } from '../../workflows/commonFields.js';
import { requireRedis } from '../../jobs/redisConnection.js';
import { QUEUE_FIELDS } from '../../jobs/shardQueue.js';
import { runShardWorker, WORKER_FIELDS } from '../../jobs/shardWorker.js';

const BACKEND = { backend: COMPUTE_FIELDS.backend };
const FIELDS = { ...QUEUE_FIELDS, ...WORKER_FIELDS };

export function registerWorkerCommand(program: Command): void {
  const cmd = program
    .command('worker')
    .description('run the jobs of queue submit (predict/embed shards, table1 cells) from a Redis queue; start one per machine or core, on machines that see the same --out folders')
    .addHelpText('after', [
      '',
      'Each job makes one shard of a table (or one cell of a table1 grid) and writes it atomically into its folder; a job whose work is already done returns at once.',
      'Ctrl-C/SIGTERM: stop after the running jobs. A worker killed outright (kill -9, a lost machine) has its job handed to',
      'another worker by BullMQ\'s stalled-job check after about --lock-seconds.',
      '',
      'Example:',
      '  galmorph worker --redis redis://queue-host:6379 --concurrency 1',
      '',
    ].join('\n'));
  addFieldOptions(cmd, FIELDS);
  addFieldOptions(cmd, BACKEND).action(async () => {
    const options = resolveFields(FIELDS, typedFlags(cmd, FIELDS));
    await requireRedis(options.redis);
    await initBackend({ backend: typedFlags(cmd, BACKEND).backend ?? '', source: '--backend' });
    console.log(describeBackend());
    const result = await stoppableWhile(() => runShardWorker({ ...options, log: (line) => console.log(line) }));
    console.log(`worker: ${result.done} jobs done, ${result.failed} attempts failed; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  });
}
