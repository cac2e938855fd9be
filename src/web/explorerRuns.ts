/**
 * The run folders of the folder `galmorph serve` shows: every folder (to a depth of 3, hidden ones and the insides of
 * stores skipped) holding a `config.json` with the `command` a galmorph job writes, or an embeddings store
 * (its manifest and `pca.json`, e.g. made by `queue merge`). A map run is tied to its embeddings store through the
 * `embeddings` path in its config (as given on the command line: tried absolute, from the working folder, from the
 * served folder's parent and from the served folder, then by folder name among the stores found).
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EMBEDDINGS_PCA_FILE, isEmbeddingStore } from '../data/embeddingStore.js';

export interface RunInfo {
  /** Path relative to the served folder, with '/' separators: the run's name in URLs. */
  name: string;
  /** Real path. */
  dir: string;
  /** The job that wrote it ('embed', 'map', 'predict', 'cluster', 'experiment table1', …; 'store' for a bare store). */
  command: string;
  config: Record<string, unknown>;
  /** An embeddings store (manifest and PCA). */
  store: boolean;
}

/** Folders never looked into: the parts of stores and run folders that hold data, not runs. */
const SKIP = new Set(['shards', 'index', 'images', 'node_modules', 'model', 'last', 'cells']);

function readConfig(dir: string): Record<string, unknown> | null {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null; // a config being written or damaged: the folder is listed again on the next scan
  }
}

/** The runs under `root` (a real path), sorted by name. */
export function discoverRuns(root: string, maxDepth = 3): RunInfo[] {
  const runs: RunInfo[] = [];
  const visit = (dir: string, depth: number) => {
    const config = readConfig(dir);
    const store = isEmbeddingStore(dir) && existsSync(join(dir, EMBEDDINGS_PCA_FILE));
    const command = typeof config?.command === 'string' ? config.command : store ? 'store' : null;
    if (command !== null && dir !== root) runs.push({ name: relative(root, dir).split(sep).join('/'), dir, command, config: config ?? {}, store });
    if (depth >= maxDepth) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (name.startsWith('.') || SKIP.has(name)) continue;
      const child = join(dir, name);
      let real: string;
      try {
        real = realpathSync(child);
        if (!statSync(real).isDirectory()) continue;
      } catch {
        continue;
      }
      if (real !== child || !real.startsWith(root + sep)) continue; // links are not followed (nothing outside the root)
      visit(child, depth + 1);
    }
  };
  visit(root, 0);
  return runs;
}

/**
 * Where a path a run's config names (as given on its command line) may be: itself if absolute, else from the working
 * folder, from the served folder's parent and from the served folder; each resolved to its real path, missing ones
 * left out.
 */
export function givenPathCandidates(root: string, given: string): string[] {
  const candidates = isAbsolute(given) ? [given] : [resolve(given), resolve(dirname(root), given), resolve(root, given)];
  return candidates.flatMap((c) => {
    try {
      return [realpathSync(c)];
    } catch {
      return [];
    }
  });
}

/** The store run a map (or anomalies, …) run's `embeddings` option names, or null when none of `stores` matches. */
export function linkedStore(root: string, run: RunInfo, stores: readonly RunInfo[]): RunInfo | null {
  const given = run.config.embeddings;
  if (typeof given !== 'string' || given === '') return null;
  for (const real of givenPathCandidates(root, given)) {
    const hit = stores.find((s) => s.dir === real);
    if (hit !== undefined) return hit;
  }
  const byName = stores.filter((s) => basename(s.dir) === basename(given));
  return byName.length === 1 ? byName[0] : null;
}
