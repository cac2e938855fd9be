/**
 * A small served folder for the explorer's tests, made by the real jobs on simulated data: 30 simulated galaxies
 * (32 px, catalog outside the served folder), a tiny untrained Bayesian CNN (16 px), `galmorph embed` into
 * ROOT/emb, `galmorph map --method pca` coloured by a vote column into ROOT/map, `galmorph predict` into
 * ROOT/pred; plus a secret file beside the root and a symbolic link inside the root leading to it.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSchema } from '../../src/data/schemas/index.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { BayesianCnn } from '../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { simulate } from '../../src/workflows/simulate/simulate.js';
import { embed } from '../../src/workflows/embed/embed.js';
import { galaxyMap } from '../../src/workflows/map/galaxyMap.js';
import { predict } from '../../src/workflows/predict/predict.js';

export interface ServedFolder {
  /** The served folder. */
  root: string;
  catalog: string;
  model: string;
  /** A file outside the root, and its contents. */
  secret: { path: string; text: string };
}

/** Builds the folder under `base` (the backend must be initialised). */
export async function makeServedFolder(base: string): Promise<ServedFolder> {
  const root = join(base, 'runs');
  const catalog = join(base, 'catalog');
  const model = join(base, 'model');
  mkdirSync(root, { recursive: true });
  await simulate({ n: 30, out: catalog, seed: 3, size: 32, progress: false, gridTiles: 0 });
  const cnn = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [6]], denseUnits: 8, pooling: 'flatten', seed: 4 });
  saveBayesianCnn(model, cnn, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  cnn.dispose();
  await embed({ catalog, out: join(root, 'emb'), model, shardSize: 12, pca: [3, 6], progress: false });
  await galaxyMap({ embeddings: join(root, 'emb'), out: join(root, 'map'), method: 'pca', cells: 4, thumbnail: 16, colorBy: 'Class1.1', progress: false });
  await predict({ models: [model], catalog, out: join(root, 'pred'), passes: 3, bald: true, progress: false });
  const secret = { path: join(base, 'secret.txt'), text: 'top secret: not for the explorer' };
  writeFileSync(secret.path, secret.text);
  symlinkSync(base, join(root, 'link-out'));
  return { root, catalog, model, secret };
}
