/** `galmorph similar`: nearest neighbours in an embeddings store's PCA space, or its evaluation; see workflows/similar/similar.ts. */
import type { Command } from 'commander';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { SIMILAR_FIELDS, similar } from '../../workflows/similar/similar.js';
import { COMPUTE_FIELDS } from '../../workflows/commonFields.js';

const BACKEND = { backend: COMPUTE_FIELDS.backend };

export function registerSimilarCommand(program: Command): void {
  const cmd = program
    .command('similar')
    .description('nearest neighbours of galaxies (--id, --ids FILE or an outside --image) in the PCA space of galmorph embed\'s embeddings; --evaluate scores the space against class labels')
    .addHelpText('after', [
      '',
      'Writes into --out: neighbours.csv (query_id,rank,id,distance), neighbours.png (each query, then its neighbours with',
      'distances), results.json (method, HNSW recall vs exact, timings, peak memory), summary.md, config.json, run.log.',
      'Exact search streams the shards (flat memory); beyond --exact-limit galaxies an HNSW index (usearch) is built once',
      'and cached in the embeddings folder (index/), and its recall@k against exact search is measured and reported.',
      '',
      'Examples:',
      '  galmorph similar --embeddings runs/embed-gz1 --id 588848901526192251 --out runs/similar-one',
      '  galmorph similar --embeddings runs/embed-gz1 --ids my_ids.txt --k 8 --out runs/similar-many',
      '  galmorph similar --embeddings runs/embed-gz1 --image galaxy.jpeg --out runs/similar-image',
      '  galmorph similar --embeddings runs/embed-gz1 --evaluate --label-column gz1_class_name --out runs/similar-eval',
      '  galmorph similar --embeddings runs/embed-gz2 --evaluate --label-column Class1.2,Class2.1 --label-threshold 0.5 --out runs/similar-eval-gz2',
      '',
    ].join('\n'));
  addFieldOptions(cmd, SIMILAR_FIELDS, { required: ['embeddings', 'out'] });
  addFieldOptions(cmd, BACKEND).action(async () => {
    const given = typedFlags(cmd, SIMILAR_FIELDS);
    if (given.image !== undefined && given.image !== null) {
      await initBackend({ backend: typedFlags(cmd, BACKEND).backend ?? '', source: '--backend' });
      console.log(describeBackend());
    }
    const result = await similar({ ...given, embeddings: given.embeddings ?? '', out: given.out ?? '' });
    if (result.evaluation !== null) {
      for (const c of result.evaluation.columns) console.log(`${c.column}: macro precision@${given.k ?? 8} ${c.macroPrecision.toFixed(3)}, macro nDCG ${c.macroNdcg.toFixed(3)} (chance ${c.macroChance.toFixed(3)})`);
    } else {
      console.log(`${result.queries.length} quer${result.queries.length === 1 ? 'y' : 'ies'} → ${result.neighbours.length} neighbours (${result.search?.method}): ${given.out}/neighbours.csv`);
    }
  });
}
