/**
 * `galmorph serve DIR`: the explorer over a folder of run folders (server.ts), listening on the loopback interface
 * unless told otherwise: another address needs `--allow-remote` and prints a warning (the explorer has no login, and
 * anyone who reaches it can read the served folder and add ratings). Stops on SIGINT/SIGTERM; ratings are on disk by
 * then (each is written as it arrives).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { field, resolveFields, type FieldValues } from '../util/fields.js';
import { InputError, OptionError } from '../util/errors.js';
import { ALLOW_ABSOLUTE_PATHS_FIELD } from '../workflows/commonFields.js';
import { createExplorerServer } from './server.js';

/** The browser bundle `npm run build` makes (dist/browser beside dist/web in a build, and from the sources alike). */
export const DEFAULT_BUNDLE_DIR = fileURLToPath(new URL('../../dist/browser', import.meta.url));
/** The explorer's script inside the bundle folder. */
export const EXPLORER_SCRIPT = 'explorer.js';

export const SERVE_FIELDS = {
  dir: field.string({ default: '', help: 'folder of run folders to show (embed, map, predict, cluster, experiment runs …)' }),
  port: field.integer({ default: 8080, min: 0, max: 65_535, flag: '--port <n>', help: 'port to listen on (0: any free port)' }),
  host: field.string({ default: '127.0.0.1', flag: '--host <address>', help: 'address to listen on; anything but loopback (127.0.0.1, ::1, localhost) needs --allow-remote' }),
  allowRemote: field.boolean({ default: false, flag: '--allow-remote', help: 'allow --host to be a non-loopback address (no login: anyone who reaches it reads the folder and rates galaxies)' }),
  ratingsDir: field.nullable(field.string({ default: '', flag: '--ratings-dir <dir>', help: 'where the Anomalies page keeps its ratings, one galmorph anomalies ratings.csv per store (default: DIR/explorer-ratings)' })),
  bundle: field.nullable(field.string({ default: '', flag: '--bundle <dir>', help: 'browser bundle folder (default: the package\'s dist/browser, made by npm run build)' })),
  allowAbsolutePaths: ALLOW_ABSOLUTE_PATHS_FIELD,
};

export type ServeOptions = FieldValues<typeof SERVE_FIELDS>;

/** Whether `host` is a loopback address. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface RunningExplorer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** Starts the explorer; `warn` receives the warning for a non-loopback host. */
export async function serve(given: Partial<ServeOptions> & Pick<ServeOptions, 'dir'>, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<RunningExplorer> {
  const o = resolveFields(SERVE_FIELDS, given);
  if (!isLoopback(o.host)) {
    if (!o.allowRemote) throw new OptionError('host', 'a loopback address (127.0.0.1, ::1, localhost), or --allow-remote to listen on another', o.host);
    warn(`warning: listening on ${o.host}, not loopback: anyone who can reach this address can read ${o.dir} and add ratings (the explorer has no login)`);
  }
  const dir = resolve(o.dir);
  if (!existsSync(dir)) throw new InputError('no such folder', { file: dir }, 'give the folder holding your run folders (e.g. runs)');
  const bundleDir = resolve(o.bundle ?? DEFAULT_BUNDLE_DIR);
  if (!existsSync(join(bundleDir, EXPLORER_SCRIPT)) || !existsSync(join(bundleDir, 'galmorph.js'))) {
    throw new InputError(`the browser bundle is missing (${EXPLORER_SCRIPT}, galmorph.js)`, { file: bundleDir }, 'run npm run build (or npm run build:browser)');
  }
  const { app } = await createExplorerServer({ root: dir, ratingsDir: resolve(o.ratingsDir ?? join(dir, 'explorer-ratings')), allowAbsolutePaths: o.allowAbsolutePaths, bundleDir });
  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { app, url: `http://${host}:${address.port}/`, close: () => app.close() };
}
