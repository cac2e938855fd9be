/**
 * `galmorph queue merge`: checks a sharded table made by queue workers (every shard's receipt, size and SHA-256
 * against the manifest) and produces its final table with the job kind's own outputs: predictions_full.parquet for
 * predict, an embeddings store with its PCA in embeddings/ for embed.
 */
import { ShardedTable } from '../data/shardedTable.js';
import { InputError } from '../util/errors.js';
import { RunFolder } from '../util/runFolder.js';
import { finishPredictTable } from '../workflows/predict/predictShards.js';
import { finishEmbedTable } from '../workflows/embed/embedShards.js';

export async function mergeTable(out: string): Promise<{ galaxies: number; leftOut: number; shards: number; file: string }> {
  const table = ShardedTable.open(out);
  using run = new RunFolder(out);
  const kind = table.manifest.kind;
  switch (kind) {
    case 'predict': {
      const r = await finishPredictTable(table, run, { galaxiesPerSecond: null, galaxiesPerCpuSecond: null, shardsDoneBefore: null });
      return { galaxies: r.galaxies, leftOut: r.leftOut.length, shards: r.shards, file: r.files.predictions };
    }
    case 'embed': {
      const r = await finishEmbedTable(table, run);
      return { galaxies: r.galaxies, leftOut: r.leftOut.length, shards: r.shards, file: r.store };
    }
    default:
      throw new InputError(`no merge for tables of kind "${kind}"`, { file: out }, 'this galmorph merges predict and embed tables');
  }
}
