import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/data/catalogRead.js';
import { readCsv } from '../../../src/data/csv.js';
import { loadImage } from '../../../src/data/image.js';
import { createGalaxySimulator } from '../../../src/data/simulator/simulateGalaxy.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';

describe('simulate workflow', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galmorph-simulate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a folder the catalog reader loads, with truth, config and per-class grids', async () => {
    const out = join(dir, 'gz2');
    const result = await simulate({ n: 60, out, seed: 5, schema: 'gz2', progress: false, gridTiles: 4 });
    expect(result.n).toBe(60);
    expect(Object.values(result.classCounts).reduce((s, x) => s + x, 0)).toBe(60);

    const catalog = await readCatalog(out, { schema: 'gz2' });
    expect(catalog.labelKind).toBe('counts');
    expect(catalog.rows.length).toBe(60);
    const simulateOne = createGalaxySimulator({ seed: 5, schema: 'gz2' });
    const g = simulateOne(12);
    const row = catalog.rows[12];
    expect(row.id).toBe(g.id);
    expect(Array.from(row.counts ?? [])).toEqual(Array.from(g.counts));

    // The PNG holds the in-memory image quantised to 8 bits.
    const image = await loadImage(row.image);
    expect(image.width).toBe(64);
    let worst = 0;
    for (let k = 0; k < g.image.length; k++) worst = Math.max(worst, Math.abs(image.data[k] - g.image[k]));
    expect(worst).toBeLessThanOrEqual(0.5 / 255 + 1e-6);

    const header = readFileSync(join(out, 'labels.csv'), 'utf8').split('\n')[0].split(',');
    expect(header.slice(0, 4)).toEqual(['id', 'image_file', 'Class1.1', 'Class1.2']);
    expect(header.length).toBe(2 + catalog.schema.numAnswers);

    const truth = readCsv(join(out, 'truth.csv'));
    expect(truth.rows.length).toBe(60);
    for (const column of ['galaxyClass', 'axisRatio', 'positionAngle', 'arms', 'barStrength', 'snr', 'p_q1_smooth']) {
      expect(truth.header).toContain(column);
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ n: 60, seed: 5, schema: 'gz2', size: 64 });
    for (const file of result.files.grids) expect(existsSync(join(out, file))).toBe(true);
    expect(result.files.grids.length).toBe(Object.values(result.classCounts).filter((c) => c > 0).length);
  });

  it('writes decals-dr5 vote columns named by that schema', async () => {
    const out = join(dir, 'decals');
    await simulate({ n: 5, out, schema: 'decals-dr5', progress: false, gridTiles: 0 });
    const header = readFileSync(join(out, 'labels.csv'), 'utf8').split('\n')[0].split(',');
    expect(header.slice(0, 3)).toEqual(['id', 'image_file', 'smooth-or-featured_smooth']);
    const catalog = await readCatalog(out, { schema: 'decals-dr5' });
    expect(catalog.rows.length).toBe(5);
  });

  it('names the option when n is not a positive integer', async () => {
    await expect(simulate({ n: 0, out: join(dir, 'bad'), progress: false })).rejects.toThrow(/option "n": expected an integer in \[1, 100000000\], got 0/);
  });
});
