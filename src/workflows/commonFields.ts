/**
 * Options several jobs share, declared once (type, range, default, flag, help): compute (backend, workers, seed),
 * catalogs (schema, nominal volunteers, bad-item policy) and progress output. Jobs put them in their own field
 * tables (`util/fields.ts`), with `field.with` where a job words or defaults one differently.
 */
import { field } from '../util/fields.js';
import { NOMINAL_VOLUNTEERS } from '../data/schema.js';
import { BAD_IMAGE_POLICIES } from '../data/dataset.js';

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
  default: 'error', flag: '--on-bad <policy>', help: 'bad rows/images: error | skip (left out and listed in the report)',
});

export const PROGRESS_FIELD = field.boolean({ default: true, help: 'progress bars on stderr' });

/** Test-time augmentation of MC-dropout predictions (nn/dihedralView.ts), for the jobs that predict. */
export const TTA_FIELD = field.boolean({
  default: false, flag: '--tta',
  help: 'test-time augmentation: pass t sees the (t mod 8)-th of the 8 rotations/mirrors of each image, so predictions average over orientation too (use ≥ 8 passes)',
  negation: 'no test-time augmentation (overrides a preset)',
});
