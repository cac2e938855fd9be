import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { ParamStore } from '../../src/nn/params.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('ParamStore freeze and importUnder', () => {
  it('a frozen weight leaves trainable but is still exported; importUnder loads only the named groups', () => {
    const a = new ParamStore(1);
    a.variable('m/enc/w', [2, 2], 'glorotUniform');
    a.variable('m/enc2/w', [2], 'ones');
    a.variable('m/head/w', [2, 3], 'glorotUniform');
    expect(a.freeze('m/enc')).toEqual(['m/enc/w']);
    expect(a.trainable.map((v) => v.name.replace(/_\d+$/, ''))).toEqual(['m/enc2/w', 'm/head/w']);
    expect(Object.keys(a.exportWeights())).toEqual(['m/enc/w', 'm/enc2/w', 'm/head/w']);
    expect(() => a.freeze('m/nope')).toThrow(/no trainable parameter under "m\/nope"/);

    const b = new ParamStore(2);
    b.variable('m/enc/w', [2, 2], 'zeros');
    b.variable('m/head/w', [2, 5], 'zeros');
    const source = a.exportWeights();
    expect(b.importUnder(source, ['m/enc'])).toEqual(['m/enc/w']);
    const loaded = b.exportWeights();
    expect(Array.from(loaded['m/enc/w'].values)).toEqual(Array.from(source['m/enc/w'].values));
    expect(Array.from(loaded['m/head/w'].values)).toEqual(new Array(10).fill(0));
    expect(() => b.importUnder(source, ['m/head'], 'src.bin')).toThrow(/src.bin: parameter "m\/head\/w" has shape \[2,3\] but the model expects \[2,5\]/);
    expect(() => b.importUnder({}, ['m/enc'], 'src.bin')).toThrow(/src.bin: lacks parameter "m\/enc\/w"/);
    a.dispose();
    b.dispose();
  });
});
