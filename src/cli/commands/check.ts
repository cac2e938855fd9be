/** `galmorph check`: validate a catalog and its images before a long run. */
import type { Command } from 'commander';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { CHECK_FIELDS, checkCatalog } from '../../workflows/check/checkCatalog.js';

export function registerCheckCommand(program: Command): void {
  const cmd = program
    .command('check')
    .description('validate a catalog (CSV/Parquet or a folder with labels.csv + images/) and decode every image; report bad rows and images')
    .argument('<catalog>', CHECK_FIELDS.catalog.help)
    .addHelpText('after', '\nExample:\n  galmorph check ../shared/data/gz2-kaggle-votes --schema gz2 --crop 0.5 --out runs/check-gz2\n');
  addFieldOptions(cmd, CHECK_FIELDS).action(async (catalog: string) => {
    const r = await checkCatalog({ ...typedFlags(cmd, CHECK_FIELDS), catalog });
    console.log(`${r.rowsUsable} usable galaxies of ${r.rowsRead} rows; ${r.badRows} bad rows, ${r.unlabelledRows} unlabelled rows, ${r.badImages} bad images, ` +
      `${r.warnings} images with NaN/BLANK pixels (labels read as ${r.labelKindReason}) → ${r.out}`);
    if (r.labelProblem !== null) console.log(`labels: ${r.labelProblem}`);
    for (const b of r.bad.slice(0, 10)) console.log(`  ${b.kind}: ${b.reason}`);
    if (r.bad.length > 10) console.log(`  … ${r.bad.length - 10} more in ${r.out}/bad_items.csv`);
    // Exit 2 when a run with the same --on-bad would stop on this catalog.
    if (r.wouldStop) process.exitCode = 2;
  });
}
