/**
 * The Search page: by id (opens the Galaxy page), or by dropping a PNG/JPEG: the shipped gz2 model runs in this
 * browser (galmorph.js: TensorFlow.js on wasm, the model's own preprocessing and MC-dropout passes, the numbers of
 * `galmorph predict` for the same pixels and seed) and shows the vote fractions down the tree, while the server
 * embeds the same file with the chosen store's encoder and returns its most similar galaxies.
 */
import type { BrowserModel, BrowserPrediction } from '../../browser/index.js';
import type { QuestionView, RunsView } from '../explorer.js';
import { el, errorBox, galaxyHref, getJson, postFile, select, thumbnailStrip } from './dom.js';
import { predictionTree } from './galaxyPage.js';

type Galmorph = typeof import('../../browser/index.js');

/** The browser bundle (one ES module with TensorFlow.js), served beside explorer.js. */
const BUNDLE_URL = '/static/galmorph.js';
const ACCEPTED = ['image/png', 'image/jpeg'];

let gz2: Promise<{ galmorph: Galmorph; model: BrowserModel; backend: string }> | null = null;

/** Loads the bundle, starts the wasm backend and the shipped model (once per page). */
function loadGz2(): Promise<{ galmorph: Galmorph; model: BrowserModel; backend: string }> {
  gz2 ??= (async () => {
    const galmorph = (await import(/* the bundle is its own file: not bundled into explorer.js */ BUNDLE_URL)) as Galmorph;
    const { backend } = await galmorph.initBrowserBackend({ backend: 'wasm', wasmPaths: '/static/wasm/' });
    return { galmorph, model: await galmorph.loadModel('/models/gz2/'), backend };
  })();
  gz2.catch(() => (gz2 = null));
  return gz2;
}

/** One galaxy of a browser prediction, as the Galaxy page's tree. */
export function predictionQuestions(model: BrowserModel, p: BrowserPrediction, b: number): QuestionView[] {
  const schema = model.model.schema;
  const depth = schema.questions.map(() => 0);
  for (const q of schema.questions) depth[q.index] = q.parent === null ? 0 : depth[q.parent.questionIndex] + 1;
  return schema.questions.map((q) => ({
    key: q.key, text: q.text, depth: depth[q.index], pAsked: p.probabilityAsked[b][q.index],
    answers: q.answers.map((a) => ({ key: a.key, text: a.text, fraction: p.fraction[b][a.index], lower: p.lower[b][a.index], upper: p.upper[b][a.index] })),
  }));
}

export async function searchPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const runs = await getJson<RunsView>('/api/runs');
  const stores = runs.stores.filter((s) => s.error === undefined).map((s) => s.name);
  let store = query.get('store') ?? stores[0] ?? null;
  const idInput = el('input', { type: 'search', placeholder: 'galaxy id', 'aria-label': 'galaxy id' });
  const byId = el('form', { onsubmit: (e: Event) => {
    e.preventDefault();
    if (store !== null && idInput.value.trim() !== '') location.hash = galaxyHref(store, idInput.value.trim());
  } }, idInput, el('button', { type: 'submit' }, 'open'));
  const passes = el('input', { type: 'number', min: 1, max: 100, value: query.get('passes') ?? '15', 'aria-label': 'MC-dropout passes' });
  const seed = el('input', { type: 'number', min: 0, value: query.get('seed') ?? '0', 'aria-label': 'seed' });
  const file = el('input', { type: 'file', accept: ACCEPTED.join(','), 'aria-label': 'image file' });
  const drop = el('div', { class: 'drop' }, 'Drop a PNG or JPEG of a galaxy here, or ', file);
  const result = el('div', {});
  main.append(
    el('div', { class: 'controls' }, stores.length > 0 ? select(stores, store, (v) => (store = v), 'embeddings') : el('span', { class: 'status' }, 'no embeddings store: search by image only predicts'), byId),
    el('div', { class: 'controls' }, el('label', {}, 'passes ', passes), el('label', {}, 'seed ', seed)),
    drop, result);

  async function run(image: File): Promise<void> {
    if (!ACCEPTED.includes(image.type)) {
      result.replaceChildren(errorBox(new Error(`${image.name} is ${image.type || 'of an unknown type'}: drop a PNG or JPEG`)));
      return;
    }
    const url = URL.createObjectURL(image);
    const preview = el('img', { class: 'large', src: url, alt: image.name });
    const predicted = el('div', {}, el('p', { class: 'status' }, 'Loading the gz2 model in this browser…'));
    const similar = el('div', {}, store === null ? '' : el('p', { class: 'status' }, 'Finding similar galaxies…'));
    result.replaceChildren(el('div', { class: 'galaxy' }, el('div', {}, preview, el('p', {}, image.name)), el('div', {}, predicted, similar)));
    const neighbours = store === null ? null : postFile<{ neighbours: { id: string; distance: number }[] }>('/api/similar', { store, k: '8' }, image)
      .then((r) => similar.replaceChildren(el('h3', {}, `Most similar in ${store}`), thumbnailStrip(store as string, r.neighbours.map((n) => ({ id: n.id, caption: `d=${n.distance.toFixed(2)}` })))))
      .catch((e: unknown) => similar.replaceChildren(errorBox(e)));
    try {
      await preview.decode();
      const { model, backend } = await loadGz2();
      const t0 = performance.now();
      const p = await model.predict([preview], { passes: Number(passes.value), seed: Number(seed.value) });
      const ms = performance.now() - t0;
      (window as unknown as { galmorphExplorer: Record<string, unknown> }).galmorphExplorer.lastPrediction = p;
      predicted.replaceChildren(el('h3', {}, `gz2 in this browser (${backend}, ${passes.value} passes, ${ms.toFixed(0)} ms)`), predictionTree(predictionQuestions(model, p, 0)));
      predicted.dataset.done = 'true';
    } catch (e) {
      predicted.replaceChildren(errorBox(e));
    }
    await neighbours;
    similar.dataset.done = 'true';
  }

  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f !== undefined) void run(f);
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f !== undefined) void run(f);
  });
}
