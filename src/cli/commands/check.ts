/** `galmorph check`: validate a catalog and its images before a long run. */
import type { Command } from 'commander';
import { checkCatalog } from '../../workflows/check/checkCatalog.js';
import { parseInteger, parseNumber } from '../commonOptions.js';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('validate a catalog (CSV/Parquet or a folder with labels.csv + images/) and decode every image; report bad rows and images')
    .argument('<catalog>', 'catalog file or folder')
    .option('--schema <name>', 'gz2 | decals-dr5 | q1 | path to a schema JSON', 'gz2')
    .option('--out <dir>', 'report folder', 'runs/check')
    .option('--no-decode', 'only check that image files exist')
    .option('--size <px>', 'decode size used for the sample grid', (v) => parseInteger(v, '--size', 8), 64)
    .option('--nominal-n <n>', 'volunteers assumed per galaxy when labels are fractions', (v) => parseNumber(v, '--nominal-n', 1), 40)
    .addHelpText('after', '\nExample:\n  galmorph check ../shared/data/gz2-kaggle-votes --schema gz2 --out runs/check-gz2\n')
    .action(async (catalog: string, flags: { schema: string; out: string; decode: boolean; size: number; nominalN: number }) => {
      const r = await checkCatalog({
        catalog,
        schema: flags.schema,
        out: flags.out,
        decode: flags.decode,
        preprocess: { size: flags.size },
        nominalN: flags.nominalN,
      });
      console.log(`${r.rowsUsable} usable galaxies of ${r.rowsRead} rows; ${r.badRows} bad rows, ${r.badImages} bad images → ${r.out}`);
      if (r.badRows + r.badImages > 0) process.exitCode = 2;
    });
}
