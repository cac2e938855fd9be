/**
 * Loading a checkpoint from a base URL — `<base>/model.json`, `<base>/weights.bin` (and `optimizer.bin` when the
 * checkpoint has one) — with `fetch` and WebCrypto's SHA-256, so it runs in a browser as well as in Node 20. The
 * format, its checks and its messages are checkpointFormat.ts's, the same as for a folder read in Node
 * (checkpoint.ts): a damaged weights.bin is refused with the same words, naming its URL instead of its path.
 */
import { InputError } from '../util/errors.js';
import { BINARY_FILES, MODEL_JSON, binaryParts, decodeCheckpoint, parseModelJson, type BinaryFile, type BinaryPart, type Checkpoint } from './checkpointFormat.js';

export interface FetchCheckpointOptions {
  /** The fetch to use (tests, custom headers, caching); the global fetch by default. */
  fetch?: typeof fetch;
  /** Model kind required (e.g. 'bayesian-cnn'); another kind is refused. */
  expectedKind?: string;
}

/** `base` with exactly one trailing slash, resolved against the page's address in a browser. */
export function modelBaseUrl(base: string | URL): string {
  const text = String(base);
  const withSlash = text.endsWith('/') ? text : `${text}/`;
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  return page === undefined ? withSlash : new URL(withSlash, page).href;
}

/** Fetches and checks the checkpoint at `base` (a folder URL). Throws InputError naming the URL that was wrong. */
export async function fetchCheckpoint(base: string | URL, options: FetchCheckpointOptions = {}): Promise<Checkpoint> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const folder = modelBaseUrl(base);
  const get = async (name: string): Promise<Response | null> => {
    const url = folder + name;
    let response: Response;
    try {
      response = await doFetch(url);
    } catch (e) {
      throw new InputError(`cannot fetch (${(e as Error).message})`, { file: url }, 'check the model URL and that the server is up');
    }
    if (response.status === 404) return null;
    if (!response.ok) throw new InputError(`the server answered ${response.status} ${response.statusText}`, { file: url }, 'check the model URL and the server');
    return response;
  };
  const jsonResponse = await get(MODEL_JSON);
  const json = parseModelJson(jsonResponse === null ? null : await jsonResponse.text(), { folder, file: folder + MODEL_JSON }, options.expectedKind);
  const binaries: Partial<Record<BinaryPart, BinaryFile>> = {};
  for (const part of binaryParts(json)) {
    const response = await get(BINARY_FILES[part]);
    const bytes = response === null ? null : new Uint8Array(await response.arrayBuffer());
    binaries[part] = { bytes, sha256: bytes === null ? null : await sha256Hex(bytes), file: folder + BINARY_FILES[part] };
  }
  return decodeCheckpoint(json, binaries);
}

/** Hex SHA-256 through WebCrypto (globalThis.crypto.subtle: browsers in secure contexts — https or localhost — and Node 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new Error('WebCrypto (crypto.subtle) is not available: serve the page over https or from localhost to check model checksums');
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
