/**
 * `galmorph serve`: the server on a free loopback port over a folder made by the real jobs (explorerFixture.ts),
 * asked with raw HTTP requests (paths sent exactly as written, no client-side normalisation): traversal in every
 * spelling is refused and nothing outside the folder is ever sent; bad parameters, malformed JSON and bad uploads get
 * a 4xx with the reason and no stack; the API's answers are checked against the jobs' own outputs; the anomaly loop
 * asks for new galaxies by expected improvement after 10 ratings, and resumes them after a restart.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { readCsv } from '../../src/data/csv.js';
import { similar } from '../../src/workflows/similar/similar.js';
import { PathRefused, realRoot, resolveInside } from '../../src/web/safePath.js';
import { CONTENT_SECURITY_POLICY, UPLOAD_LIMIT_BYTES } from '../../src/web/server.js';
import { serve, type RunningExplorer } from '../../src/web/serve.js';
import { makeServedFolder, type ServedFolder } from './explorerFixture.js';

const base = mkdtempSync(join(tmpdir(), 'gm-serve-'));
const bundle = join(base, 'bundle');
let folder: ServedFolder;
let server: RunningExplorer;
let port: number;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => Record<string, unknown>;
}

/** One HTTP request with the path sent byte for byte as given. */
function http(method: string, path: string, body?: Buffer | string, contentType?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: contentType === undefined ? {} : { 'content-type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8'), json: () => JSON.parse(all.toString('utf8')) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function start(): Promise<void> {
  server = await serve({ dir: folder.root, port: 0, bundle });
  port = Number(new URL(server.url).port);
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  folder = await makeServedFolder(base);
  // serve() wants a bundle folder; the page's scripts are the browser test's business (test/browser/explorer.test.ts).
  // A cluster run's tables where galmorph cluster writes them, in RUN/seed-N/ (the VaDE training itself is tested in
  // test/workflows/cluster); the browser test's cluster run keeps them in the run folder itself, which is read too.
  const ids = readCsv(join(folder.root, 'map', 'coordinates.csv')).rows.map((r) => r[0]);
  mkdirSync(join(folder.root, 'clu', 'seed-0'), { recursive: true });
  writeFileSync(join(folder.root, 'clu', 'config.json'), JSON.stringify({ command: 'cluster' }));
  writeFileSync(join(folder.root, 'clu', 'seed-0', 'assignments.csv'), `id,cluster,gamma\n${ids.map((id, i) => `${id},c0${i % 7 === 0 ? 2 : i % 2},${(0.5 + i / 100).toFixed(2)}`).join('\n')}\n`);
  writeFileSync(join(folder.root, 'clu', 'seed-0', 'overlap.csv'), 'cluster,c00,c01,c02\nc00,0.9,0.05,0.05\nc01,0.1,0.8,0.1\nc02,0.2,0.2,0.6\n');
  // Experiments: an active-learn report as the job wrote it (docs/results), an acquisitions table and one round's
  // grid added, and a Table 1 report's files; a predict run over a copy of the catalog whose first 10 galaxies have no votes.
  cpSync('docs/results/al-quick-issue12', join(folder.root, 'exp', 'al'), { recursive: true });
  writeFileSync(join(folder.root, 'exp', 'al', 'acquisitions.csv'), 'acquisition,round,labels,rank,id,bald\nbald,0,64,1,a1,0.5\nbald,0,64,2,a2,0.25\nrandom,1,96,1,a3,0.125\n');
  mkdirSync(join(folder.root, 'exp', 'al', 'grids'));
  await sharp({ create: { width: 24, height: 12, channels: 3, background: '#345' } }).png().toFile(join(folder.root, 'exp', 'al', 'grids', 'bald_round00.png'));
  // A Table 1 report's files (the experiment itself is tested in test/workflows/table1).
  mkdirSync(join(folder.root, 'exp', 't1', 'figures'), { recursive: true });
  writeFileSync(join(folder.root, 'exp', 't1', 'config.json'), JSON.stringify({ command: 'experiment table1', preset: 'quick' }));
  writeFileSync(join(folder.root, 'exp', 't1', 'results.csv'), 'regime,labels,seeds,RMSE_mean,RMSE_sd\nsupervised,100,2,0.2060,0.0032\ntwo-step,100,2,0.2129,0.0005\n');
  writeFileSync(join(folder.root, 'exp', 't1', 'summary.md'), '# Table 1\n');
  await sharp({ create: { width: 30, height: 20, channels: 3, background: '#fff' } }).png().toFile(join(folder.root, 'exp', 't1', 'figures', 'error_vs_labels.png'));
  const partial = join(base, 'catalog-part');
  cpSync(folder.catalog, partial, { recursive: true });
  const labels = readCsv(join(folder.catalog, 'labels.csv'));
  const keep = new Set(['id', 'galaxy_id', 'image_file']);
  writeFileSync(join(partial, 'labels.csv'), [labels.header.join(','), ...labels.rows.map((r, k) => r.map((c, j) => (k < 10 && !keep.has(labels.header[j]) ? '' : c)).join(','))].join('\n') + '\n');
  cpSync(join(folder.root, 'pred'), join(folder.root, 'pred-part'), { recursive: true });
  const config = JSON.parse(readFileSync(join(folder.root, 'pred', 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(folder.root, 'pred-part', 'config.json'), JSON.stringify({ ...config, catalog: partial }));
  mkdirSync(bundle);
  writeFileSync(join(bundle, 'galmorph.js'), 'export {};');
  writeFileSync(join(bundle, 'explorer.js'), 'export {};');
  await start();
}, 300_000); // ~10 s on an idle machine (simulate, embed, map, predict on 30 galaxies)

afterAll(async () => {
  await server?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('resolveInside: the one path check', () => {
  it('accepts files inside the root and refuses traversal, absolute paths, hidden names, folders and links out', () => {
    const root = realRoot(folder.root);
    expect(resolveInside(root, 'map/coordinates.csv')).toBe(join(root, 'map', 'coordinates.csv'));
    const refused = (p: string) => {
      try {
        resolveInside(root, p);
      } catch (e) {
        expect(e).toBeInstanceOf(PathRefused);
        return `${(e as PathRefused).status} ${(e as Error).message}`;
      }
      return 'served';
    };
    expect(refused('../secret.txt')).toMatch(/^403 a path with "\.\." segments/);
    expect(refused('map/../../secret.txt')).toMatch(/^403 /);
    expect(refused('map\\..\\..\\secret.txt')).toMatch(/^403 /);
    expect(refused(folder.secret.path)).toMatch(/^403 an absolute path/);
    expect(refused('C:\\Windows\\win.ini')).toMatch(/^403 an absolute path/);
    expect(refused('link-out/secret.txt')).toMatch(/^403 link-out\/secret\.txt leads outside the served folder/);
    expect(refused('.hidden')).toMatch(/^403 a hidden file/);
    expect(refused('map')).toMatch(/^404 map is a folder/);
    expect(refused('nothing.csv')).toMatch(/^404 no such file/);
    expect(refused('a\0b')).toMatch(/^400 /);
  });
});

describe('galmorph serve over a folder of runs', () => {
  it('serves the folder\'s files read-only with a Content-Security-Policy, and nothing outside it in any spelling', async () => {
    const ok = await http('GET', '/files/map/coordinates.csv');
    expect(ok.status).toBe(200);
    expect(ok.text).toBe(readFileSync(join(folder.root, 'map', 'coordinates.csv'), 'utf8'));
    expect(ok.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    const page = await http('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.text).not.toMatch(/<script>|<style>|style="/); // nothing inline: the policy needs no 'unsafe-inline'
    const attacks = [
      '/files/../secret.txt', '/files/%2e%2e/secret.txt', '/files/%2E%2E/secret.txt', '/files/..%2fsecret.txt', '/files/%2e%2e%2fsecret.txt',
      '/files/map/../../secret.txt', '/files/map/%2e%2e/%2e%2e/secret.txt', `/files/${encodeURIComponent(folder.secret.path)}`, `/files/${folder.secret.path}`,
      '/files/link-out/secret.txt', '/files/..\\secret.txt', '/files/%2e%2e%5csecret.txt', '/static/../../secret.txt', '/models/gz2/%2e%2e/%2e%2e/package.json',
    ];
    for (const path of attacks) {
      const r = await http('GET', path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.text, path).not.toContain(folder.secret.text);
      expect(r.text, path).not.toMatch(/\n\s+at /); // no stack
    }
    expect((await http('GET', '/files/%2e%2e/secret.txt')).json().error).toMatch(/"\.\." segments/);
    expect((await http('GET', '/files/link-out/secret.txt')).json().error).toMatch(/leads outside the served folder/);
    expect((await http('POST', '/files/map/coordinates.csv', 'x', 'text/plain')).status).toBe(404); // read only: no writes
  });

  it('answers bad parameters and malformed JSON with 400 and the reason, never a stack', async () => {
    const cases: [string, string, RegExp][] = [
      ['GET', '/api/galaxy?store=emb', /parameter "id"/],
      ['GET', '/api/galaxy?store=emb&id=x&k=abc', /parameter "k"/],
      ['GET', '/api/galaxy?store=emb&id=no-such-galaxy', /galaxy "no-such-galaxy" is not in the embeddings store emb/],
      ['GET', '/api/galaxy?store=nope&id=1', /no embeddings store "nope" in the served folder — choose one of: emb/],
      ['GET', '/api/thumb?store=emb&id=1&stretch=log', /parameter "stretch"/],
      ['GET', '/api/map?run=emb', /no map run "emb"/],
      ['GET', '/api/map/column?run=map&column=nope', /cannot be coloured by "nope"/],
      ['GET', '/api/galaxy?store=emb&id=1&extra=1', /unknown parameter "extra"/],
    ];
    for (const [method, path, reason] of cases) {
      const r = await http(method, path);
      expect(r.status, path).toBe(400);
      expect(r.json().error, path).toMatch(reason);
      expect(r.text, path).not.toMatch(/\n\s+at |\.ts:\d+/);
    }
    const broken = await http('POST', '/api/anomalies/rate?store=emb', '{"id": "1", "rating": ', 'application/json');
    expect(broken.status).toBe(400);
    expect(broken.json().error).toMatch(/JSON/);
    expect(broken.text).not.toMatch(/\n\s+at /);
    const wrong = await http('POST', '/api/anomalies/rate?store=emb', '{"id": "1", "rating": "five"}', 'application/json');
    expect(wrong.status).toBe(400);
    expect(wrong.json().error).toMatch(/parameter "rating"/);
    const huge = await http('POST', '/api/anomalies/rate?store=emb', JSON.stringify({ id: 'x'.repeat(100_000), rating: 1 }), 'application/json');
    expect(huge.status).toBe(413);
    expect((await http('GET', '/api/nothing')).status).toBe(404);
  });

  it('lists the runs and serves the map, its colour columns, thumbnails and a galaxy\'s predictions, votes and neighbours', async () => {
    const runs = (await http('GET', '/api/runs')).json() as { stores: { name: string; galaxies: number }[]; maps: { name: string; store: string }[]; runs: { name: string; command: string }[] };
    expect(runs.stores).toEqual([expect.objectContaining({ name: 'emb', galaxies: 30 })]);
    expect(runs.maps).toEqual([{ name: 'map', store: 'emb' }]);
    expect(runs.runs.map((r) => `${r.name}:${r.command}`).sort()).toEqual(['clu:cluster', 'emb:embed', 'exp/al:active-learn', 'exp/t1:experiment table1', 'map:map', 'pred-part:predict', 'pred:predict']);
    expect((runs as unknown as { experiments: string[] }).experiments).toEqual(['exp/al', 'exp/t1']);
    expect(JSON.stringify(runs)).not.toContain(base); // no server paths

    const coords = readCsv(join(folder.root, 'map', 'coordinates.csv'));
    const map = (await http('GET', '/api/map?run=map')).json() as { ids: string[]; x: number[]; columns: string[] };
    expect(map.ids).toEqual(coords.rows.map((r) => r[0]));
    expect(map.x).toEqual(coords.rows.map((r) => Number(r[1])));
    expect(map.columns).toContain('map: Class1.1');
    expect(map.columns).toContain('pred: q1_smooth');
    const column = (await http('GET', `/api/map/column?run=map&column=${encodeURIComponent('map: Class1.1')}`)).json() as { kind: string; values: number[] };
    expect(column.kind).toBe('number');
    expect(column.values).toEqual(coords.rows.map((r) => Number(r[3])));
    // The same column read from the catalog itself, and an uncertainty: the width of predict's 90% interval.
    const fromCatalog = (await http('GET', `/api/map/column?run=map&column=${encodeURIComponent('catalog: Class1.1')}`)).json() as { values: number[] };
    expect(fromCatalog.values).toEqual(column.values);
    const width = (await http('GET', `/api/map/column?run=map&column=${encodeURIComponent('pred: q1_smooth 90% interval width')}`)).json() as { kind: string; values: number[] };
    const full = readCsv(join(folder.root, 'pred', 'predictions_full.csv'));
    const [lo, hi] = [full.header.indexOf('q1_smooth_lower'), full.header.indexOf('q1_smooth_upper')];
    expect(width.kind).toBe('number');
    width.values.forEach((w, i) => {
      const row = full.rows.find((r) => r[0] === coords.rows[i][0]) as string[];
      expect(w).toBeCloseTo(Number(row[hi]) - Number(row[lo]), 12);
    });

    const id = map.ids[5];
    const thumb = await http('GET', `/api/thumb?store=emb&id=${id}&size=40`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/png');
    expect(await sharp(thumb.body).metadata()).toMatchObject({ format: 'png', width: 40, height: 40 });

    const galaxy = (await http('GET', `/api/galaxy?store=emb&id=${id}&k=4`)).json() as {
      predictions: { run: string; questions: { key: string; depth: number; pAsked: number; answers: { key: string; fraction: number; lower: number; upper: number }[] }[] }[];
      votes: { question: string; answers: { column: string; value: unknown }[] }[]; neighbours: { id: string; distance: number }[];
    };
    // Predictions: predict's own table, in the tree's order, with depths.
    const row = full.rows.find((r) => r[0] === id) as string[];
    const cell = (name: string) => Number(row[full.header.indexOf(name)]);
    const p = galaxy.predictions[0];
    expect(p.run).toBe('pred');
    expect(p.questions[0]).toMatchObject({ key: 'q1', depth: 0 });
    expect(p.questions.some((q) => q.depth >= 2)).toBe(true);
    for (const q of p.questions) {
      expect(q.pAsked).toBeCloseTo(cell(`${q.key}_p_asked`), 12);
      for (const a of q.answers) {
        expect(a.fraction).toBeCloseTo(cell(`${a.key}_fraction`), 12);
        expect(a.lower).toBeCloseTo(cell(`${a.key}_lower`), 12);
        expect(a.upper).toBeCloseTo(cell(`${a.key}_upper`), 12);
      }
    }
    // Votes: the catalog's own cells.
    const labels = readCsv(join(folder.catalog, 'labels.csv'));
    const labelRow = labels.rows.find((r) => r[0] === id) as string[];
    const vote = galaxy.votes[0].answers[0];
    expect(Number(vote.value)).toBe(Number(labelRow[labels.header.indexOf(vote.column)]));
    // Its cluster, from the cluster run's assignments.
    const k = map.ids.indexOf(id);
    expect((galaxy as unknown as { clusters: unknown[] }).clusters).toEqual([{ run: 'clu', cluster: `c0${k % 7 === 0 ? 2 : k % 2}`, gamma: Number((0.5 + k / 100).toFixed(2)) }]);
    // The cluster gallery: clusters by size, members by γ, the store that holds them, the overlap matrix.
    const clusters = (await http('GET', '/api/clusters?run=clu&top=3')).json() as { store: string; clusters: { cluster: string; galaxies: number; top: { id: string; gamma: number }[] }[]; overlap: { names: string[]; values: number[][] } };
    const expected = ['c00', 'c01', 'c02'].map((c) => {
      const members = map.ids.map((m, i) => ({ id: m, cluster: `c0${i % 7 === 0 ? 2 : i % 2}`, gamma: Number((0.5 + i / 100).toFixed(2)) })).filter((m) => m.cluster === c);
      return { cluster: c, galaxies: members.length, top: members.sort((a, b) => b.gamma - a.gamma).slice(0, 3).map(({ id: m, gamma }) => ({ id: m, gamma })) };
    }).sort((a, b) => b.galaxies - a.galaxies);
    expect(clusters.store).toBe('emb');
    expect(clusters.clusters).toEqual(expected);
    expect(clusters.overlap).toEqual({ names: ['c00', 'c01', 'c02'], values: [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]] });
    expect((await http('GET', '/api/clusters?run=map')).json().error).toMatch(/no cluster run "map"/);
    // Neighbours: galmorph similar --id's.
    const reference = await similar({ embeddings: join(folder.root, 'emb'), out: join(base, 'sim'), id, k: 4, components: 6, progress: false });
    expect(galaxy.neighbours.map((n) => n.id)).toEqual(reference.neighbours.map((n) => n.id));
  });

  it('Label next: a predict run\'s galaxies by BALD (voted ones left out on request), the queue as CSV, an active-learn run\'s acquisitions per round', async () => {
    type Queue = { store: string | null; galaxies: number; voted: number | null; votesReason: string | null; questions: string[]; queue: { rank: number; id: string; bald: number; question: string; questionBald: number; voted: boolean }[] };
    const full = readCsv(join(folder.root, 'pred', 'predictions_full.csv'));
    const bi = full.header.indexOf('bald');
    const baldColumns = full.header.flatMap((c, j) => (c.endsWith('_bald') ? [j] : []));
    expect(baldColumns).toHaveLength(11);
    const ranked = full.rows.map((r) => ({ id: r[0], bald: Number(r[bi]), row: r })).sort((a, b) => b.bald - a.bald || (a.id < b.id ? -1 : 1));
    const view = (await http('GET', '/api/label-next?run=pred&limit=5')).json() as unknown as Queue;
    expect(view).toMatchObject({ store: 'emb', galaxies: 30, voted: 30, votesReason: null });
    expect(view.queue.map((q) => q.id)).toEqual(ranked.slice(0, 5).map((r) => r.id));
    view.queue.forEach((q, k) => {
      expect(q.rank).toBe(k + 1);
      expect(q.bald).toBe(ranked[k].bald);
      // the question contributing most: the largest of the row's <question>_bald cells
      const best = Math.max(...baldColumns.map((j) => Number(ranked[k].row[j])));
      expect(q.questionBald).toBe(best);
      expect(Number(ranked[k].row[full.header.indexOf(`${q.question}_bald`)])).toBe(best);
    });
    // The same predictions over a catalog whose first 10 galaxies have no votes: only those are left to label.
    const unvoted = new Set(readCsv(join(folder.catalog, 'labels.csv')).rows.slice(0, 10).map((r) => r[0]));
    const part = (await http('GET', '/api/label-next?run=pred-part&exclude_voted=true&limit=100')).json() as unknown as Queue;
    expect(part.voted).toBe(20);
    expect(part.queue.map((q) => q.id)).toEqual(ranked.filter((r) => unvoted.has(r.id)).map((r) => r.id));
    const csv = await http('GET', '/api/label-next.csv?run=pred-part&exclude_voted=1');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="label-next-pred-part.csv"');
    writeFileSync(join(base, 'queue.csv'), csv.body);
    const table = readCsv(join(base, 'queue.csv'));
    expect(table.header).toEqual(['id', 'bald', ...baldColumns.map((j) => full.header[j]), 'voted']);
    expect(table.rows.map((r) => r[0])).toEqual(part.queue.map((q) => q.id));
    expect(table.rows.every((r) => r[r.length - 1] === '0')).toBe(true);
    expect(table.rows[0][1]).toBe(ranked.find((r) => unvoted.has(r.id))?.row[bi]);
    const everything = (await http('GET', '/api/label-next.csv?run=pred')).text.trim().split('\n');
    expect(everything).toHaveLength(31);
    for (const [path, reason] of [['/api/label-next?run=map', /no predict run "map"/], ['/api/label-next?run=pred&exclude_voted=maybe', /parameter "exclude_voted"/], ['/api/active-learn?run=pred', /no active-learn run "pred"/]] as const) {
      const r = await http('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.json().error, path).toMatch(reason);
    }
    // The active-learn run: every round of results.json's curve, its acquisitions and its grid when there is one.
    const learn = (await http('GET', '/api/active-learn?run=exp/al')).json() as { hasAcquisitionTable: boolean; rounds: { acquisition: string; round: number; labels: number; rmse: number; acquired: { id: string; bald: number }[]; grid: string | null }[] };
    const curve = (JSON.parse(readFileSync(join(folder.root, 'exp', 'al', 'results.json'), 'utf8')) as { curve: { acquisition: string; round: number; labels: number; errorVotes: number }[] }).curve;
    expect(learn.hasAcquisitionTable).toBe(true);
    expect(learn.rounds.map((r) => [r.acquisition, r.round, r.labels, r.rmse])).toEqual(curve.map((c) => [c.acquisition, c.round, c.labels, c.errorVotes]));
    expect(learn.rounds[0]).toMatchObject({ acquired: [{ id: 'a1', bald: 0.5 }, { id: 'a2', bald: 0.25 }], grid: 'exp/al/grids/bald_round00.png' });
    expect(learn.rounds.find((r) => r.acquisition === 'random' && r.round === 1)?.acquired).toEqual([{ id: 'a3', bald: 0.125 }]);
    expect(learn.rounds[1].grid).toBeNull(); // listed in results.json but not in the folder
  });

  it('Experiments: a Table 1 and an active-learn report with their tables, figures and summary', async () => {
    type Experiment = { command: string; summary: string; figures: string[]; tables: { file: string; header: string[]; rows: string[][] }[]; files: string[] };
    const al = (await http('GET', '/api/experiment?run=exp/al')).json() as unknown as Experiment;
    expect(al.command).toBe('active-learn');
    expect(al.summary).toBe(readFileSync(join(folder.root, 'exp', 'al', 'summary.md'), 'utf8'));
    expect(al.figures).toEqual(expect.arrayContaining(['exp/al/error_vs_labels_votes.png', 'exp/al/calibration.png', 'exp/al/grids/bald_round00.png']));
    const curve = readCsv(join(folder.root, 'exp', 'al', 'curve.csv'));
    expect(al.tables.map((t) => t.file)).toEqual(['exp/al/curve.csv']);
    expect(al.tables[0]).toMatchObject({ header: curve.header, rows: curve.rows });
    const t1 = (await http('GET', '/api/experiment?run=exp/t1')).json() as unknown as Experiment;
    const results = readCsv(join(folder.root, 'exp', 't1', 'results.csv'));
    expect(t1.command).toBe('experiment table1');
    expect(t1.tables[0]).toMatchObject({ file: 'exp/t1/results.csv', header: results.header, rows: results.rows });
    expect(t1.figures).toContain('exp/t1/figures/error_vs_labels.png');
    const refused = await http('GET', '/api/experiment?run=pred');
    expect(refused.status).toBe(400);
    expect(refused.json().error).toMatch(/no experiment run .* "pred"/);
  });

  it('finds an uploaded catalog image at distance ≈ 0 and refuses uploads of the wrong size or type with a clear 4xx', async () => {
    const map = (await http('GET', '/api/map?run=map')).json() as { ids: string[] };
    const png = readFileSync(join(folder.catalog, 'images', `${map.ids[3]}.png`));
    const found = await http('POST', '/api/similar?store=emb&k=3', png, 'image/png');
    expect(found.status).toBe(200);
    const neighbours = found.json().neighbours as { id: string; distance: number }[];
    expect(neighbours[0].id).toBe(map.ids[3]);
    expect(neighbours[0].distance).toBeLessThan(1e-4);

    const refusals: [Buffer | string, string, number, RegExp][] = [
      ['hello', 'text/plain', 415, /content-type|media type/i],
      [png, 'image/jpeg', 415, /says it is image\/jpeg but its bytes are png/],
      [Buffer.from('\x89PNG\r\n\x1a\nnot really a png at all'), 'image/png', 400, /not a readable image/],
      [await sharp({ create: { width: 5000, height: 8, channels: 3, background: '#000' } }).png().toBuffer(), 'image/png', 413, /5000×8 pixels; at most 4096 a side/],
      [Buffer.alloc(UPLOAD_LIMIT_BYTES + 1), 'image/png', 413, /too large|body/i],
    ];
    for (const [body, type, status, reason] of refusals) {
      const r = await http('POST', '/api/similar?store=emb', body, type);
      expect(r.status, `${type} → ${r.text}`).toBe(status);
      expect(r.json().error).toMatch(reason);
    }
  });

  it('anomalies: 10 ratings, then expected-improvement suggestions; the ratings survive a restart; a stale or bad rating is refused', async () => {
    type State = { current: { id: string; round: number; mean: number | null } | null; round: { id: string }[]; ratings: { id: string; rating: number }[]; ratingsFile: string };
    let state = (await http('GET', '/api/anomalies?store=emb')).json() as State;
    expect(state.current?.round).toBe(0);
    expect(state.current?.mean).toBeNull();
    expect(state.round).toHaveLength(10);
    const first = state.round.map((r) => r.id);
    for (let k = 0; k < 10; k++) {
      const id = state.current?.id as string;
      const r = await http('POST', '/api/anomalies/rate?store=emb', JSON.stringify({ id, rating: k % 6 }), 'application/json');
      expect(r.status, r.text).toBe(200);
      state = r.json() as State;
    }
    expect(state.ratings).toHaveLength(10);
    expect(state.current?.round).toBe(1);
    expect(typeof state.current?.mean).toBe('number'); // picked by the GP's expected improvement
    expect(state.round.filter((r) => first.includes(r.id))).toEqual([]);
    const file = readCsv(state.ratingsFile);
    expect(file.header).toEqual(['id', 'rating', 'round']);
    expect(file.rows.map((r) => r[0])).toEqual(first);

    const stale = await http('POST', '/api/anomalies/rate?store=emb', JSON.stringify({ id: first[0], rating: 3 }), 'application/json');
    expect(stale.status).toBe(409);
    expect(stale.json().error).toMatch(/is not the one being asked for/);
    const bad = await http('POST', '/api/anomalies/rate?store=emb', JSON.stringify({ id: state.current?.id, rating: 7 }), 'application/json');
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatch(/rating 7 is not a whole number from 0 to 5/);

    await server.close();
    await start();
    const resumed = (await http('GET', '/api/anomalies?store=emb')).json() as State;
    expect(resumed.ratings).toEqual(state.ratings);
    expect(resumed.current).toEqual(state.current);
    expect(resumed.round).toEqual(state.round);
  });

  it('listens on loopback unless told: another host needs --allow-remote and prints a warning', async () => {
    await expect(serve({ dir: folder.root, port: 0, bundle, host: '0.0.0.0' })).rejects.toThrow(/option "host": expected a loopback address .*--allow-remote.*, got "0\.0\.0\.0"/);
    const warnings: string[] = [];
    const open = await serve({ dir: folder.root, port: 0, bundle, host: '0.0.0.0', allowRemote: true }, (l) => warnings.push(l));
    await open.close();
    expect(warnings.join('\n')).toMatch(/warning: listening on 0\.0\.0\.0, not loopback/);
    await expect(serve({ dir: join(base, 'nope'), port: 0, bundle })).rejects.toThrow(/no such folder/);
    await expect(serve({ dir: folder.root, port: 0, bundle: base })).rejects.toThrow(/the browser bundle is missing .* run npm run build/);
  });
});

