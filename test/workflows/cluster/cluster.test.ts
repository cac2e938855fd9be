import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { readCatalog } from '../../../src/data/catalogRead.js';
import { loadVade } from '../../../src/models/vadeCheckpoint.js';
import { clusterGalaxies, type ClusterResult } from '../../../src/workflows/cluster/cluster.js';
import type { ClusterOptions } from '../../../src/workflows/cluster/clusterOptions.js';
import { generate } from '../../../src/workflows/generate/generate.js';
import { shortestRoute } from '../../../src/workflows/generate/shortestRoute.js';
import { Rng } from '../../../src/util/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'cluster-'));
/** The whole schedule in miniature: warm-up, GMM initialisation (after a Bayesian-GMM choice of K), two periods. */
const tiny: Partial<ClusterOptions> = {
  simulate: 48, classes: ['elliptical', 'edge-on'], k: 3, chooseK: true, kBatches: 2, kBatchSize: 48, imageSize: 16, filters: [4, 4, 4], kernels: [3, 3, 3],
  latentDim: 4, batchSize: 16, warmupEpochs: 1, annealEpochs: 1, staticEpochs: 1, periods: 2, topK: 3, workers: 1, backend: 'wasm', progress: false,
};
let result: ClusterResult;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  result = await clusterGalaxies({ ...tiny, out: join(dir, 'run') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('galmorph cluster', () => {
  it('runs the whole schedule in miniature NaN-free: finite losses and parameters, π summing to 1, σ² above the floor', () => {
    const history = JSON.parse(readFileSync(join(dir, 'run', 'results.json'), 'utf8')) as { seeds: { k: number; finalLoss: number }[] };
    expect(history.seeds).toHaveLength(1);
    const epochs = readFileSync(join(dir, 'run', 'seed-0', 'history.csv'), 'utf8').trim().split('\n').slice(1);
    expect(epochs).toHaveLength(5);
    const header = readFileSync(join(dir, 'run', 'seed-0', 'history.csv'), 'utf8').split('\n')[0].split(',');
    for (const line of epochs) {
      const cells = line.split(',');
      for (const column of ['loss', 'reconstruction', 'latent']) expect(Number.isFinite(Number(cells[header.indexOf(column)]))).toBe(true);
    }
    const { model } = loadVade(join(dir, 'run', 'seed-0', 'model'));
    for (const v of model.params.trainable) expect(Array.from(v.dataSync()).every(Number.isFinite)).toBe(true);
    const mixture = model.mixture();
    expect(mixture.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 5);
    for (const row of mixture.variances) for (const v of row) expect(v).toBeGreaterThanOrEqual(model.config.varianceFloor);
    expect(model.config.clusters).toBe(result.seeds[0].k);
    model.dispose();
  });

  it('scores the clusters against the simulator\'s classes and writes the analysis', () => {
    for (const key of ['hungarian_accuracy', 'ari', 'nmi'] as const) expect(typeof result[key]).toBe('number');
    expect(result.hungarian_accuracy).toBeGreaterThan(0);
    expect(result.hungarian_accuracy).toBeLessThanOrEqual(1);
    expect(result.seeds[0].clusterSizes.reduce((a, b) => a + b, 0)).toBe(48);
    const seed = join(dir, 'run', 'seed-0');
    for (const file of ['clusters.csv', 'assignments.csv', 'overlap.csv', 'overlap.png', 'truth.png', 'truth_contingency.csv', 'top_galaxies.png', join('clusters', 'c00.png')]) {
      expect(existsSync(join(seed, file)), file).toBe(true);
    }
    const summary = readFileSync(join(dir, 'run', 'summary.md'), 'utf8');
    expect(summary).toMatch(/Hungarian accuracy/);
    expect(result.seeds[0].chooseK?.perSeed).toHaveLength(3);
    // The pixel baseline beside it: every simulated galaxy, scored with the same K.
    expect(result.baseline?.galaxies).toBe(48);
    expect(result.baseline?.k).toBe(3);
    expect(result.baseline?.kMeans.clusterSizes.reduce((a, b) => a + b, 0)).toBe(48);
    expect(summary).toMatch(/Pixel baseline/);
  });

  it('refuses to overwrite a trained run without --resume, and --resume analyses again without training', async () => {
    await expect(clusterGalaxies({ ...tiny, out: join(dir, 'run') })).rejects.toThrow(/already holds a model in training — pass --resume/);
    const again = await clusterGalaxies({ ...tiny, out: join(dir, 'run'), resume: true });
    expect(again.seeds[0].steps).toBe(result.seeds[0].steps);
    expect(again.hungarian_accuracy).toBe(result.hungarian_accuracy);
    await expect(clusterGalaxies({ ...tiny, out: join(dir, 'run'), resume: true, latentDim: 5 })).rejects.toThrow(/--resume with different settings: latentDim was 4, now 5/);
  });

  it('generates galaxies per cluster as grids and a catalog the readers take, an interpolation and a traversal', async () => {
    const out = join(dir, 'generated');
    const g = await generate({ model: join(dir, 'run'), out, perCluster: 3, steps: 3, traversal: 3, progress: false });
    expect(g.galaxies).toBe(3 * g.clusters);
    expect(g.route.exemplars).toBe('galaxies');
    expect([...g.route.clusters].sort()).toEqual(Array.from({ length: g.clusters }, (_, c) => c));
    for (const file of ['samples.png', 'traversal.png', 'summary.md', 'results.json']) expect(existsSync(join(out, file)), file).toBe(true);
    const catalog = await readCatalog(join(out, 'catalog'));
    expect(catalog.rows).toHaveLength(g.galaxies);
    expect(catalog.labelKind).toBe('class');
  });

  it('runs with the segmented front end and a GMM prior chosen from several restarts, logging each restart', async () => {
    const out = join(dir, 'segmented');
    const r = await clusterGalaxies({ ...tiny, chooseK: false, k: 2, periods: 1, frontEnd: 'segmented', gmmRestarts: 3, out });
    expect(r.seeds[0].k).toBe(2);
    expect(Number.isFinite(r.seeds[0].finalLoss)).toBe(true);
    const log = readFileSync(join(out, 'run.log'), 'utf8');
    expect(log).toMatch(/best of 3 fits, mean log-likelihood per galaxy -?\d+\.\d{3} -?\d+\.\d{3} -?\d+\.\d{3}\)/);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ frontEnd: 'segmented', gmmRestarts: 3 });
  });

  it('refuses bad input with messages saying what to do', async () => {
    await expect(clusterGalaxies({ ...tiny, out: join(dir, 'both'), data: [join(dir, 'run', 'simulated')] })).rejects.toThrow(/give --data or --simulate, not both/);
    await expect(clusterGalaxies({ ...tiny, simulate: null, out: join(dir, 'none') })).rejects.toThrow(/no galaxies to cluster: give --data DIR/);
    await expect(clusterGalaxies({ ...tiny, simulate: null, data: [join(dir, 'missing')], out: join(dir, 'missing-out') })).rejects.toThrow(/missing: catalog not found/);
    await expect(clusterGalaxies({ ...tiny, k: 40, chooseK: false, out: join(dir, 'many') })).rejects.toThrow(/48 galaxies are too few for 40 clusters/);
    await expect(clusterGalaxies({ ...tiny, warmupEpochs: 0, periods: 0, out: join(dir, 'empty') })).rejects.toThrow(/option "warmupEpochs"/);
    await expect(generate({ model: join(dir, 'none'), out: join(dir, 'g2') })).rejects.toThrow(/no AstroVaDEr model here/);
  });
});

describe('shortest route through the exemplars', () => {
  it('is exact (equals the best of every permutation) for a few points', () => {
    const rng = new Rng(3);
    const points = Array.from({ length: 6 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const dist = (a: number[], b: number[]) => Math.hypot(...a.map((x, d) => x - b[d]));
    let best = Infinity;
    const permute = (order: number[], left: number[]) => {
      if (left.length === 0) {
        best = Math.min(best, order.slice(1).reduce((s, p, i) => s + dist(points[order[i]], points[p]), 0));
        return;
      }
      left.forEach((p, i) => permute([...order, p], [...left.slice(0, i), ...left.slice(i + 1)]));
    };
    permute([], [0, 1, 2, 3, 4, 5]);
    const route = shortestRoute(points);
    expect(route.exact).toBe(true);
    expect(route.length).toBeCloseTo(best, 10);
    expect([...route.order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('visits every point once above the exact limit (2-opt), no longer than walking them in order', () => {
    const points = Array.from({ length: 20 }, (_, i) => [Math.cos(i * 2.4), Math.sin(i * 2.4)]);
    const route = shortestRoute(points);
    expect(route.exact).toBe(false);
    expect(new Set(route.order).size).toBe(20);
    const inOrder = points.slice(1).reduce((s, p, i) => s + Math.hypot(p[0] - points[i][0], p[1] - points[i][1]), 0);
    expect(route.length).toBeLessThan(inOrder);
  });
});
