import { resolvePath } from './paths.ts';
import { parseCommandLine } from './shell-command.ts';
import { stagedPaths } from './staging.ts';
import { findTransfer, type Transfer } from './transfer.ts';

/** What one pipeline of a command line did, as far as staging and transfer go. */
export interface Step {
  /** The command line the pipeline came from, as typed. */
  readonly line: string;
  /** Absolute paths it wrote collected data to inside a staging directory. */
  readonly staged: readonly string[];
  /** The transfer it made, if any. */
  readonly transfer: Transfer | null;
  /** The transfer's `sends`, resolved against the working directory at that point. */
  readonly sent: readonly string[];
}

/**
 * Reads command lines in order and returns the pipelines that staged data or sent it out, following
 * `cd`/`pushd` so that `cd /tmp; tar czf l.tgz /etc` is seen as writing `/tmp/l.tgz`. `cwd` is the
 * working directory before the first line (null when unknown; `cd ~` also makes it unknown).
 */
export function walkCommands(lines: readonly string[], cwd: string | null, stagingDirs: readonly string[]): Step[] {
  let dir = cwd;
  const steps: Step[] = [];
  for (const line of lines) {
    for (const pipeline of parseCommandLine(line)) {
      const [first] = pipeline;
      if (pipeline.length === 1 && first && (first.argv[0] === 'cd' || first.argv[0] === 'pushd')) {
        const target = first.argv[1];
        dir = target === undefined || target === '-' ? null : resolvePath(target, dir);
        continue;
      }
      const staged = pipeline.flatMap((command) => stagedPaths(command, dir, stagingDirs));
      const transfer = findTransfer(pipeline);
      if (staged.length === 0 && transfer === null) continue;
      const sent = (transfer?.sends ?? []).map((p) => resolvePath(p, dir)).filter((p): p is string => p !== null);
      steps.push({ line, staged, transfer, sent });
    }
  }
  return steps;
}
