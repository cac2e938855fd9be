/** `galmorph embed`: an embeddings store (Parquet shards + PCA) for a catalog; see workflows/embed/embed.ts. */
import type { Command } from 'commander';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { EMBED_FIELDS, embed } from '../../workflows/embed/embed.js';
import { COMPUTE_FIELDS } from '../../workflows/commonFields.js';

const BACKEND = { backend: COMPUTE_FIELDS.backend };

export function registerEmbedCommand(program: Command): void {
  const cmd = program
    .command('embed')
    .description('a vector per galaxy from a trained encoder (or an untrained network / raw pixels as baselines), streamed into Parquet shards, with a PCA saved for projecting new galaxies')
    .addHelpText('after', [
      '',
      'Writes into --out: manifest.json, shards/part-NNNNN.parquet (columns id, e0 … e{d-1} as float32) each with its receipt',
      '(part-NNNNN.done.json: rows, bytes, SHA-256), pca.json, pca_variance.csv/.svg/.png, config.json, results.json, summary.md, run.log.',
      'The catalog (CSV, Parquet or a virtual sim:<count>) is streamed shard by shard: memory stays flat. After a crash or kill -9,',
      'the same command makes only the missing shards; other settings for the same --out are refused unless --restart.',
      '',
      'Examples:',
      '  galmorph embed --catalog ../shared/data/gz1-sdss-classes --model gz2 --out runs/embed-gz1',
      '  galmorph embed --catalog ../shared/data/gz1-sdss-classes --representation pixels --out runs/embed-gz1-pixels',
      '  galmorph embed --catalog sim:100000,seed=1 --model gz2 --shard-size 10000 --out runs/embed-sim100k',
      '',
    ].join('\n'));
  addFieldOptions(cmd, EMBED_FIELDS, { required: ['catalog', 'out'] });
  addFieldOptions(cmd, BACKEND).action(async () => {
    await initBackend({ backend: typedFlags(cmd, BACKEND).backend ?? '', source: '--backend' });
    console.log(describeBackend());
    const given = typedFlags(cmd, EMBED_FIELDS);
    const result = await embed({ ...given, catalog: given.catalog ?? '', out: given.out ?? '' });
    console.log(`${result.galaxies} galaxies × ${result.dimension} dimensions in ${result.manifest.shards.length} shard(s) (${result.shardsDoneBefore} done before): ${given.out}; ` +
      `${result.galaxiesPerSecond === null ? 'no shard made' : `${result.galaxiesPerSecond.toFixed(1)} galaxies/s`}, peak RSS ${result.peakRssMb} MB`);
  });
}
