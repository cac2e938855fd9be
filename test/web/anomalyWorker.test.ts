/**
 * The Anomalies page's loop runs in a worker thread (src/web/anomalyWorker.ts): while a Gaussian-process fit runs,
 * the server still answers other requests. A store of 80 galaxies whose ratings file already rates every galaxy
 * (round 0): opening its session fits the GP on all 80 ratings (seconds, the same fit as every later round of a
 * long session) and then ends (nothing left to rate); meanwhile /api/runs is asked every 25 ms, and every answer
 * must come back long before the fit is done. With the fit on the server's own thread the longest gap between
 * answers would be the whole fit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEmbeddings } from '../../src/data/embeddingStore.js';
import { PcaAccumulator } from '../../src/explore/pca.js';
import { Rng } from '../../src/util/rng.js';
import { writeRatings } from '../../src/workflows/anomalies/anomaliesRatings.js';
import { createExplorerServer } from '../../src/web/server.js';

const N = 80;
const DIM = 12;
const base = mkdtempSync(join(tmpdir(), 'gm-anomaly-worker-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the Anomalies loop in a worker thread', () => {
  it('answers other requests while the GP fit runs', async () => {
    const root = join(base, 'runs');
    const rng = new Rng(3);
    const ids = Array.from({ length: N }, (_, i) => `g${i}`);
    const vectors = Float32Array.from({ length: N * DIM }, () => rng.normal());
    const store = writeEmbeddings(join(root, 'emb'), ids, vectors, { model: { name: 'test', kind: 'synthetic', source: '', layer: 'synthetic vectors' }, dimension: DIM });
    const acc = new PcaAccumulator(DIM);
    acc.add(vectors);
    writeFileSync(store.pcaPath, JSON.stringify(acc.fit(DIM).toJSON()));
    const ratingsDir = join(base, 'ratings');
    writeRatings(join(ratingsDir, 'emb', 'ratings.csv'), ids.map((id, index) => ({ index, id, rating: index % 6, round: 0 })));
    const bundleDir = join(base, 'bundle');
    mkdirSync(bundleDir);
    writeFileSync(join(bundleDir, 'explorer.js'), '');
    const { app } = await createExplorerServer({ root, ratingsDir, allowAbsolutePaths: false, bundleDir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const start = performance.now();
      let done = false;
      const session = fetch(`${url}/api/anomalies?store=emb`).then(async (r) => {
        done = true;
        return { status: r.status, body: (await r.json()) as { current: unknown; ratings: unknown[] }, seconds: (performance.now() - start) / 1000 };
      });
      const answered: number[] = [];
      while (!done) {
        const r = await fetch(`${url}/api/runs`);
        expect(r.status).toBe(200);
        await r.json();
        answered.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const { status, body, seconds } = await session;
      expect(status).toBe(200);
      expect(body.ratings).toHaveLength(N); // resumed, fitted on all of them, and ended: every galaxy is rated
      expect(body.current).toBeNull();
      const gaps = answered.map((t, k) => (t - (k === 0 ? start : answered[k - 1])) / 1000);
      const longest = Math.max(...gaps);
      console.log(`anomaly session opened and fitted in ${seconds.toFixed(2)} s; ${answered.length} /api/runs answers meanwhile, longest gap ${longest.toFixed(3)} s`);
      expect(seconds).toBeGreaterThan(0.5); // the fit took long enough for the check to mean something
      expect(longest).toBeLessThan(seconds / 3);
      expect(answered.length).toBeGreaterThan(5);
    } finally {
      await app.close();
    }
  }, 120_000);
});
