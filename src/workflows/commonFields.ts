/**
 * Options several jobs share, declared once (type, range, default, flag, help): compute (backend, workers, seed),
 * catalogs (schema, nominal volunteers, bad-item policy) and progress output. Jobs put them in their own field
 * tables (`util/fields.ts`), with `field.with` where a job words or defaults one differently.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { field } from '../util/fields.js';
import { NOMINAL_VOLUNTEERS } from '../data/schema.js';
import { BAD_IMAGE_POLICIES, type BadImagePolicy } from '../data/dataset.js';
import { VOTE_LABEL_KINDS, type VoteLabelKind } from '../data/catalog.js';
import type { ReadCatalogOptions } from '../data/catalogRead.js';

export const COMPUTE_FIELDS = {
  /** The API's default is wasm; the command line resolves auto / $GALMORPH_BACKEND once per job and passes the result. */
  backend: field.string({
    default: 'wasm', flag: '--backend <name>', env: 'GALMORPH_BACKEND',
    help: 'compute backend: wasm | cpu | tensorflow (default: $GALMORPH_BACKEND, else tensorflow when tfjs-node is installed, else wasm)',
  }),
  workers: field.integer({ default: 2, min: 1, max: 64, flag: '--workers <n>', help: 'worker threads for data-parallel training and inference' }),
  seed: field.integer({ default: 0, min: 0, max: 2 ** 32 - 1, flag: '--seed <n>', help: 'random seed (same seed, same backend → same results)' }),
};

export const SCHEMA_FIELD = field.string({ default: 'gz2', flag: '--schema <name>', help: 'gz2 | decals-dr5 | q1 | schema JSON' });

export const NOMINAL_N_FIELD = field.integer({
  default: NOMINAL_VOLUNTEERS, min: 1, max: 100_000, flag: '--nominal-n <n>', help: 'volunteers per galaxy assumed for fraction labels (expected counts = fraction × n)',
});

export const ON_BAD_FIELD = field.choice(BAD_IMAGE_POLICIES, {
  default: 'error', flag: '--on-bad <policy>',
  help: 'bad catalog rows (malformed, bad labels, missing or unsafe image paths) and unreadable images: error (stop at the first, naming file, row and column) | skip (leave them out; count, list and reason in results.json and summary.md)',
});

export const LABEL_KIND_FIELD = field.choice(VOTE_LABEL_KINDS, {
  default: 'auto', flag: '--label-kind <kind>',
  help: 'what the answer columns hold: auto (judged row by row; the reason is logged and reported) | counts | fractions | percentages (fractions × 100)',
});

export const ALLOW_ABSOLUTE_PATHS_FIELD = field.boolean({
  default: false, flag: '--allow-absolute-paths',
  help: 'accept absolute image paths outside the catalog folder (relative paths and ids must always stay inside it)',
});

/** How a job reads its catalogs: bad-row policy, label kind, image paths. Jobs that use labels spread all three. */
export const CATALOG_FIELDS = { onBad: ON_BAD_FIELD, labelKind: LABEL_KIND_FIELD, allowAbsolutePaths: ALLOW_ABSOLUTE_PATHS_FIELD };

/** The readCatalog options of a job's resolved catalog fields (labelKind absent: labels are not read). */
export function catalogReadOptions(o: { onBad: BadImagePolicy; labelKind?: VoteLabelKind; allowAbsolutePaths: boolean }): Pick<ReadCatalogOptions, 'onBad' | 'labelKind' | 'allowAbsolutePaths'> {
  return { onBad: o.onBad, labelKind: o.labelKind ?? 'none', allowAbsolutePaths: o.allowAbsolutePaths };
}

/** The nearest existing ancestor of `p` (itself if it exists). */
function nearestExisting(p: string): string {
  let at = resolve(p);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/** A run folder path: refused at option time when it (or the nearest existing folder above it) is a file. */
export const outFolder = (o: { default: string; flag: string; help: string }) => field.custom(
  z.string().min(1).refine((p) => statSync(nearestExisting(p)).isDirectory()),
  { ...o, expected: 'a folder path, not an existing file (or a path under one)', parse: (raw) => raw },
);

/** Whether two values of a path option name the same file (relative to this working folder, links resolved). */
export function samePath(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return JSON.stringify(a) === JSON.stringify(b);
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

export const PROGRESS_FIELD = field.boolean({ default: true, help: 'progress bars on stderr' });

/** Test-time augmentation of MC-dropout predictions (nn/dihedralView.ts), for the jobs that predict. */
export const TTA_FIELD = field.boolean({
  default: false, flag: '--tta',
  help: 'test-time augmentation: pass t sees the (t mod 8)-th of the 8 rotations/mirrors of each image, so predictions average over orientation too (use ≥ 8 passes)',
  negation: 'no test-time augmentation (overrides a preset)',
});
