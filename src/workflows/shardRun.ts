/**
 * Making a sharded table's missing shards on this machine (`predict --shard-size`, `embed`): the shards not done,
 * one runner (model loaded once) for all of them, a progress bar over their galaxies, a log line per shard and per
 * galaxy left out, and the rates of what this run made. (Queue workers make shards one job at a time: src/jobs.)
 */
import type { ShardReceipt, ShardedTable } from '../data/shardedTable.js';
import { ProgressBar } from '../util/progress.js';
import type { RunFolder } from '../util/runFolder.js';

/** What makes one shard of a table (PredictShardRunner, EmbedShardRunner). */
export interface ShardMaker {
  run(index: number): Promise<ShardReceipt>;
  dispose(): void;
}

export interface ShardRunStats {
  /** Shards found done when the run started (resumed). */
  shardsDoneBefore: number;
  /** Galaxies per second of shard compute in this run (null when it made no shard). */
  galaxiesPerSecond: number | null;
  /** Galaxies per CPU second of this process (all its threads) over the shards this run made: the per-core rate. */
  galaxiesPerCpuSecond: number | null;
}

export async function makeMissingShards(
  table: ShardedTable, run: RunFolder, openMaker: () => ShardMaker, o: { label: string; verb: string; progress: boolean },
): Promise<ShardRunStats> {
  const missing = table.missing();
  const before = table.shardCount - missing.length;
  const { catalog, shardSize } = table.manifest;
  run.log(`${catalog.rows} galaxies from ${catalog.source} in ${table.shardCount} shards of ${shardSize}; ${before} done already, making ${missing.length}`);
  if (missing.length === 0) return { shardsDoneBefore: before, galaxiesPerSecond: null, galaxiesPerCpuSecond: null };
  const maker = openMaker();
  let made = 0;
  let seconds = 0;
  const cpu0 = process.cpuUsage();
  try {
    const todo = missing.reduce((n, k) => n + table.shard(k).rowEnd - table.shard(k).rowStart, 0);
    const bar = o.progress ? new ProgressBar({ label: o.label, total: todo, unit: 'galaxies' }) : null;
    for (const k of missing) {
      const receipt = await maker.run(k);
      made += receipt.rowEnd - receipt.rowStart;
      seconds += receipt.seconds;
      for (const s of receipt.leftOut) run.log(`shard ${k}: left out ${s.id}: ${s.reason}`, { echo: false });
      run.log(`shard ${k}: rows ${receipt.rowStart + 1}–${receipt.rowEnd}, ${receipt.rows} ${o.verb}, ${receipt.leftOut.length} left out, ${receipt.seconds.toFixed(1)} s`, { echo: false });
      bar?.tick(receipt.rowEnd - receipt.rowStart);
    }
    bar?.finish();
  } finally {
    maker.dispose();
  }
  const cpu = process.cpuUsage(cpu0);
  return { shardsDoneBefore: before, galaxiesPerSecond: made / seconds, galaxiesPerCpuSecond: made / ((cpu.user + cpu.system) / 1e6) };
}
