import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../../src/data/csv.js';
import { RunFolder } from '../../../src/util/runFolder.js';
import { loadClusterData } from '../../../src/workflows/cluster/clusterData.js';

const dir = mkdtempSync(join(tmpdir(), 'cluster-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('galmorph cluster --simulate', () => {
  it('draws the galaxies in the --snr-range given, with their true classes kept for the analysis', async () => {
    using run = new RunFolder(join(dir, 'run'), false);
    const data = await loadClusterData({
      data: [], simulate: 12, classes: ['elliptical', 'edge-on'], snrRange: [100, 200], schema: 'gz2', imageSize: 16, onBad: 'error',
      labelKind: 'auto', allowAbsolutePaths: false, seed: 4, progress: false,
    }, run);
    expect(data.galaxies).toHaveLength(12);
    expect(new Set(data.galaxies.map((g) => g.truth))).toEqual(new Set(['elliptical', 'edge-on']));
    expect(data.note).toMatch(/S\/N 100–200/);
    const { header, rows } = readCsv(join(dir, 'run', 'simulated', 'truth.csv'));
    const snr = rows.map((r) => Number(r[header.indexOf('snr')]));
    expect(snr).toHaveLength(12);
    for (const s of snr) {
      expect(s).toBeGreaterThanOrEqual(100);
      expect(s).toBeLessThanOrEqual(200);
    }
  });
});
