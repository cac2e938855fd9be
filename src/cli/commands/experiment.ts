/**
 * `galmorph experiment table1`: the ET-VAE paper's Table 1 (supervised, two-step, alternating, M1, plain CNN at
 * several numbers of labels) on a catalog or on simulated galaxies; see workflows/table1/table1.ts. The flags come
 * from TABLE1_FIELDS; a preset (quick | paper | standard) fills what the user did not type; config.json is the resolved set.
 */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { runTable1, TABLE1_FIELDS } from '../../workflows/table1/table1.js';
import { TABLE1_PRESETS, TABLE1_PRESET_NAMES } from '../../workflows/table1/table1Presets.js';
import { presetHelp } from '../presetHelp.js';
import { interruptHelp } from '../interruptHelp.js';

export function registerExperimentCommand(program: Command): void {
  const experiment = program.command('experiment').description('reproduce the experiments of the papers galmorph implements');
  const table1 = experiment
    .command('table1')
    .description('ET-VAE Table 1: supervised vs two-step vs alternating (+ M1, plain CNN) at several label counts')
    .addHelpText('after', `\n${presetHelp(TABLE1_PRESET_NAMES, TABLE1_PRESETS)}\n\nExamples:\n  galmorph experiment table1 --preset quick --out runs/table1-quick\n  galmorph experiment table1 --preset standard --data ../shared/data/gz2-kaggle-votes --unlabelled ../shared/data/gz2-kaggle-unlabelled --out runs/table1-standard\n  (the same command with --resume continues a stopped run; finished cells are kept)\n\n${interruptHelp('cell')}`);
  addFieldOptions(table1, TABLE1_FIELDS).action(async () => {
    // Only flags the user typed (or $GALMORPH_BACKEND) override the preset; the rest fall to the preset, then the defaults.
    const given = typedFlags(table1, TABLE1_FIELDS);
    const workers = given.workers ?? TABLE1_FIELDS.workers.default;
    const { backend } = await initBackend({ backend: given.backend ?? '', source: '--backend', threads: workers });
    const result = await runTable1({ ...given, backend, workers, commandLine: `galmorph ${process.argv.slice(2).join(' ')}` });
    console.log(result.summary);
    console.log(`run folder: ${result.out}`);
  });
}
