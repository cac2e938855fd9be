/**
 * The Runs page: every run folder of the served folder by the job that wrote it; a run shows its summary.md and its
 * figures (cluster reconstructions, generated galaxies and interpolation routes, maps …) and links to its CSV tables.
 * Experiments (Table 1, active learning) have their own page too, with their tables shown.
 */
import type { RunsView } from '../explorer.js';
import { el, errorBox, figureGallery, fileUrl, getJson } from './dom.js';

interface RunFiles {
  name: string;
  command: string;
  summary: string | null;
  figures: string[];
  tables: string[];
}

export async function runsPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const runs = await getJson<RunsView>('/api/runs');
  const byCommand = new Map<string, string[]>();
  for (const r of runs.runs) byCommand.set(r.command, [...(byCommand.get(r.command) ?? []), r.name]);
  const list = el('div', {}, ...[...byCommand.entries()].map(([command, names]) => el('p', {}, el('strong', {}, `${command}: `),
    ...names.flatMap((n) => [el('a', { href: `#/runs?${new URLSearchParams({ run: n })}` }, n), ' ']))));
  main.append(list);
  const name = query.get('run');
  if (name === null) return;
  try {
    const run = await getJson<RunFiles>('/api/run', { run: name });
    main.append(el('h2', {}, `${run.name} (${run.command})`),
      run.tables.length > 0 ? el('p', {}, 'Tables: ', ...run.tables.flatMap((t) => [el('a', { href: fileUrl(t) }, t.split('/').pop() as string), ' '])) : '',
      run.summary === null ? el('p', { class: 'status' }, 'no summary.md') : el('pre', { class: 'summary' }, run.summary),
      figureGallery(run.figures));
  } catch (e) {
    main.append(errorBox(e));
  }
}
