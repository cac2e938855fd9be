/**
 * Scale measurement of the similarity search: a store of N simulated galaxies × D-d embeddings (Gaussian clusters,
 * written and PCA-fitted in one stream), then `galmorph similar` over it exactly (streaming brute force) and through
 * the HNSW index (built, cached, memory-mapped; recall measured against exact search), each phase in its own process
 * so its peak RSS is its own. One JSON line per phase.
 *
 *   node dist/bench/similarityScale.js [--n 1000000] [--dim 40] [--queries 8] [--out runs/bench-similar]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EMBEDDINGS_PCA_FILE, EmbeddingWriter } from '../data/embeddingStore.js';
import { PcaAccumulator } from '../explore/pca.js';
import { Rng } from '../util/rng.js';
import { similar } from '../workflows/similar/similar.js';
import { writeFileSync } from 'node:fs';

const CLUSTERS = 50;
const SHARD = 50_000;

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Writes the store: galaxy i belongs to cluster i mod 50, centred at a seeded random point, unit spread. */
function writeStore(dir: string, n: number, dim: number): Record<string, unknown> {
  const started = Date.now();
  const rng = new Rng(1);
  const centres = Float32Array.from({ length: CLUSTERS * dim }, () => 4 * rng.normal());
  const writer = new EmbeddingWriter(dir, { model: { name: 'simulated', kind: 'simulated', source: '', layer: `${CLUSTERS} Gaussian clusters` }, dimension: dim, count: n, shardSize: SHARD });
  const pca = new PcaAccumulator(dim);
  const batch = 10_000;
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const ids = Array.from({ length: m }, (_, i) => `sim${start + i}`);
    const vectors = new Float32Array(m * dim);
    for (let i = 0; i < m; i++) {
      const c = (start + i) % CLUSTERS;
      for (let j = 0; j < dim; j++) vectors[i * dim + j] = centres[c * dim + j] + rng.normal();
    }
    writer.append(ids, vectors);
    pca.add(vectors);
  }
  writer.finish();
  writeFileSync(join(dir, EMBEDDINGS_PCA_FILE), JSON.stringify(pca.fit(Math.min(40, dim))));
  return { phase: 'write', n, dim, shards: Math.ceil(n / SHARD), seconds: (Date.now() - started) / 1000, peakRssMB: peakRssMB() };
}

async function search(dir: string, out: string, method: 'exact' | 'hnsw', n: number, queries: number): Promise<Record<string, unknown>> {
  const idsFile = join(out, 'queries.txt');
  const rng = new Rng(7);
  writeFileSync(idsFile, Array.from({ length: queries }, () => `sim${Math.floor(rng.uniform() * n)}`).join('\n') + '\n');
  const started = Date.now();
  const result = await similar({ embeddings: dir, out: join(out, `similar-${method}`), ids: idsFile, k: 8, components: 10, method, recallQueries: 100, gridQueries: 0, progress: false });
  return {
    phase: method, n, queries, seconds: (Date.now() - started) / 1000, searchSeconds: result.search?.searchSeconds,
    indexBuildSeconds: result.search?.indexBuildSeconds ?? null, recall: result.search?.recall ?? null, peakRssMB: peakRssMB(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '1000000' }, dim: { type: 'string', default: '40' }, queries: { type: 'string', default: '8' },
      out: { type: 'string', default: 'runs/bench-similar' }, phase: { type: 'string', default: '' },
    },
  });
  const n = Number(values.n);
  const dim = Number(values.dim);
  const queries = Number(values.queries);
  const store = join(values.out, 'store');
  if (values.phase === 'write') return void console.log(JSON.stringify(writeStore(store, n, dim)));
  if (values.phase === 'exact' || values.phase === 'hnsw') return void console.log(JSON.stringify(await search(store, values.out, values.phase, n, queries)));
  const self = fileURLToPath(import.meta.url);
  for (const phase of ['write', 'exact', 'hnsw', 'hnsw']) {
    const r = spawnSync(process.execPath, [self, '--phase', phase, '--n', String(n), '--dim', String(dim), '--queries', String(queries), '--out', values.out], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`phase ${phase} failed: ${r.stderr}`);
  }
}

await main();
