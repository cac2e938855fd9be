/**
 * The Anomalies page: the personalised loop of `galmorph anomalies` in the browser. The server runs the loop (a
 * Gaussian process on the ratings, expected improvement picks each round's galaxies) and keeps the ratings file; this
 * page shows the galaxy asked for, takes a rating 0–5 (buttons or keys 0–5) and shows the round's suggestions.
 */
import type { AnomalyState } from '../anomalySession.js';
import type { RunsView } from '../explorer.js';
import { el, errorBox, getJson, postJson, select, thumbnailStrip, thumbUrl } from './dom.js';

export async function anomaliesPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const runs = await getJson<RunsView>('/api/runs');
  const stores = runs.stores.filter((s) => s.error === undefined).map((s) => s.name);
  if (stores.length === 0) {
    main.append(el('p', {}, 'No embeddings store in the served folder: make one with galmorph embed.'));
    return;
  }
  const store = query.get('store') ?? stores[0];
  const body = el('div', { class: 'rate' }, el('p', { class: 'status' }, 'Projecting the galaxies and reading the ratings…'));
  main.append(el('div', { class: 'controls' }, select(stores, store, (v) => (location.hash = `#/anomalies?${new URLSearchParams({ store: v })}`), 'embeddings')), body);
  let state: AnomalyState;
  let busy = false;

  const render = () => {
    const c = state.current;
    const top = [...state.ratings].sort((a, b) => b.rating - a.rating).slice(0, 12);
    if (c === null) {
      body.replaceChildren(el('p', {}, `Every galaxy is rated (${state.ratings.length}).`));
      return;
    }
    const how = c.mean === null ? 'picked at random (first round)' : `picked by expected improvement; the model guesses ${c.mean.toFixed(1)} ± ${(c.sd ?? 0).toFixed(1)}`;
    body.replaceChildren(
      el('p', {}, `Round ${c.round + 1}, galaxy ${c.position} of ${c.perRound}: ${how}. ${state.ratings.length} ratings so far, saved in ${state.ratingsFile}.`),
      el('div', { class: 'galaxy' }, el('img', { class: 'large', src: thumbUrl(store, c.id, 256), alt: c.id }), el('div', {},
        el('p', {}, el('strong', { 'data-current': c.id }, c.id)),
        el('p', {}, 'How interesting is it? 0 = nothing special … 5 = very interesting (keys 0–5)'),
        el('div', {}, ...[0, 1, 2, 3, 4, 5].map((r) => el('button', { type: 'button', 'data-rating': r, onclick: () => void rate(r) }, String(r)))))),
      el('h3', {}, 'This round\'s suggestions'),
      thumbnailStrip(store, state.round.map((r) => ({ id: r.id, caption: r.mean === null ? `${r.position}` : `${r.position}: ${r.mean.toFixed(1)}±${(r.sd ?? 0).toFixed(1)}`, current: r.id === c.id }))),
      el('h3', {}, 'Highest rated'),
      thumbnailStrip(store, top.map((r) => ({ id: r.id, caption: `${r.rating} (round ${r.round + 1})` }))),
    );
  };

  async function rate(rating: number): Promise<void> {
    if (busy || state.current === null) return;
    busy = true;
    try {
      state = await postJson<AnomalyState>('/api/anomalies/rate', { store }, { id: state.current.id, rating });
      render();
    } catch (e) {
      body.prepend(errorBox(e));
    } finally {
      busy = false;
    }
  }

  try {
    state = await getJson<AnomalyState>('/api/anomalies', { store });
  } catch (e) {
    body.replaceChildren(errorBox(e));
    return;
  }
  render();
  const onKey = (e: KeyboardEvent) => {
    if (!document.body.contains(body)) {
      window.removeEventListener('keydown', onKey);
      return;
    }
    if (/^[0-5]$/.test(e.key)) void rate(Number(e.key));
  };
  window.addEventListener('keydown', onKey);
}
