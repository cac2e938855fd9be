// Loading a checkpoint from a URL (checkpointFetch.ts) in Node, with a fetch that serves a folder: the same
// checkpoint and the same refusals, word for word, as the folder loader (checkpoint.ts). The browser itself is
// test/browser/browserModel.test.ts.
import { mkdtempSync, readFileSync, existsSync, writeFileSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { CHECKPOINT_FORMAT, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/models/checkpoint.js';
import { fetchCheckpoint, sha256Hex } from '../../src/models/checkpointFetch.js';
import { fetchBayesianCnn } from '../../src/models/bayesianCnnRestore.js';
import { loadBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { PRETRAINED_DIR } from '../../src/models/pretrained.js';

const BASE = 'https://models.example/ckpt/';

/** A fetch answering BASE + name from `dir` (404 when the file is absent). */
function folderFetch(dir: string): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    if (!url.startsWith(BASE)) return new Response('elsewhere', { status: 403, statusText: 'Forbidden' });
    const file = join(dir, url.slice(BASE.length));
    return existsSync(file) ? new Response(readFileSync(file)) : new Response('not found', { status: 404, statusText: 'Not Found' });
  }) as typeof fetch;
}

function sample(): Checkpoint {
  return {
    meta: { format: CHECKPOINT_FORMAT, kind: 'bcnn', config: { a: 1 }, schema: null, preprocessing: { size: 64 }, step: 12, savedAt: 'now' },
    weights: { w: { shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) } },
    optimizer: { m: { shape: [3], values: Float32Array.from([0.25, -1, 8]) } },
  };
}

const bytesOf = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

/** The message of what `f` throws, with the folder's path or URL replaced by FOLDER/. */
async function refusal(f: () => unknown, where: string): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message.split(where).join('FOLDER/');
  }
  return 'not refused';
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('checkpoint from a URL', () => {
  it('hashes with WebCrypto exactly as node:crypto does', async () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reads back what the folder loader reads, optimiser state included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-fetch-'));
    saveCheckpoint(dir, sample());
    const fetched = await fetchCheckpoint(BASE, { fetch: folderFetch(dir), expectedKind: 'bcnn' });
    expect(fetched).toEqual(loadCheckpoint(dir, 'bcnn'));
    expect(Array.from(fetched.optimizer!.m.values)).toEqual([0.25, -1, 8]);
  });

  it('refuses what the folder loader refuses, with the same message naming the URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-fetch-'));
    const fetchIt = (kind?: string) => fetchCheckpoint(BASE.slice(0, -1), { fetch: folderFetch(dir), expectedKind: kind });
    const same = async (kind?: string) => {
      const fromUrl = await refusal(() => fetchIt(kind), BASE);
      expect(fromUrl).toBe(await refusal(() => loadCheckpoint(dir, kind), `${dir}/`));
      return fromUrl;
    };
    saveCheckpoint(dir, sample());
    expect(await same('etvae')).toMatch(/FOLDER\/model\.json: holds a "bcnn" model, but a "etvae" model is needed/);
    const weights = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), weights.map((b, i) => (i === 5 ? b ^ 1 : b)));
    expect(await same()).toMatch(/^FOLDER\/weights\.bin: its SHA-256 does not match the one model\.json recorded/);
    writeFileSync(join(dir, 'weights.bin'), weights.subarray(0, 8));
    expect(await same()).toMatch(/^FOLDER\/weights\.bin: has 8 bytes but model\.json describes 24/);
    writeFileSync(join(dir, 'weights.bin'), weights);
    unlinkSync(join(dir, 'optimizer.bin'));
    expect(await same()).toMatch(/^FOLDER\/optimizer\.bin: missing/);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model' }));
    expect(await same()).toMatch(/not a galmorph model: format is "layers-model"/);
    writeFileSync(join(dir, 'model.json'), '{ not json');
    expect(await same()).toMatch(/^FOLDER\/model\.json: not valid JSON/);
    unlinkSync(join(dir, 'model.json'));
    expect(await refusal(() => fetchIt(), BASE)).toMatch(/^FOLDER\/: no model\.json here/);
    await expect(fetchCheckpoint('https://elsewhere.example/m', { fetch: folderFetch(dir) })).rejects.toThrow(/m\/model\.json: the server answered 403 Forbidden/);
  });

  it('loads the shipped gz2 model by URL with the same weights as by name', async () => {
    const { model } = await fetchBayesianCnn(BASE, { fetch: folderFetch(join(PRETRAINED_DIR, 'gz2')) });
    const byName = loadBayesianCnn('gz2').model;
    try {
      const [a, b] = [model.params.exportWeights(), byName.params.exportWeights()];
      expect(Object.keys(a)).toEqual(Object.keys(b));
      const differing = Object.keys(a).filter((k) => !bytesOf(a[k].values).equals(bytesOf(b[k].values)));
      expect(differing).toEqual([]);
    } finally {
      model.dispose();
      byName.dispose();
    }
  });
});
