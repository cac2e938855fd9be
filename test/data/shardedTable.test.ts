import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readParquet, writeParquet } from '../../src/data/parquet.js';
import { planCatalogShards, readShardRows } from '../../src/data/catalogShards.js';
import {
  mergeShardedTable, planShards, receiptFile, shardFile, ShardedTable, specFingerprint, strayTemporaryFiles, type ShardColumn, type ShardedTableSpec,
} from '../../src/data/shardedTable.js';
import { loadVirtualImage, parseVirtualCatalog, virtualCatalogRows } from '../../src/data/simulator/virtualCatalog.js';
import { simulateGalaxy } from '../../src/data/simulator/simulateGalaxy.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';

const root = mkdtempSync(join(tmpdir(), 'sharded-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `t${n++}`);

function spec(rows: number, shardSize: number, settings: Record<string, unknown> = { passes: 3 }): ShardedTableSpec {
  return { kind: 'test', model: { name: 'm', id: 'abc' }, settings, catalog: { source: 'sim:x', rows, identity: 'x' }, shardSize, shards: planShards(rows, shardSize) };
}

/** Shard k of a table whose value column is 10 × the catalog row. */
function shardColumns(table: ShardedTable, k: number): ShardColumn[] {
  const s = table.shard(k);
  const rows = Array.from({ length: s.rowEnd - s.rowStart }, (_, i) => s.rowStart + i);
  return [{ name: 'id', type: 'STRING', data: rows.map((r) => `g${r}`) }, { name: 'v', type: 'DOUBLE', data: Float64Array.from(rows, (r) => 10 * r) }];
}

function writeAll(table: ShardedTable): void {
  for (let k = 0; k < table.shardCount; k++) table.writeShard(k, shardColumns(table, k), { leftOut: [], seconds: 0.1 });
}

describe('sharded table', () => {
  it('plans row ranges that partition the catalog', () => {
    expect(planShards(10, 4).map((s) => [s.rowStart, s.rowEnd])).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(planShards(8, 4)).toHaveLength(2);
    expect(() => planShards(8, 0)).toThrow(/shardSize/);
  });

  it('merges finished shards in row order into one Parquet file, every galaxy once', async () => {
    const dir = fresh();
    const table = ShardedTable.create(dir, spec(10, 4));
    expect(table.missing()).toEqual([0, 1, 2]);
    writeAll(table);
    expect(table.missing()).toEqual([]);
    const merged = await mergeShardedTable(table, join(dir, 'all.parquet'));
    expect(merged.rows).toBe(10);
    const data = await readParquet(join(dir, 'all.parquet'));
    expect(data.header).toEqual(['id', 'v']);
    expect(data.rows).toEqual(Array.from({ length: 10 }, (_, r) => [`g${r}`, 10 * r]));
  });

  it('a torn shard (cut file), a shard without receipt (killed between renames) and a stale receipt are not done; stray temporary files are ignored', async () => {
    const dir = fresh();
    const table = ShardedTable.create(dir, spec(12, 4));
    writeAll(table);
    truncateSync(join(dir, shardFile(0)), 100);
    unlinkSync(join(dir, receiptFile(1)));
    const receipt = JSON.parse(readFileSync(join(dir, receiptFile(2)), 'utf8'));
    writeFileSync(join(dir, receiptFile(2)), JSON.stringify({ ...receipt, fingerprint: 'other' }));
    writeFileSync(join(dir, `${shardFile(2)}.tmp-999-abcd`), 'half a shard');
    expect([table.state(0), table.state(1), table.state(2)]).toEqual(['torn', 'missing', 'stale']);
    expect(table.missing()).toEqual([0, 1, 2]);
    await expect(mergeShardedTable(table, join(dir, 'all.parquet'))).rejects.toThrow(/3 of 3 shards are not finished \(first: 0, 1, 2\)/);
    expect(existsSync(join(dir, 'all.parquet'))).toBe(false);
    expect(strayTemporaryFiles(dir)).toEqual(['part-00002.parquet.tmp-999-abcd']);
    // Rewriting the missing shards (what a rerun does) completes the table.
    for (const k of table.missing()) table.writeShard(k, shardColumns(table, k), { leftOut: [], seconds: 0 });
    expect((await mergeShardedTable(table, join(dir, 'all.parquet'))).rows).toBe(12);
  });

  it('a shard whose bytes changed but not its size fails the checksum', () => {
    const dir = fresh();
    const table = ShardedTable.create(dir, spec(4, 4));
    writeAll(table);
    const path = join(dir, shardFile(0));
    const bytes = readFileSync(path);
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(path, bytes);
    expect(table.state(0, { checksum: false })).toBe('done');
    expect(table.state(0)).toBe('torn');
  });

  it('reopening with the same spec resumes; changed options are refused naming the change; --restart deletes the old shards', () => {
    const dir = fresh();
    writeAll(ShardedTable.create(dir, spec(8, 4)));
    expect(ShardedTable.create(dir, spec(8, 4)).missing()).toEqual([]);
    expect(() => ShardedTable.create(dir, spec(8, 4, { passes: 5 }))).toThrow(/made with other settings \(passes: 3 → 5\).*--restart/s);
    expect(() => ShardedTable.create(dir, { ...spec(8, 4), model: { name: 'm', id: 'def' } })).toThrow(/model weights \(id\): "abc" → "def"/);
    expect(() => ShardedTable.create(dir, spec(8, 2))).toThrow(/shard size: 4 → 2/);
    const again = ShardedTable.create(dir, spec(8, 4, { passes: 5 }), { restart: true });
    expect(again.missing()).toEqual([0, 1]);
    expect(again.manifest.fingerprint).toBe(specFingerprint(spec(8, 4, { passes: 5 })));
  });

  it('refuses a shard with the wrong number of rows and a merge with a galaxy twice', async () => {
    const dir = fresh();
    const table = ShardedTable.create(dir, spec(4, 2));
    expect(() => table.writeShard(0, [{ name: 'id', type: 'STRING', data: ['a'] }], { leftOut: [], seconds: 0 })).toThrow(/covers 2 rows but got 1 rows and 0 left out/);
    table.writeShard(0, [{ name: 'id', type: 'STRING', data: ['a', 'b'] }], { leftOut: [], seconds: 0 });
    table.writeShard(1, [{ name: 'id', type: 'STRING', data: ['c'] }], { leftOut: [{ id: 'a', reason: 'bad' }], seconds: 0 });
    const left = await mergeShardedTable(table, join(dir, 'ok.parquet'));
    expect(left.leftOut).toEqual([{ id: 'a', reason: 'bad' }]);
    table.writeShard(1, [{ name: 'id', type: 'STRING', data: ['a'] }], { leftOut: [{ id: 'd', reason: 'bad' }], seconds: 0 });
    await expect(mergeShardedTable(table, join(dir, 'dup.parquet'))).rejects.toThrow(/galaxy "a" appears twice \(again in shard 1\)/);
  });
});

describe('catalog shards', () => {
  it('CSV: byte offsets survive a BOM, CRLF, quoted newlines and empty lines; each shard reads exactly its rows', async () => {
    const dir = fresh();
    const lines = ['\uFEFFid,image,note'];
    for (let i = 0; i < 23; i++) lines.push(`g${i},images/g${i}.png,${i % 5 === 0 ? `"multi\nline, ""quoted"""` : 'x'}`);
    lines.splice(7, 0, '');
    writeFileSync(join(dir + '.csv'), lines.join(n % 2 === 0 ? '\r\n' : '\n') + '\n');
    const plan = await planCatalogShards(dir + '.csv', 5);
    expect(plan.rows).toBe(23);
    expect(plan.shards).toHaveLength(5);
    const ids: string[] = [];
    for (const s of plan.shards) {
      const { rows, leftOut } = await readShardRows(plan, s, 'error');
      expect(leftOut).toEqual([]);
      expect(rows).toHaveLength(s.rowEnd - s.rowStart);
      ids.push(...rows.map((r) => r.id));
    }
    expect(ids).toEqual(Array.from({ length: 23 }, (_, i) => `g${i}`));
  });

  it('Parquet by row range; bad rows are refused naming file, row and column, or left out with the reason', async () => {
    const dir = fresh();
    const file = `${dir}.parquet`;
    const ids = Array.from({ length: 9 }, (_, i) => (i === 6 ? '' : `p${i}`));
    writeParquet(file, [{ name: 'galaxy_id', data: ids }, { name: 'file_loc', data: ids.map((id, i) => (i === 4 ? '../../etc/passwd' : `${id}.png`)) }]);
    const plan = await planCatalogShards(file, 4);
    expect([plan.idColumn, plan.imageColumn, plan.rows]).toEqual(['galaxy_id', 'file_loc', 9]);
    const second = await readShardRows(plan, plan.shards[1], 'skip');
    expect(second.rows.map((r) => r.id)).toEqual(['p5', 'p7']);
    expect(second.leftOut.map((l) => l.id)).toEqual(['p4', 'row 7']);
    expect(second.leftOut[0].reason).toMatch(/row 5.*file_loc.*leads outside the catalog folder/);
    await expect(readShardRows(plan, plan.shards[1], 'error')).rejects.toThrow(/row 5/);
    expect(second.rows[0].image).toBe(join(root, 'p5.png'));
  });

  it('a virtual catalog names simulated galaxies whose images are rendered on demand, identical to the simulator', () => {
    const v = parseVirtualCatalog('sim:1000000,seed=3,size=32');
    expect(v).toMatchObject({ count: 1_000_000, seed: 3, size: 32 });
    const rows = virtualCatalogRows(v, 999_998, 1_000_005);
    expect(rows.map((r) => r.id)).toEqual(['sim-0999998', 'sim-0999999']);
    const image = loadVirtualImage(rows[1].image, resolvePreprocessOptions({ size: 32 }));
    expect(Array.from(image.data)).toEqual(Array.from(simulateGalaxy(999_999, { seed: 3, size: 32 }).image));
    expect(() => parseVirtualCatalog('sim:10,colour=red')).toThrow(/unknown virtual catalog option "colour=red"/);
    expect(() => parseVirtualCatalog('sim:-4')).toThrow(/count "-4" is not an integer/);
  });
});
