/**
 * Hints name only options that exist (issue 10): every `--flag` written in the sources of the command line, the
 * workflows and the data layer (error hints, help, summaries) is a flag some galmorph command declares.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

/** Flags of the program and all its subcommands, with `--no-…` negations, --help and --version. */
function declaredFlags(cmd: Command, into = new Set<string>(['--help', '--version'])): Set<string> {
  for (const o of cmd.options) if (o.long !== undefined) into.add(o.long);
  for (const sub of cmd.commands) declaredFlags(sub, into);
  return into;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Sources whose `--` words are other programs' flags (Node, the benchmark runner, the Python reference). */
const OTHER_PROGRAMS = /src\/(bench|backend)\/|decodeWorkerClient\.ts|dataParallel\.ts/;

describe('hints name only options that exist', () => {
  it('every --flag in src/ is declared by a galmorph command', () => {
    const flags = declaredFlags(buildProgram());
    expect(flags).toContain('--on-bad');
    expect(flags).toContain('--label-kind');
    expect(flags).toContain('--allow-absolute-paths');
    const unknown: string[] = [];
    for (const file of sources('src').filter((f) => !OTHER_PROGRAMS.test(f))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/[`'" (]--([a-z][a-z0-9-]*)/g)) {
        const flag = `--${m[1]}`;
        if (flag === '--no-' || flags.has(flag)) continue;
        unknown.push(`${file}: ${flag}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('no message tells a command-line user to set an API-only option as if it were a flag', () => {
    const offenders: string[] = [];
    for (const file of sources('src').filter((f) => !OTHER_PROGRAMS.test(f))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:set|use|pass) (onBad|labelKind|fractionStyle|idColumn|imageDir)\b/g)) offenders.push(`${file}: ${m[0]}`);
      for (const m of text.matchAll(/onBad: "skip"/g)) offenders.push(`${file}: ${m[0]}`);
    }
    expect(offenders).toEqual([]);
  });
});
