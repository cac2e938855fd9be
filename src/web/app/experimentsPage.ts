/**
 * The Experiments page: the reports of `galmorph experiment table1` and `galmorph active-learn` runs — the main
 * tables (Table 1's results, the learning curves and label savings) as tables, the summary and the figures (error
 * against labels, learning curves, calibration, acquired-galaxy grids), with every CSV for download.
 */
import type { ExperimentView, RunsView } from '../explorer.js';
import { el, errorBox, figureGallery, fileUrl, getJson, select } from './dom.js';

/** A number cell shortened for reading (the CSV keeps full precision). */
function cell(v: string): string {
  const x = Number(v);
  return v.trim() !== '' && Number.isFinite(x) && !Number.isInteger(x) ? x.toPrecision(4) : v;
}

export async function experimentsPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const runs = await getJson<RunsView>('/api/runs');
  if (runs.experiments.length === 0) {
    main.append(el('p', {}, 'No experiment in the served folder: make one with galmorph experiment table1 or galmorph active-learn (--out inside it).'));
    return;
  }
  const name = query.get('run') ?? runs.experiments[0];
  main.append(el('div', { class: 'controls' }, select(runs.experiments, name, (v) => (location.hash = `#/experiments?${new URLSearchParams({ run: v })}`), 'experiment')));
  let view: ExperimentView;
  try {
    view = await getJson<ExperimentView>('/api/experiment', { run: name });
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  main.append(el('h2', {}, `${view.name} (${view.command})`));
  for (const t of view.tables) {
    main.append(el('h3', {}, el('a', { href: fileUrl(t.file) }, t.file.split('/').pop() as string), t.truncated ? ' (first rows)' : ''),
      el('table', { class: 'data', 'data-table': t.file.split('/').pop() },
        el('tr', {}, ...t.header.map((h) => el('th', {}, h))),
        ...t.rows.map((r) => el('tr', {}, ...r.map((v) => el('td', {}, cell(v)))))));
  }
  main.append(figureGallery(view.figures, undefined, 'figures grid'));
  if (view.summary !== null) main.append(el('h3', {}, 'summary.md'), el('pre', { class: 'summary' }, view.summary));
  const others = view.files.filter((f) => !view.tables.some((t) => t.file === f));
  if (others.length > 0) main.append(el('p', {}, 'Other tables: ', ...others.flatMap((f) => [el('a', { href: fileUrl(f) }, f.split('/').slice(1).join('/')), ' '])));
}
