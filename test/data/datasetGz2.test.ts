/**
 * Integration with real Galaxy Zoo 2 images (the Kaggle JPEGs in ../shared/data/gz2-kaggle-votes, or the
 * folder named by GALMORPH_GZ2_DIR). Skipped when the folder is absent: the project does not ship data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageDataset } from '../../src/data/dataset.js';
import { loadImage } from '../../src/data/image.js';

const folder = process.env.GALMORPH_GZ2_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'gz2-kaggle-votes');
const present = existsSync(join(folder, 'labels.csv'));

function firstRows(n: number): { id: string; image: string; q1: Float32Array }[] {
  const [header, ...lines] = readFileSync(join(folder, 'labels.csv'), 'utf8').trim().split('\n');
  const columns = header.split(',');
  const at = (name: string) => columns.indexOf(name);
  return lines.slice(0, n).map((line) => {
    const cells = line.split(',');
    return {
      id: cells[at('galaxy_id')],
      image: join(folder, 'images', cells[at('image_file')]),
      q1: Float32Array.from(['q1_smooth', 'q1_features_or_disk', 'q1_star_or_artifact'], (c) => Number(cells[at(c)])),
    };
  });
}

describe.skipIf(!present)('GZ2 Kaggle JPEGs', () => {
  it('crops 424 → 212 and shrinks to 64 grey, galaxy brighter at the centre than at the edge', async () => {
    let centre = 0;
    let edge = 0;
    for (const row of firstRows(8)) {
      const image = await loadImage(row.image, { size: 64, crop: 0.5 });
      expect([image.height, image.width, image.channels]).toEqual([64, 64, 1]);
      expect(Math.min(...image.data)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...image.data)).toBeLessThanOrEqual(1);
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 64; x++) {
          const v = image.data[y * 64 + x];
          if (Math.abs(x - 31.5) < 8 && Math.abs(y - 31.5) < 8) centre += v / 256;
          else if (x < 4 || y < 4 || x >= 60 || y >= 60) edge += v / (64 * 64 - 56 * 56);
        }
      }
    }
    expect(centre).toBeGreaterThan(2 * edge);
  });

  it('streams labelled batches through the worker', async () => {
    const rows = firstRows(20);
    const dataset = new ImageDataset(rows, {
      preprocess: { size: 32, crop: 0.5 }, augment: {}, batchSize: 8, cache: 'stream', prefetch: 2,
      labels: { q1: (r) => r.q1 },
    });
    const sizes: number[] = [];
    for await (const batch of dataset.batches(0)) {
      sizes.push(batch.size);
      expect(batch.shapes).toEqual({ images: [32, 32, 1], q1: [3] });
      const sum = batch.arrays.q1[0] + batch.arrays.q1[1] + batch.arrays.q1[2];
      expect(sum).toBeCloseTo(1, 2);
    }
    expect(sizes).toEqual([8, 8, 4]);
    expect(dataset.badImages).toEqual([]);
  });
});
