/**
 * Which TensorFlow.js backend galmorph computes on: a closed set, chosen by an explicit argument
 * (the CLI's `--backend`), else the GALMORPH_BACKEND environment variable, else automatically.
 */
import { OptionError } from '../util/errors.js';

export const BACKEND_KINDS = ['wasm', 'cpu', 'tensorflow'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** The environment variable read when no backend is passed explicitly. */
export const BACKEND_ENV_VAR = 'GALMORPH_BACKEND';

export function isBackendKind(value: unknown): value is BackendKind {
  return typeof value === 'string' && (BACKEND_KINDS as readonly string[]).includes(value);
}

/**
 * The requested backend, or 'auto' when neither an argument nor the environment names one.
 * `source` names where an explicit value came from, for the error message (e.g. "--backend").
 */
export function requestedBackend(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  source = 'backend',
): BackendKind | 'auto' {
  if (explicit !== undefined && explicit !== '') {
    if (!isBackendKind(explicit)) throw new OptionError(source, `one of ${BACKEND_KINDS.join(' | ')}`, explicit);
    return explicit;
  }
  const fromEnv = env[BACKEND_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isBackendKind(fromEnv)) {
      throw new OptionError(`environment variable ${BACKEND_ENV_VAR}`, `one of ${BACKEND_KINDS.join(' | ')}`, fromEnv);
    }
    return fromEnv;
  }
  return 'auto';
}
