import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { BayesianCnn } from '../../src/models/bayesianCnn.js';
import { loadBayesianCnn, saveBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { PRETRAINED_DIR, resolveModelFolder, shippedModelNames } from '../../src/models/pretrained.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { getSchema } from '../../src/data/schemas/index.js';
import { readVariables } from '../../src/train/localTrainer.js';

const dir = mkdtempSync(join(tmpdir(), 'pretrained-'));
const config = { schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, pooling: 'flatten' as const, headBias: -3, seed: 5 };

function saveTiny(folder: string): BayesianCnn {
  const model = new BayesianCnn(config);
  saveBayesianCnn(folder, model, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  return model;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shipped models by name', () => {
  it('resolves a shipped name to its folder and a path to itself', () => {
    const shipped = join(dir, 'shipped');
    saveTiny(join(shipped, 'tiny')).dispose();
    mkdirSync(join(shipped, 'not-a-model'));
    expect(shippedModelNames(shipped)).toEqual(['tiny']);
    expect(resolveModelFolder('tiny', shipped)).toBe(join(shipped, 'tiny'));
    expect(resolveModelFolder(join(shipped, 'tiny'), shipped)).toBe(join(shipped, 'tiny'));
    expect(() => resolveModelFolder('nonesuch', shipped)).toThrow(/no model folder or shipped model called "nonesuch".*shipped models: tiny/);
  });

  it('ships the gz2 model in the package, loadable by name with its weights intact', () => {
    expect(shippedModelNames(PRETRAINED_DIR)).toContain('gz2');
    const { model, preprocessing } = loadBayesianCnn('gz2');
    try {
      expect(model.config.head).toBe('dirichlet');
      expect(preprocessing.size).toBe(model.config.imageSize);
      const card = readFileSync(join(PRETRAINED_DIR, 'gz2', 'MODEL_CARD.md'), 'utf8');
      expect(card).toMatch(/Exact command/);
    } finally {
      model.dispose();
    }
  });
});

describe('refused model files', () => {
  it('loads back the weights it saved', () => {
    const folder = join(dir, 'ok');
    const model = saveTiny(folder);
    const loaded = loadBayesianCnn(folder);
    expect(readVariables(loaded.model.params.trainable)).toEqual(readVariables(model.params.trainable));
    model.dispose();
    loaded.model.dispose();
  });

  it('refuses a weights.bin damaged in place (same size, other bytes) by its checksum', () => {
    const folder = join(dir, 'flipped');
    saveTiny(folder).dispose();
    const bytes = readFileSync(join(folder, 'weights.bin'));
    bytes[100] ^= 0xff;
    writeFileSync(join(folder, 'weights.bin'), bytes);
    expect(() => loadBayesianCnn(folder)).toThrow(/weights\.bin: its SHA-256 does not match/);
  });

  it('refuses a truncated weights.bin, naming the file', () => {
    const folder = join(dir, 'truncated');
    saveTiny(folder).dispose();
    writeFileSync(join(folder, 'weights.bin'), readFileSync(join(folder, 'weights.bin')).subarray(0, 64));
    expect(() => loadBayesianCnn(folder)).toThrow(/weights\.bin: has 64 bytes but model\.json describes/);
  });

  it('refuses a foreign model.json and a non-JSON one', () => {
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: {} }));
    expect(() => loadBayesianCnn(foreign)).toThrow(/not a galmorph model: format is "layers-model"/);
    writeFileSync(join(foreign, 'model.json'), '{ not json');
    expect(() => loadBayesianCnn(foreign)).toThrow(/model\.json: not valid JSON/);
  });
});
