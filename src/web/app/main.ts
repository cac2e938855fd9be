/**
 * The explorer's front end (bundled into explorer.js by scripts/buildBrowser.mjs): a hash router over the pages.
 * Everything it loads comes from the server that served it (the Content-Security-Policy enforces that).
 */
import { anomaliesPage } from './anomaliesPage.js';
import { clustersPage } from './clustersPage.js';
import { el, errorBox } from './dom.js';
import { experimentsPage } from './experimentsPage.js';
import { galaxyPage } from './galaxyPage.js';
import { labelNextPage } from './labelNextPage.js';
import { mapPage } from './mapPage.js';
import { runsPage } from './runsPage.js';
import { searchPage } from './searchPage.js';

type Page = (main: HTMLElement, query: URLSearchParams) => Promise<void>;

const PAGES: Record<string, { title: string; page: Page; nav: boolean }> = {
  map: { title: 'Map', page: mapPage, nav: true },
  search: { title: 'Search', page: searchPage, nav: true },
  anomalies: { title: 'Anomalies', page: anomaliesPage, nav: true },
  clusters: { title: 'Clusters', page: clustersPage, nav: true },
  'label-next': { title: 'Label next', page: labelNextPage, nav: true },
  experiments: { title: 'Experiments', page: experimentsPage, nav: true },
  runs: { title: 'Runs', page: runsPage, nav: true },
  galaxy: { title: 'Galaxy', page: galaxyPage, nav: false },
};

/** State the browser tests read (the map view, the last in-browser prediction, whether a page finished). */
const state: Record<string, unknown> = { ready: false };
(window as unknown as { galmorphExplorer: Record<string, unknown> }).galmorphExplorer = state;

async function route(): Promise<void> {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  const name = path in PAGES ? path : 'map';
  const nav = document.getElementById('nav') as HTMLElement;
  nav.replaceChildren(...Object.entries(PAGES).filter(([, p]) => p.nav).map(([key, p]) => el('a', { href: `#/${key}`, class: key === name ? 'active' : undefined }, p.title)));
  const main = document.getElementById('main') as HTMLElement;
  main.replaceChildren();
  state.ready = false;
  state.page = name;
  try {
    await PAGES[name].page(main, new URLSearchParams(search ?? ''));
  } catch (e) {
    main.append(errorBox(e));
  }
  state.ready = true;
}

window.addEventListener('hashchange', () => void route());
void route();
