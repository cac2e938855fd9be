/** `galmorph serve DIR`: the explorer (a web page over a folder of run folders); see web/serve.ts. */
import type { Command } from 'commander';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { COMPUTE_FIELDS } from '../../workflows/commonFields.js';
import { SERVE_FIELDS, serve } from '../../web/serve.js';

const BACKEND = { backend: COMPUTE_FIELDS.backend };

export function registerServeCommand(program: Command): void {
  const cmd = program
    .command('serve')
    .argument('<dir>', 'folder of run folders (embed, map, predict, cluster, experiment runs …)')
    .description('the explorer: a web page over a folder of runs — map, galaxy, search (in-browser gz2 inference), anomalies, clusters, label next, experiments, runs')
    .addHelpText('after', [
      '',
      'Pages: Map (every mapped galaxy on a canvas, thumbnails where they fit, zoom/pan, colour by a column), Galaxy (image,',
      'predicted vote fractions with 90% intervals down the decision tree greyed by P(asked), votes, neighbours, cluster),',
      'Search (by id, or drop a PNG/JPEG: gz2 predicts in the browser, the server finds the most similar galaxies),',
      'Anomalies (rate 0–5; the expected-improvement loop of galmorph anomalies; ratings saved as they arrive, resumed after',
      'a restart; the GP fits run in a worker thread), Clusters (a cluster run\'s clusters with their most confident galaxies,',
      'the overlap heatmap), Label next (a predict run\'s galaxies by BALD, highest first, optionally without those the catalog',
      'has votes for, downloadable as CSV; an active-learn run\'s acquisitions per round), Experiments (Table 1 and',
      'active-learning reports: tables, figures, summary) and Runs (summaries, figures and tables of every run).',
      'Label next needs a predict run with BALD columns (galmorph predict --bald), e.g.',
      '  galmorph predict --model gz2 --catalog CATALOG --passes 15 --bald --out runs/predict',
      'The folder is served read-only; only the ratings are written (--ratings-dir). Listens on 127.0.0.1 unless',
      '--host and --allow-remote say otherwise. The page loads nothing from any other server.',
      '',
      'Examples:',
      '  galmorph serve runs                       # then open http://127.0.0.1:8080/',
      '  galmorph serve runs --port 9000 --ratings-dir my-ratings',
      '',
    ].join('\n'));
  addFieldOptions(cmd, SERVE_FIELDS);
  addFieldOptions(cmd, BACKEND).action(async (dir: string) => {
    const given = typedFlags(cmd, SERVE_FIELDS);
    await initBackend({ backend: typedFlags(cmd, BACKEND).backend ?? '', source: '--backend' });
    console.log(describeBackend());
    const running = await serve({ ...given, dir });
    // The listening server keeps the process alive; Ctrl-C ends it (every rating is already on disk).
    console.log(`galmorph explorer on ${running.url} (serving ${dir}; Ctrl-C stops)`);
  });
}
