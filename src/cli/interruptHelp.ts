/** The `--help` note on locks and interruption shared by the commands that train (README "Checkpoints, resuming, locks and interruption"). */

/** What `--resume` does after an interruption, per command. */
export type ResumeAfterInterrupt = 'step' | 'cell' | 'none';

export function interruptHelp(resume: ResumeAfterInterrupt): string {
  const after = {
    step: 'saves a checkpoint with its position in the epoch; the logged command (--resume) continues from the next batch',
    cell: 'keeps the completed cells; the logged command (--resume) runs the interrupted cell again',
    none: 'keeps what run.log and models/ already hold; active-learn cannot resume a single run, so the logged command starts again (with --seeds 2 or more, --resume keeps the finished seeds)',
  }[resume];
  return `Interrupting: Ctrl-C (SIGINT) or SIGTERM lets the current training step finish, ${after}, and exits with 130 or 143 ` +
    '(a second Ctrl-C stops at once). The run folder is locked (OUT/run.lock, pid and host) while the job runs: a second job with the same --out is refused.';
}
