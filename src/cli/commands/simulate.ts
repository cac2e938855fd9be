/** `galmorph simulate`: synthetic galaxies with known morphology and simulated volunteer votes, in catalog format. */
import type { Command } from 'commander';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { SIMULATE_FIELDS, simulate } from '../../workflows/simulate/simulate.js';

export function registerSimulateCommand(program: Command): void {
  const cmd = program
    .command('simulate')
    .description('simulate galaxy images with known morphology and Galaxy Zoo volunteer votes (images/, labels.csv, truth.csv, grids/)')
    .addHelpText('after', '\nExample:\n  galmorph simulate --n 20000 --size 64 --schema gz2 --seed 0 --out runs/sim20k\n');
  addFieldOptions(cmd, SIMULATE_FIELDS).action(async () => {
    const r = await simulate({ out: SIMULATE_FIELDS.out.default, ...typedFlags(cmd, SIMULATE_FIELDS) });
    const classes = Object.entries(r.classCounts).filter(([, c]) => c > 0).map(([k, c]) => `${k} ${c}`).join(', ');
    console.log(`${r.n} galaxies (${r.size}×${r.size}, schema ${r.schema}) in ${r.seconds.toFixed(1)} s ` +
      `(${r.galaxiesPerSecond.toFixed(0)} galaxies/s) → ${r.out}`);
    console.log(`classes: ${classes}; mean volunteers ${r.meanVolunteers.toFixed(1)}`);
  });
}
