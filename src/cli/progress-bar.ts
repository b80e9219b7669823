import { createRequire } from 'node:module';

/**
 * A progress bar on stderr for long CLI jobs. Only for a person watching: null (no bar) when stderr is
 * not a terminal, so pipes, CI logs and tests get no escape codes, and for jobs too small to need one.
 */
export const PROGRESS_MIN_ITEMS = 1000;

export interface ProgressBar {
  update(done: number): void;
  /** Draws the final state and restores the terminal; call it in a `finally`. */
  stop(): void;
}

/** The part of cli-progress used here (the package ships no type declarations). */
interface CliProgressModule {
  SingleBar: new (
    options: { stream: NodeJS.WritableStream; format: string; clearOnComplete: boolean; hideCursor: boolean },
    preset: object,
  ) => { start(total: number, start: number): void; update(value: number): void; stop(): void };
  Presets: { shades_classic: object };
}

export function createProgressBar(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar | null {
  if (!stream.isTTY || total <= PROGRESS_MIN_ITEMS) return null;
  const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as CliProgressModule;
  const bar = new SingleBar({ stream, format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta}s`, clearOnComplete: true, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
