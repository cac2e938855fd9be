/**
 * `galmorph active-learn`: BALD (or entropy) vs random acquisition with a Bayesian CNN; see
 * workflows/activeLearning/activeLearn.ts. The flags come from ACTIVE_LEARN_FIELDS; a preset (quick | paper | standard) fills
 * what the user did not type; config.json is the resolved set.
 */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { ACTIVE_LEARN_FIELDS, activeLearn } from '../../workflows/activeLearning/activeLearn.js';
import { ACTIVE_LEARN_PRESETS, ACTIVE_LEARN_PRESET_NAMES } from '../../workflows/activeLearning/activeLearnPresets.js';
import { presetHelp } from '../presetHelp.js';
import { interruptHelp } from '../interruptHelp.js';

export function registerActiveLearnCommand(program: Command): void {
  const cmd = program
    .command('active-learn')
    .description('active learning with a Bayesian CNN: acquire galaxies by BALD vs at random, score error vs labels and calibration')
    .addHelpText('after', `\n${presetHelp(ACTIVE_LEARN_PRESET_NAMES, ACTIVE_LEARN_PRESETS)}\n\nExamples:\n  galmorph active-learn --preset quick --simulate 900 --out runs/al-quick\n  galmorph active-learn --preset standard --out runs/al-standard   (3 seeds, label saving with a 95% CI; --resume keeps finished seeds)\n\n${interruptHelp('none')}`);
  addFieldOptions(cmd, ACTIVE_LEARN_FIELDS, { required: ['out'] }).action(async () => {
    // Only flags the user typed (or $GALMORPH_BACKEND) override the preset; the rest fall to the preset, then the defaults.
    const given = typedFlags(cmd, ACTIVE_LEARN_FIELDS);
    const workers = given.workers ?? ACTIVE_LEARN_FIELDS.workers.default;
    const { backend } = await initBackend({ backend: given.backend ?? '', source: '--backend', threads: workers });
    const result = await activeLearn({ ...given, backend, workers, out: given.out ?? '' });
    console.log(`active learning done in ${result.seconds.toFixed(0)} s: ${result.out}/summary.md`);
  });
}
