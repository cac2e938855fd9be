/**
 * `galmorph queue merge`: checks a sharded table made by queue workers (every shard's receipt, size and SHA-256
 * against the manifest) and produces its final table with the job kind's own outputs.
 */
import { ShardedTable } from '../data/shardedTable.js';
import { InputError } from '../util/errors.js';
import { RunFolder } from '../util/runFolder.js';
import { finishPredictTable } from '../workflows/predict/predictShards.js';

export async function mergeTable(out: string): Promise<{ galaxies: number; leftOut: number; shards: number; file: string }> {
  const table = ShardedTable.open(out);
  using run = new RunFolder(out);
  const kind = table.manifest.kind;
  switch (kind) {
    case 'predict': {
      const r = await finishPredictTable(table, run, { galaxiesPerSecond: null, galaxiesPerCpuSecond: null, shardsDoneBefore: null });
      return { galaxies: r.galaxies, leftOut: r.leftOut.length, shards: r.shards, file: r.files.predictions };
    }
    default:
      throw new InputError(`no merge for tables of kind "${kind}"`, { file: out }, 'this galmorph merges predict tables');
  }
}
