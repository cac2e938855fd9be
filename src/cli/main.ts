#!/usr/bin/env node
/**
 * The `galmorph` command line: a thin shell. Each command lives in `src/cli/commands/<name>.ts`, parses its
 * arguments, calls one workflow and prints where the results went.
 */
import { Command, CommanderError } from 'commander';
import { registerCheckCommand } from './commands/check.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerInfoCommand } from './commands/info.js';
import { registerPredictCommand } from './commands/predict.js';
import { registerActiveLearnCommand } from './commands/activeLearn.js';
import { registerTrainCommand } from './commands/train.js';
import { registerExperimentCommand } from './commands/experiment.js';
import { registerClusterCommand } from './commands/cluster.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerEmbedCommand } from './commands/embed.js';
import { registerSimilarCommand } from './commands/similar.js';
import { registerMapCommand } from './commands/map.js';
import { registerAnomaliesCommand } from './commands/anomalies.js';
import { registerChooseKCommand } from './commands/chooseK.js';
import { registerFinetuneCommand } from './commands/finetune.js';
import { registerQueueCommand } from './commands/queue.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerServeCommand } from './commands/serve.js';
import { PACKAGE_VERSION } from '../util/packageInfo.js';
import { setCommandLine } from '../util/commandLine.js';
import { installInterruptHandlers, InterruptedError } from '../util/interrupt.js';
import { describeError } from '../util/errors.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('galmorph')
    .description('Galaxy morphology when labels are scarce: simulate, train, evaluate, pick galaxies to label.')
    .version(PACKAGE_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Before the commands are added, so they inherit it: a usage error throws a CommanderError (main sets the exit code).
    .exitOverride();
  registerInfoCommand(program);
  registerSimulateCommand(program);
  registerTrainCommand(program);
  registerPredictCommand(program);
  registerActiveLearnCommand(program);
  registerCheckCommand(program);
  registerExperimentCommand(program);
  registerClusterCommand(program);
  registerGenerateCommand(program);
  registerEmbedCommand(program);
  registerSimilarCommand(program);
  registerMapCommand(program);
  registerAnomaliesCommand(program);
  registerChooseKCommand(program);
  registerFinetuneCommand(program);
  registerQueueCommand(program);
  registerWorkerCommand(program);
  registerServeCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // The exact command, for "resume with …" messages; SIGINT/SIGTERM stop training jobs at a step boundary with a checkpoint.
  setCommandLine(argv.slice(2));
  installInterruptHandlers();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    if (e instanceof InterruptedError) {
      // 128 + the signal's number, as a shell reports a process the signal ended.
      process.stderr.write(`galmorph: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`galmorph: ${describeError(e)}\n`);
    if (process.env.GALMORPH_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry || process.argv[1]?.endsWith('/galmorph')) {
  await main(process.argv);
}
