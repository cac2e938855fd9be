/**
 * The Label next page: the active-learning queue. A `galmorph predict` run's galaxies by BALD — the mutual information
 * between the votes a galaxy would receive and the model's weights, from its MC-dropout passes (predict's `bald`
 * column: the sum over questions) — highest first, with thumbnails and the question that contributes most; galaxies
 * the catalog already has votes for can be left out; the whole queue downloads as CSV. Below, each active-learn
 * run's rounds: how many labels it trained on, its error, and the galaxies each round acquired.
 */
import type { ActiveLearnView, LabelNextView, RunsView } from '../explorer.js';
import { el, errorBox, fileUrl, getJson, select, thumbnailStrip } from './dom.js';

export async function labelNextPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const runs = await getJson<RunsView>('/api/runs');
  const predicts = runs.runs.filter((r) => r.command === 'predict').map((r) => r.name);
  const learns = runs.runs.filter((r) => r.command === 'active-learn').map((r) => r.name);
  if (predicts.length === 0) {
    main.append(el('p', {}, 'No predict run in the served folder: make one with galmorph predict --model gz2 --catalog CATALOG --passes 15 --out DIR/predict (it writes each galaxy\'s BALD).'));
  } else {
    const name = query.get('run') ?? predicts[0];
    const exclude = query.get('exclude_voted') === 'true';
    const go = (run: string, ex: boolean) => (location.hash = `#/label-next?${new URLSearchParams({ run, exclude_voted: String(ex) })}`);
    const box = el('input', { type: 'checkbox', checked: exclude, 'aria-label': 'leave out voted', onchange: () => go(name, box.checked) });
    const csv = `/api/label-next.csv?${new URLSearchParams({ run: name, exclude_voted: String(exclude) })}`;
    main.append(el('div', { class: 'controls' }, select(predicts, name, (v) => go(v, exclude), 'predict run'),
      el('label', {}, box, ' leave out galaxies the catalog has votes for'),
      el('a', { href: csv, download: '', 'data-csv': 'true' }, 'download the whole queue (CSV)')));
    try {
      const view = await getJson<LabelNextView>('/api/label-next', { run: name, exclude_voted: String(exclude), limit: 60 });
      const votes = view.voted === null ? `Votes unknown: ${view.votesReason ?? ''}.` : `${view.voted} of them already have votes${view.excludeVoted ? ', left out here' : ''}.`;
      main.append(el('p', { class: 'status', 'data-galaxies': view.galaxies },
        `${view.galaxies} galaxies of ${view.run} by BALD (mutual information between a galaxy's votes and the model's weights, nats, summed over ${view.questions.length} question(s)): label the first first. ${votes}`));
      const items = view.queue.map((g) => ({ id: g.id, caption: `#${g.rank} ${g.bald.toFixed(3)}${g.question === '' ? '' : ` · ${g.question} ${g.questionBald.toFixed(3)}`}${g.voted ? ' · voted' : ''}` }));
      main.append(view.store === null
        ? el('ol', { class: 'queue' }, ...items.map((it) => el('li', {}, `${it.id}: ${it.caption}`)))
        : thumbnailStrip(view.store, items));
    } catch (e) {
      main.append(errorBox(e));
    }
  }
  for (const run of learns) {
    main.append(el('h2', {}, `Active learning: ${run}`));
    try {
      const view = await getJson<ActiveLearnView>('/api/active-learn', { run });
      for (const r of view.rounds) {
        main.append(el('h3', { 'data-round': `${r.acquisition}-${r.round}` },
          `${r.acquisition}, round ${r.round}: trained on ${r.labels} labels, RMSE ${Number.isFinite(r.rmse) ? r.rmse.toFixed(3) : '–'}; acquired ${r.acquired.length === 0 && r.grid === null ? 'none' : r.acquired.length > 0 ? r.acquired.length : '(see the grid)'}`));
        if (r.acquired.length > 0) main.append(el('p', { class: 'status' }, r.acquired.map((a) => `${a.id} (${a.bald.toFixed(3)})`).join(', ')));
        if (r.grid !== null) main.append(el('div', { class: 'figures' }, el('img', { src: fileUrl(r.grid), alt: `${r.acquisition} round ${r.round}`, loading: 'lazy' })));
      }
      if (!view.hasAcquisitionTable) main.append(el('p', { class: 'status' }, 'This run has no acquisitions.csv (made before it was written): the grids show the first 16 galaxies of each round.'));
    } catch (e) {
      main.append(errorBox(e));
    }
  }
}
