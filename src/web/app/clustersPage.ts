/**
 * The Clusters page: a `galmorph cluster` run's clusters by size, each with its most confident galaxies (highest
 * responsibility γ, linking to their Galaxy pages), the overlap matrix as a heatmap (mean γ of each cluster over the
 * galaxies assigned to each cluster), then the run's own figures (reconstructions, Galaxy Zoo fractions per cluster;
 * a `galmorph generate` run's synthetic galaxies and interpolation routes are on the Runs page).
 */
import { viridis } from '../../report/palette.js';
import type { ClustersView, RunsView } from '../explorer.js';
import { el, errorBox, getJson, select, thumbnailStrip } from './dom.js';

export async function clustersPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const runs = await getJson<RunsView>('/api/runs');
  const names = runs.runs.filter((r) => r.command === 'cluster').map((r) => r.name);
  if (names.length === 0) {
    main.append(el('p', {}, 'No cluster run in the served folder: make one with galmorph cluster --out DIR/CLUSTERS.'));
    return;
  }
  const name = query.get('run') ?? names[0];
  main.append(el('div', { class: 'controls' }, select(names, name, (v) => (location.hash = `#/clusters?${new URLSearchParams({ run: v })}`), 'cluster run'),
    el('a', { href: `#/runs?${new URLSearchParams({ run: name })}` }, 'figures and summary')));
  let view: ClustersView;
  try {
    view = await getJson<ClustersView>('/api/clusters', { run: name, top: 12 });
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  if (view.overlap !== null) {
    const table = el('table', { class: 'tree heatmap' }, el('tr', {}, el('td', {}), ...view.overlap.names.map((n) => el('td', {}, n))));
    view.overlap.values.forEach((row, a) => {
      table.append(el('tr', {}, el('td', {}, (view.overlap as NonNullable<ClustersView['overlap']>).names[a]), ...row.map((v) => {
        // null: no galaxy was assigned to this row's cluster (an empty component of the mixture)
        const cell = el('td', { title: v === null ? 'no galaxy assigned to this cluster' : v.toFixed(3) }, v === null ? '–' : v.toFixed(2));
        const [r, g, b] = viridis(v === null ? 0 : Math.min(1, Math.max(0, v)));
        cell.style.background = `rgb(${r},${g},${b})`;
        cell.style.color = v !== null && v > 0.6 ? '#000' : '#fff';
        return cell;
      })));
    });
    main.append(el('h3', {}, 'Overlap: mean responsibility of cluster k (columns) over the galaxies assigned to each cluster (rows)'), table);
  }
  for (const c of view.clusters) {
    main.append(el('h3', { 'data-cluster': c.cluster }, `${c.cluster}: ${c.galaxies} galaxies`));
    main.append(view.store === null
      ? el('p', { class: 'status' }, `${c.top.map((t) => t.id).join(', ')} (no embeddings store holds these galaxies: no pictures)`)
      : thumbnailStrip(view.store, c.top.map((t) => ({ id: t.id, caption: `γ ${t.gamma.toFixed(2)}` }))));
  }
}
