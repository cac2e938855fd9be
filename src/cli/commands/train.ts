/** `galmorph train`: train and save a standalone Bayesian CNN on a labelled catalog; see workflows/train/trainBayesianCnn.ts. */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { TRAIN_FIELDS, trainBayesianCnn } from '../../workflows/train/trainBayesianCnn.js';
import { TRAIN_PRESETS, TRAIN_PRESET_NAMES } from '../../workflows/train/trainBayesianCnnPresets.js';
import { presetHelp } from '../presetHelp.js';
import { interruptHelp } from '../interruptHelp.js';

export function registerTrainCommand(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a Bayesian CNN (MC dropout) on a labelled catalog; keeps the best-validation model in OUT/model for `galmorph predict`')
    .addHelpText('after', `\n${presetHelp(TRAIN_PRESET_NAMES, TRAIN_PRESETS)}\n\nExample:\n  galmorph train --preset gz2 --data ../shared/data/gz2-kaggle-votes --max-seconds 600 --out runs/gz2\n\n${interruptHelp('step')}`);
  addFieldOptions(cmd, TRAIN_FIELDS, { required: ['data', 'out'] }).action(async () => {
    // Only flags the user typed (or $GALMORPH_BACKEND) override the preset; the rest fall to the preset, then the defaults.
    const given = typedFlags(cmd, TRAIN_FIELDS);
    const workers = given.workers ?? TRAIN_FIELDS.workers.default;
    const { backend } = await initBackend({ backend: given.backend ?? '', source: '--backend', threads: workers });
    const result = await trainBayesianCnn({ ...given, backend, workers, data: given.data ?? '', out: given.out ?? '' });
    const root = result.test.perQuestion[0];
    console.log(`trained ${result.history.length} epochs (best ${result.bestEpoch}); test ${root.question} sum-abs ${root.sumAbs.toFixed(4)}, RMSE ${root.rmse.toFixed(4)}; ` +
      `all answers RMSE ${result.test.rmse.toFixed(4)}, MAE ${result.test.mae.toFixed(4)}`);
    console.log(`model: ${result.model} (galmorph predict --model ${result.model} --catalog DIR --out DIR); report: ${result.out}/summary.md`);
  });
}
