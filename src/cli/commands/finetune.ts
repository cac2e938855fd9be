/** `galmorph finetune`: a new classifier from few labels on a pretrained encoder; see workflows/finetune/finetune.ts. */
import type { Command } from 'commander';
import { initBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { FINETUNE_FIELDS, finetune } from '../../workflows/finetune/finetune.js';

export function registerFinetuneCommand(program: Command): void {
  const cmd = program
    .command('finetune')
    .description('fine-tune a pretrained encoder (default: the shipped gz2 model) to the classes of a catalog column: new head on the frozen encoder, then upper blocks unfrozen at a lower rate, early stopping; --from-scratch trains the same network from random weights; --labels gives the curve against labels, fine-tuned vs from scratch')
    .addHelpText('after', '\nExamples:\n' +
      '  galmorph finetune --data ../shared/data/gz1-sdss-classes --label-column gz1_class_name \\\n' +
      '    --classes elliptical,spiral=spiral_clockwise+spiral_anticlockwise,edge_on,merger --out runs/ft\n' +
      '  galmorph predict --model runs/ft/model --catalog DIR --out DIR      (class probabilities with 90% MC-dropout intervals)\n' +
      '  galmorph finetune --data ../shared/data/gz1-sdss-classes --label-column gz1_class_name --labels 25,50,100,200 --seeds 3 --out runs/ft-curve\n');
  addFieldOptions(cmd, FINETUNE_FIELDS, { required: ['data', 'labelColumn', 'out'] }).action(async () => {
    const given = typedFlags(cmd, FINETUNE_FIELDS);
    const workers = given.workers ?? FINETUNE_FIELDS.workers.default;
    const { backend } = await initBackend({ backend: given.backend ?? '', source: '--backend', threads: workers });
    const result = await finetune({ ...given, backend, workers, data: given.data ?? '', labelColumn: given.labelColumn ?? '', out: given.out ?? '' });
    for (const r of result.runs) {
      console.log(`${r.method} ${r.labels} labels seed ${r.seed}: test accuracy ${r.test.accuracy.toFixed(3)}, balanced ${r.test.balancedAccuracy.toFixed(3)}, log loss ${r.test.logLoss.toFixed(3)}`);
    }
    console.log(result.model === null ? `curve: ${result.out}/curve.csv; report: ${result.out}/summary.md`
      : `model (classes ${result.classNames.join(', ')}): ${result.model} (galmorph predict --model ${result.model} --catalog DIR --out DIR); report: ${result.out}/summary.md`);
  });
}
