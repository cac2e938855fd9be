/**
 * `galmorph queue merge`: checks what queue workers made in a folder and produces its final outputs — for a sharded
 * table (every shard's receipt, size and SHA-256 against the manifest) predictions_full.parquet (predict) or the
 * PCA and report that make the folder a finished embeddings store (embed; map, similar and anomalies read it as it
 * is); for a table1 run folder (every cell of the grid done) the table and report of `experiment table1`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHARDED_TABLE_MANIFEST, ShardedTable } from '../data/shardedTable.js';
import { InputError } from '../util/errors.js';
import { RunFolder } from '../util/runFolder.js';
import { finishPredictTable } from '../workflows/predict/predictShards.js';
import { finishEmbedTable } from '../workflows/embed/embedShards.js';
import { mergeTable1 } from './table1Jobs.js';

export type MergeOutcome =
  | { kind: 'predict' | 'embed'; galaxies: number; leftOut: number; shards: number; file: string }
  | { kind: 'table1'; cells: number; file: string; summary: string };

export async function mergeTable(out: string): Promise<MergeOutcome> {
  if (!existsSync(join(out, SHARDED_TABLE_MANIFEST)) && existsSync(join(out, 'config.json'))) {
    const r = await mergeTable1(out);
    return { kind: 'table1', cells: r.cells.length, file: r.file, summary: r.summary };
  }
  const table = ShardedTable.open(out);
  const kind = table.manifest.kind;
  switch (kind) {
    case 'predict': {
      using run = new RunFolder(out);
      const r = await finishPredictTable(table, run, { galaxiesPerSecond: null, galaxiesPerCpuSecond: null, shardsDoneBefore: null });
      return { kind, galaxies: r.galaxies, leftOut: r.leftOut.length, shards: r.shards, file: r.files.predictions };
    }
    case 'embed': {
      using run = new RunFolder(out);
      const r = await finishEmbedTable(table, run, { seconds: null, galaxiesPerSecond: null, galaxiesPerCpuSecond: null, shardsDoneBefore: null });
      return { kind, galaxies: r.galaxies, leftOut: r.leftOut.length, shards: r.shards, file: r.store.dir };
    }
    default:
      throw new InputError(`no merge for tables of kind "${kind}"`, { file: out }, 'this galmorph merges predict, embed and table1 jobs');
  }
}
