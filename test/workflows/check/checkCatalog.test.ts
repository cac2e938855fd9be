import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { checkCatalog } from '../../../src/workflows/check/checkCatalog.js';

async function writePng(path: string): Promise<void> {
  const px = Buffer.alloc(16 * 16, 0);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7) % 255;
  await sharp(px, { raw: { width: 16, height: 16, channels: 1 } }).png().toFile(path);
}

describe('checkCatalog', () => {
  it('lists a bad row and a corrupt image with their reasons and keeps the good rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-check-'));
    mkdirSync(join(dir, 'images'));
    await writePng(join(dir, 'images', 'a.png'));
    await writePng(join(dir, 'images', 'b.png'));
    await writePng(join(dir, 'images', 'c.png'));
    writeFileSync(join(dir, 'images', 'd.png'), Buffer.from('not a png at all'));
    writeFileSync(
      join(dir, 'labels.csv'),
      'id,image_file,q1_smooth,q1_features_or_disk,q1_star_or_artifact\n' +
        'a,a.png,10,5,1\nb,b.png,-3,5,1\nc,c.png,2,20,0\nd,d.png,4,4,4\n',
    );
    const out = join(dir, 'report');
    const r = await checkCatalog({ catalog: dir, schema: 'q1', out, size: 16 });
    expect(r.rowsRead).toBe(4);
    expect(r.badRows).toBe(1);
    expect(r.badImages).toBe(1);
    expect(r.rowsUsable).toBe(2);
    expect(r.bad[0]).toMatchObject({ kind: 'row', id: 'b', row: 2 });
    expect(r.bad[0].reason).toMatch(/q1_smooth/);
    expect(r.bad[1]).toMatchObject({ kind: 'image', id: 'd' });
    expect(r.bad[1].reason).toMatch(/d\.png/);
    const csv = readFileSync(join(out, 'bad_items.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('row,id,kind,reason');
    expect(csv).toMatch(/\nimage|,d,image,/);
    expect(existsSync(join(out, 'sample_images.png'))).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/bad images \(left out with --on-bad skip\)\s+\|\s+1/);
  });
});
