/**
 * The command line a job was started with, as a user would retype it (`galmorph train --data … --out …`), so that
 * messages can name the exact command to resume with. Set by the CLI; null when a job is called through the API.
 */

let invoked: string[] | null = null;

/** Records the arguments after `galmorph` (the CLI calls this once, before running the command). */
export function setCommandLine(args: readonly string[]): void {
  invoked = [...args];
}

/** `galmorph <args>` quoted for a POSIX shell, or null outside the CLI. */
export function commandLine(): string | null {
  return invoked === null ? null : ['galmorph', ...invoked].map(shellQuote).join(' ');
}

/** The same command with `--resume` added (once), or null outside the CLI. */
export function resumeCommandLine(): string | null {
  if (invoked === null) return null;
  const args = invoked.includes('--resume') ? invoked : [...invoked, '--resume'];
  return ['galmorph', ...args].map(shellQuote).join(' ');
}

/** One argument quoted for a POSIX shell (left bare when it has nothing the shell would interpret). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_\-+=.,/:@%]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
