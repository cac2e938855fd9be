import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { lineChart } from '../../src/report/lineChart.js';
import { writeFigure } from '../../src/report/writeFigure.js';

describe('writeFigure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galmorph-figure-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const svg = lineChart([{ label: 'loss', x: [1, 2, 3], y: [3, 2, 1.5] }], { width: 300, height: 200 });

  it('writes the SVG and a PNG at the asked pixel density on a white background', async () => {
    const files = await writeFigure(join(dir, 'plots', 'loss.svg'), svg, { pngScale: 2 });
    expect(files).toEqual({ svg: join(dir, 'plots', 'loss.svg'), png: join(dir, 'plots', 'loss.png') });
    expect(readFileSync(files.svg, 'utf8')).toBe(svg);
    const { data, info } = await sharp(files.png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([600, 400]);
    expect([...data.subarray(0, 3)]).toEqual([255, 255, 255]);
  });

  it('names a bad scale', async () => {
    await expect(writeFigure(join(dir, 'x'), svg, { pngScale: 0 })).rejects.toThrow(/option "pngScale"/);
  });
});
