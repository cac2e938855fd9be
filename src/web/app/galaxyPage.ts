/** The Galaxy page: image (stretch control for FITS), predictions down the decision tree, votes, neighbours, cluster. */
import type { GalaxyView, QuestionView } from '../explorer.js';
import { el, errorBox, getJson, select, thumbnailStrip, thumbUrl } from './dom.js';

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

/**
 * Vote fractions with their 90% intervals, one row per answer under its question, indented by the question's depth
 * in the tree; a question's rows fade with P(asked) (a fraction of a question few volunteers would be asked is a guess
 * about a hypothetical).
 */
export function predictionTree(questions: readonly QuestionView[]): HTMLTableElement {
  const table = el('table', { class: 'tree' });
  for (const q of questions) {
    const opacity = Number.isFinite(q.pAsked) ? Math.max(0.25, q.pAsked) : 1;
    const indent = `${q.depth * 1.2}em`;
    const head = el('tr', { class: 'question', 'data-question': q.key }, el('td', {}, q.text), el('td', { colspan: 2 }, `P(asked) ${fmt(q.pAsked)}`));
    (head.firstChild as HTMLElement).style.paddingLeft = indent;
    head.style.opacity = String(opacity);
    table.append(head);
    for (const a of q.answers) {
      const fill = el('div', { class: 'fill' });
      fill.style.width = `${100 * Math.min(1, Math.max(0, a.fraction))}%`;
      const interval = el('div', { class: 'interval' });
      interval.style.left = `${100 * Math.max(0, a.lower)}%`;
      interval.style.width = `${100 * Math.max(0, Math.min(1, a.upper) - Math.max(0, a.lower))}%`;
      const row = el('tr', { 'data-answer': a.key }, el('td', {}, a.text), el('td', {}, el('div', { class: 'bar' }, fill, interval)), el('td', {}, `${fmt(a.fraction)} [${fmt(a.lower)}, ${fmt(a.upper)}]`));
      (row.firstChild as HTMLElement).style.paddingLeft = `calc(${indent} + 1em)`;
      row.style.opacity = String(opacity);
      table.append(row);
    }
  }
  return table;
}

export async function galaxyPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const store = query.get('store');
  const id = query.get('id');
  if (store === null || id === null) {
    main.append(el('p', {}, 'Pick a galaxy on the Map or find one on the Search page.'));
    return;
  }
  let stretch = query.get('stretch') ?? 'arcsinh';
  const image = el('img', { class: 'large', src: thumbUrl(store, id, 256, stretch), alt: id });
  const stretchControl = select(['arcsinh', 'linear'], stretch, (v) => {
    stretch = v;
    image.src = thumbUrl(store, id, 256, stretch);
  }, 'stretch (FITS)');
  const side = el('div', {}, image, el('p', {}, el('strong', {}, id), el('br'), `store ${store}`), stretchControl);
  const body = el('div', {}, el('p', {}, 'Loading…'));
  main.append(el('div', { class: 'galaxy' }, side, body));
  let view: GalaxyView;
  try {
    view = await getJson<GalaxyView>('/api/galaxy', { store, id, k: 8 });
  } catch (e) {
    body.replaceChildren(errorBox(e));
    return;
  }
  body.replaceChildren();
  if (view.predictions.length === 0) body.append(el('p', { class: 'status' }, 'No prediction of this galaxy in the served runs (galmorph predict writes them).'));
  for (const p of view.predictions) body.append(el('h3', {}, `Predicted vote fractions, 90% intervals (${p.run}, ${p.schema})`), predictionTree(p.questions));
  if (view.votes !== null) {
    const votes = el('table', { class: 'tree votes' });
    for (const q of view.votes) {
      votes.append(el('tr', { class: 'question' }, el('td', { colspan: 2 }, q.text)));
      for (const a of q.answers) votes.append(el('tr', {}, el('td', {}, `${a.key} (${a.column})`), el('td', {}, a.value === null ? '–' : String(a.value))));
    }
    body.append(el('h3', {}, 'Volunteers (catalog)'), votes);
  }
  if (view.clusters.length > 0) body.append(el('h3', {}, 'Cluster'), el('ul', {}, ...view.clusters.map((c) => el('li', {}, `${c.run}: ${c.cluster}${c.gamma === null ? '' : ` (γ ${c.gamma.toFixed(2)})`}`))));
  body.append(el('h3', {}, 'Nearest neighbours'), thumbnailStrip(view.store, view.neighbours.map((n) => ({ id: n.id, caption: `d=${n.distance.toFixed(2)}` }))));
}
