/** `galmorph generate`: synthetic galaxies per cluster from a trained AstroVaDEr; see workflows/generate/generate.ts. */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { GENERATE_FIELDS, generate } from '../../workflows/generate/generate.js';

export function registerGenerateCommand(program: Command): void {
  const cmd = program
    .command('generate')
    .description('synthetic galaxies from a `galmorph cluster` model: draws per cluster (grid + a catalog other commands read), an interpolation between cluster exemplars along the shortest route, a latent traversal grid')
    .addHelpText('after', '\nExample:\n  galmorph generate --model runs/vade-gz2 --per-cluster 16 --out runs/vade-gz2-generated\n');
  addFieldOptions(cmd, GENERATE_FIELDS, { required: ['model', 'out'] }).action(async () => {
    const given = typedFlags(cmd, GENERATE_FIELDS);
    await initBackend({ backend: '', source: '--backend', threads: 1 });
    const r = await generate({ ...given, model: given.model ?? '', out: given.out ?? '' });
    console.log(`generated ${r.galaxies} galaxies from ${r.clusters} clusters in ${r.seconds.toFixed(1)} s → ${r.out} (catalog: ${r.catalog})`);
  });
}
