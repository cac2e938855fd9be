/**
 * The explorer's HTTP server (fastify): the page and its scripts (the browser bundle of `npm run build:browser`:
 * galmorph.js with TensorFlow.js, its wasm binaries and explorer.js), the shipped gz2 model for in-browser
 * inference, the served folder's files read-only, and a JSON API over Explorer (explorer.ts).
 *
 * Every file path a client names goes through safePath.ts (no `..`, no absolute paths, no hidden names, no links
 * leading out); images of galaxies are asked for by id, never by path. Bad parameters and malformed JSON get a 400
 * with the reason, refused paths 403/404, uploads over UPLOAD_LIMIT_BYTES 413, of another type 415, undecodable
 * ones 400; an unexpected error a 500 without its stack (logged to stderr). Every answer carries a
 * Content-Security-Policy that allows nothing but this server (plus wasm compilation for TensorFlow.js).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import sharp from 'sharp';
import { z } from 'zod';
import { FITS_STRETCHES } from '../data/preprocess.js';
import { PRETRAINED_DIR } from '../models/pretrained.js';
import { describeError, InputError, OptionError } from '../util/errors.js';
import { Explorer, type ExplorerOptions } from './explorer.js';
import { PathRefused, realRoot, resolveInside } from './safePath.js';
import { RatingRefused } from './anomalySession.js';
import { EXPLORER_CSS, EXPLORER_HTML } from './explorerPage.js';

/** Largest accepted image upload. */
export const UPLOAD_LIMIT_BYTES = 8 * 1024 * 1024;
/** Largest accepted image side (pixels) of an upload: decoding is refused above it. */
export const UPLOAD_MAX_SIDE = 4096;
/** Largest JSON body. */
const JSON_LIMIT_BYTES = 64 * 1024;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' blob: data:",
  "connect-src 'self'", "worker-src 'self' blob:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8', '.md': 'text/markdown; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream', '.parquet': 'application/octet-stream',
};

export interface ExplorerServerOptions extends ExplorerOptions {
  /** The browser bundle folder (galmorph.js, explorer.js, wasm/). */
  bundleDir: string;
  /** Folder of the model the Search page runs in the browser. @default pretrained/gz2 */
  modelDir?: string;
}

/** A request the server refuses with `status` and a reason (never a stack). */
class Refused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Parses query parameters with a zod schema; the 400 names the parameter and what was expected. */
function params<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') throw new Refused(400, `unknown parameter ${issue.keys.map((k) => `"${k}"`).join(', ')}`);
  throw new Refused(400, `parameter "${issue.path.join('.')}": ${issue.message}`);
}

const name = z.string().min(1).max(1000);
const storeQuery = z.object({ store: name }).strict();
const galaxyQuery = z.object({ store: name, id: name, k: z.coerce.number().int().min(1).max(100).default(8) }).strict();
const thumbQuery = z.object({ store: name, id: name, size: z.coerce.number().int().min(8).max(256).default(64), stretch: z.enum(FITS_STRETCHES).default('arcsinh') }).strict();
const runQuery = z.object({ run: name }).strict();
const columnQuery = z.object({ run: name, column: name }).strict();
const clustersQuery = z.object({ run: name, top: z.coerce.number().int().min(1).max(100).default(12) }).strict();
const similarQuery = z.object({ store: name, k: z.coerce.number().int().min(1).max(100).default(8) }).strict();
const rateBody = z.object({ id: name, rating: z.number() }).strict();
const flag = z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1');
const labelNextQuery = z.object({ run: name, exclude_voted: flag, limit: z.coerce.number().int().min(1).max(1000).default(60) }).strict();
const labelNextCsvQuery = z.object({ run: name, exclude_voted: flag }).strict();

function sendFile(reply: FastifyReply, root: string, requested: string): FastifyReply {
  const file = resolveInside(root, requested);
  return reply.type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream').send(readFileSync(file));
}

/** Checks an uploaded image before it is decoded for real: PNG or JPEG by its bytes, at most UPLOAD_MAX_SIDE a side. */
async function checkUpload(bytes: Buffer, declared: string): Promise<'png' | 'jpeg'> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: UPLOAD_MAX_SIDE * UPLOAD_MAX_SIDE }).metadata();
  } catch (e) {
    throw new Refused(400, `the upload is not a readable image (${(e as Error).message})`);
  }
  if (meta.format !== 'png' && meta.format !== 'jpeg') throw new Refused(415, `the upload is ${meta.format ?? 'of an unknown format'}, not PNG or JPEG`);
  if (`image/${meta.format}` !== declared) throw new Refused(415, `the upload says it is ${declared} but its bytes are ${meta.format}`);
  const { width = 0, height = 0 } = meta;
  if (width > UPLOAD_MAX_SIDE || height > UPLOAD_MAX_SIDE) throw new Refused(413, `the image is ${width}×${height} pixels; at most ${UPLOAD_MAX_SIDE} a side`);
  if (width < 8 || height < 8) throw new Refused(400, `the image is ${width}×${height} pixels; at least 8 a side`);
  return meta.format;
}

function errorStatus(e: unknown): { status: number; message: string } {
  if (e instanceof Refused || e instanceof PathRefused || e instanceof RatingRefused) return { status: e.status, message: e.message };
  if (e instanceof InputError || e instanceof OptionError) return { status: 400, message: e.message };
  const code = (e as { statusCode?: unknown }).statusCode;
  if (typeof code === 'number' && code >= 400 && code < 500) return { status: code, message: (e as Error).message };
  return { status: 500, message: 'internal error (the server\'s output says what happened)' };
}

/** Builds the server (not listening yet). */
export async function createExplorerServer(options: ExplorerServerOptions): Promise<{ app: FastifyInstance; explorer: Explorer }> {
  const root = realRoot(options.root);
  const bundle = realRoot(options.bundleDir);
  const model = realRoot(options.modelDir ?? join(PRETRAINED_DIR, 'gz2'));
  const explorer = new Explorer({ ...options, root });
  const app = Fastify({ logger: false, bodyLimit: JSON_LIMIT_BYTES, routerOptions: { maxParamLength: 2000 } });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-resource-policy', 'same-origin');
    return payload;
  });
  app.setErrorHandler((error, request, reply) => {
    const { status, message } = errorStatus(error);
    if (status >= 500) process.stderr.write(`galmorph serve: ${request.method} ${request.url}: ${describeError(error)}\n${(error as Error).stack ?? ''}\n`);
    return reply.code(status).type('application/json').send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no such page or API: ${request.method} ${request.url.split('?')[0]}` }));
  app.addContentTypeParser(['image/png', 'image/jpeg'], { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT_BYTES }, (_request, body, done) => done(null, body));

  // The page, its style and scripts, the model.
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(EXPLORER_HTML));
  app.get('/static/explorer.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(EXPLORER_CSS));
  app.get('/static/*', async (request, reply) => sendFile(reply, bundle, (request.params as { '*': string })['*']));
  app.get('/models/gz2/*', async (request, reply) => sendFile(reply, model, (request.params as { '*': string })['*']));
  // The served folder, read only.
  app.get('/files/*', async (request, reply) => sendFile(reply, root, (request.params as { '*': string })['*']));

  app.get('/api/runs', async () => explorer.runsView());
  app.get('/api/run', async (request) => explorer.runFiles(params(runQuery, request.query).run));
  app.get('/api/map', async (request) => explorer.map(params(runQuery, request.query).run));
  app.get('/api/clusters', async (request) => {
    const q = params(clustersQuery, request.query);
    return explorer.clusters(q.run, q.top);
  });
  app.get('/api/experiment', async (request) => explorer.experiment(params(runQuery, request.query).run));
  app.get('/api/label-next', async (request) => {
    const q = params(labelNextQuery, request.query);
    return explorer.labelNext(q.run, q.exclude_voted, q.limit);
  });
  app.get('/api/label-next.csv', async (request, reply) => {
    const q = params(labelNextCsvQuery, request.query);
    const csv = await explorer.labelNextCsv(q.run, q.exclude_voted);
    const file = `label-next-${q.run.replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(csv);
  });
  app.get('/api/active-learn', async (request) => explorer.activeLearn(params(runQuery, request.query).run));
  app.get('/api/map/column', async (request) => {
    const q = params(columnQuery, request.query);
    return explorer.mapColumn(q.run, q.column);
  });
  app.get('/api/thumb', async (request, reply) => {
    const q = params(thumbQuery, request.query);
    const png = await (await explorer.store(q.store)).thumbnail(q.id, q.size, q.stretch);
    return reply.type('image/png').header('cache-control', 'max-age=3600').send(png);
  });
  app.get('/api/galaxy', async (request) => {
    const q = params(galaxyQuery, request.query);
    return explorer.galaxy(q.store, q.id, q.k);
  });
  app.post('/api/similar', async (request: FastifyRequest) => {
    const q = params(similarQuery, request.query);
    const declared = (request.headers['content-type'] ?? '').split(';')[0].trim();
    if (!Buffer.isBuffer(request.body)) throw new Refused(415, 'send the image as the request body, with content-type image/png or image/jpeg');
    const format = await checkUpload(request.body, declared);
    const store = await explorer.store(q.store);
    const dir = mkdtempSync(join(tmpdir(), 'galmorph-upload-'));
    try {
      const file = join(dir, `upload.${format === 'jpeg' ? 'jpg' : 'png'}`);
      writeFileSync(file, request.body);
      return { neighbours: await store.neighboursOfImage(file, q.k) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  app.get('/api/anomalies', async (request) => (await explorer.anomalies(params(storeQuery, request.query).store)).state());
  app.post('/api/anomalies/rate', async (request) => {
    const q = params(storeQuery, request.query);
    const body = params(rateBody, request.body);
    return (await explorer.anomalies(q.store)).rate(body.id, body.rating);
  });
  app.addHook('onClose', async () => explorer.close());
  return { app, explorer };
}
