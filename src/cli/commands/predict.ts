/** `galmorph predict`: MC-dropout predictions of one model or an ensemble for a catalog; see workflows/predict.ts. */
import type { Command } from 'commander';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { parseInteger, parseNumber } from '../commonOptions.js';
import { predict } from '../../workflows/predict/predict.js';

interface Flags {
  model: string[];
  catalog: string;
  out: string;
  passes: number;
  votes: number;
  askedThreshold: number;
  seed: number;
  backend?: string;
}

export function registerPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('vote fractions, 90% intervals, P(asked) and expected votes from T MC-dropout passes (several --model = ensemble)')
    .requiredOption('--model <dir...>', 'model folder(s) or shipped model name(s) such as gz2; several form an equal-weight ensemble')
    .requiredOption('--catalog <dir>', 'catalog folder or table of galaxies to predict')
    .requiredOption('--out <dir>', 'output folder')
    .option('--passes <n>', 'MC-dropout passes per model', (v) => parseInteger(v, '--passes', 1), 15)
    .option('--votes <n>', 'nominal volunteers N for expected votes', (v) => parseInteger(v, '--votes', 1), 40)
    .option('--asked-threshold <p>', 'friendly table blanks questions with P(asked) below this', (v) => parseNumber(v, '--asked-threshold', 0, 1), 0.5)
    .option('--seed <n>', 'seed of the dropout masks', (v) => parseInteger(v, '--seed', 0), 0)
    .option('--backend <name>', 'compute backend: wasm | cpu | tensorflow')
    .action(async (flags: Flags) => {
      await initBackend({ backend: flags.backend ?? '', source: '--backend' });
      console.log(describeBackend());
      const result = await predict({ models: flags.model, catalog: flags.catalog, out: flags.out, passes: flags.passes, votes: flags.votes, askedThreshold: flags.askedThreshold, seed: flags.seed });
      console.log(`${result.galaxies} galaxies: ${result.files.friendlyCsv}, ${result.files.fullCsv} (+ Parquet)`);
    });
}
