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
    .addHelpText('after', `\n${presetHelp(ACTIVE_LEARN_PRESET_NAMES, ACTIVE_LEARN_PRESETS)}\n\nExamples:\n  galmorph active-learn --preset quick --simulate 900 --out runs/al-quick\n  galmorph active-learn --preset standard --out runs/al-standard   (3 seeds, label saving with a 95% CI; --resume keeps finished seeds)\n\nCalibration: every round reports the test coverage error within ±0.2 vote fraction of the model's own MC-dropout\npredictive and (--calibrate validation, the default) of the predictive widened by one over-dispersion scalar fitted\nto the validation galaxies' votes (never the test galaxies); BALD and the acquisitions always use the model's own.\n\n${interruptHelp('none')}`);
  addFieldOptions(cmd, ACTIVE_LEARN_FIELDS, { required: ['out'] }).action(async () => {
    // Only flags the user typed (or $GALMORPH_BACKEND) override the preset; the rest fall to the preset, then the defaults.
    const given = typedFlags(cmd, ACTIVE_LEARN_FIELDS);
    const workers = given.workers ?? ACTIVE_LEARN_FIELDS.workers.default;
    const { backend } = await initBackend({ backend: given.backend ?? '', source: '--backend', threads: workers });
    const result = await activeLearn({ ...given, backend, workers, out: given.out ?? '' });
    console.log(`active learning done in ${result.seconds.toFixed(0)} s: ${result.out}/summary.md`);
  });
}
