/** `galmorph simulate`: synthetic galaxies with known morphology and simulated volunteer votes, in catalog format. */
import type { Command } from 'commander';
import { simulate } from '../../workflows/simulate/simulate.js';
import { BUILTIN_SCHEMAS, type BuiltinSchemaName } from '../../data/schemas/index.js';
import { OptionError } from '../../util/errors.js';
import { parseInteger, parseNumber } from '../commonOptions.js';

interface SimulateFlags {
  n: number;
  size: number;
  schema: string;
  seed: number;
  out: string;
  minVolunteers: number;
  maxVolunteers: number;
  snrMin: number;
  snrMax: number;
  grid: number;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('simulate galaxy images with known morphology and Galaxy Zoo volunteer votes (images/, labels.csv, truth.csv, grids/)')
    .option('--n <count>', 'number of galaxies', (v) => parseInteger(v, '--n', 1), 1000)
    .option('--size <px>', 'image width and height in pixels', (v) => parseInteger(v, '--size', 16), 64)
    .option('--schema <name>', `decision tree the volunteers answer: ${BUILTIN_SCHEMAS.join(' | ')}`, 'gz2')
    .option('--seed <n>', 'random seed (same seed → identical images and votes)', (v) => parseInteger(v, '--seed', 0), 0)
    .option('--out <dir>', 'output folder', 'runs/simulated')
    .option('--min-volunteers <n>', 'fewest volunteers per galaxy', (v) => parseInteger(v, '--min-volunteers', 1), 5)
    .option('--max-volunteers <n>', 'most volunteers per galaxy', (v) => parseInteger(v, '--max-volunteers', 1), 60)
    .option('--snr-min <x>', 'lowest signal-to-noise drawn (log-uniform)', (v) => parseNumber(v, '--snr-min', 0.1), 8)
    .option('--snr-max <x>', 'highest signal-to-noise drawn', (v) => parseNumber(v, '--snr-max', 0.1), 800)
    .option('--grid <tiles>', 'tiles per class image grid (0: none)', (v) => parseInteger(v, '--grid', 0), 64)
    .addHelpText('after', '\nExample:\n  galmorph simulate --n 20000 --size 64 --schema gz2 --seed 0 --out runs/sim20k\n')
    .action(async (flags: SimulateFlags) => {
      if (!(BUILTIN_SCHEMAS as readonly string[]).includes(flags.schema)) {
        throw new OptionError('--schema', BUILTIN_SCHEMAS.join(' | '), flags.schema);
      }
      const r = await simulate({
        n: flags.n,
        size: flags.size,
        schema: flags.schema as BuiltinSchemaName,
        seed: flags.seed,
        out: flags.out,
        minVolunteers: flags.minVolunteers,
        maxVolunteers: flags.maxVolunteers,
        snrRange: [flags.snrMin, flags.snrMax],
        gridTiles: flags.grid,
      });
      const classes = Object.entries(r.classCounts).filter(([, c]) => c > 0).map(([k, c]) => `${k} ${c}`).join(', ');
      console.log(`${r.n} galaxies (${r.size}×${r.size}, schema ${r.schema}) in ${r.seconds.toFixed(1)} s ` +
        `(${r.galaxiesPerSecond.toFixed(0)} galaxies/s) → ${r.out}`);
      console.log(`classes: ${classes}; mean volunteers ${r.meanVolunteers.toFixed(1)}`);
    });
}
