/** `galmorph map`: a 2-D map of an embeddings store with galaxy thumbnails; see workflows/map/galaxyMap.ts. */
import type { Command } from 'commander';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { MAP_FIELDS, galaxyMap } from '../../workflows/map/galaxyMap.js';

export function registerMapCommand(program: Command): void {
  const cmd = program
    .command('map')
    .description('a 2-D map of galmorph embed\'s embeddings (UMAP of the PCA components, or PCA) with galaxy thumbnails at their positions, optionally coloured by a catalog column')
    .addHelpText('after', [
      '',
      'Writes into --out: map.png (thumbnails: the galaxy nearest each cell centre of a --cells × --cells grid), map_scatter.svg/.png',
      '(every mapped galaxy), coordinates.csv and coordinates.parquet (id, x, y[, colour column]) for the explorer, results.json,',
      'summary.md, config.json, run.log. UMAP is fitted on at most --max-points galaxies (a seeded sample); --method pca maps all.',
      '',
      'Examples:',
      '  galmorph map --embeddings runs/embed-gz1 --color-by gz1_class_name --out runs/map-gz1',
      '  galmorph map --embeddings runs/embed-gz2 --method pca --color-by Class1.1 --out runs/map-gz2-pca',
      '',
    ].join('\n'));
  addFieldOptions(cmd, MAP_FIELDS, { required: ['embeddings', 'out'] }).action(async () => {
    const given = typedFlags(cmd, MAP_FIELDS);
    const result = await galaxyMap({ ...given, embeddings: given.embeddings ?? '', out: given.out ?? '' });
    console.log(`${result.ids.length} galaxies mapped, ${result.thumbnails} thumbnails: ${result.files.picture ?? result.files.scatter}`);
  });
}
