/** `galmorph info`: which backend and kernels this machine will use, and the built-in schemas. */
import type { Command } from 'commander';
import { initBackend, describeBackend } from '../../backend/initBackend.js';
import { BUILTIN_SCHEMAS, getSchema } from '../../data/schemas/index.js';

export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('print the compute backend, its kernels and the built-in Galaxy Zoo schemas')
    .option('--backend <name>', 'compute backend: wasm | cpu | tensorflow')
    .action(async (flags: { backend?: string }) => {
      const d = await initBackend({ backend: flags.backend ?? '', source: '--backend' });
      console.log(describeBackend(d));
      if (d.kernels.length > 0) console.log(`galmorph kernels: ${d.kernels.join(', ')}`);
      if (d.nativeKernels.length > 0) console.log(`native kernels: ${d.nativeKernels.join(', ')}`);
      for (const name of BUILTIN_SCHEMAS) {
        const s = getSchema(name);
        console.log(`schema ${name}: ${s.questions.length} questions, ${s.numAnswers} answers`);
      }
    });
}
