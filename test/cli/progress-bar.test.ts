import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar, PROGRESS_MIN_ITEMS } from '../../src/cli/progress-bar.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  const writable = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  return { stream: Object.assign(writable, { isTTY, columns: 120 }) as unknown as NodeJS.WriteStream, text: () => written.join('') };
}

describe('progress bar', () => {
  it('draws on a terminal for jobs over the threshold and clears itself when stopped', () => {
    const tty = stream(true);
    const bar = createProgressBar(PROGRESS_MIN_ITEMS + 1, 'evaluating', tty.stream);
    expect(bar).not.toBeNull();
    bar?.update(PROGRESS_MIN_ITEMS + 1);
    bar?.stop();
    expect(tty.text()).toContain('evaluating');
  });

  it('stays silent for small jobs and when the stream is not a terminal', () => {
    const tty = stream(true);
    const pipe = stream(false);
    expect(createProgressBar(PROGRESS_MIN_ITEMS, 'evaluating', tty.stream)).toBeNull();
    expect(createProgressBar(PROGRESS_MIN_ITEMS * 10, 'evaluating', pipe.stream)).toBeNull();
    expect(tty.text() + pipe.text()).toBe('');
  });
});
