/** `galmorph predict`: MC-dropout predictions of one model or an ensemble for a catalog; see workflows/predict/predict.ts. */
import type { Command } from 'commander';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { addFieldOptions, typedFlags } from '../../util/fields.js';
import { PREDICT_FIELDS, predict } from '../../workflows/predict/predict.js';
import { COMPUTE_FIELDS } from '../../workflows/commonFields.js';

const BACKEND = { backend: COMPUTE_FIELDS.backend };

export function registerPredictCommand(program: Command): void {
  const cmd = program
    .command('predict')
    .description('vote fractions, 90% intervals, P(asked) and expected votes from T MC-dropout passes (several --model = ensemble)')
    .addHelpText('after', '\nExample:\n  galmorph predict --model gz2 --catalog ../shared/data/gz2-kaggle-unlabelled --out runs/predict-gz2\n');
  addFieldOptions(cmd, PREDICT_FIELDS, { required: ['models', 'catalog', 'out'] });
  addFieldOptions(cmd, BACKEND).action(async () => {
    await initBackend({ backend: typedFlags(cmd, BACKEND).backend ?? '', source: '--backend' });
    console.log(describeBackend());
    const given = typedFlags(cmd, PREDICT_FIELDS);
    const result = await predict({ ...given, models: given.models ?? [], catalog: given.catalog ?? '', out: given.out ?? '' });
    console.log(`${result.galaxies} galaxies: ${result.files.friendlyCsv}, ${result.files.fullCsv} (+ Parquet)`);
  });
}
