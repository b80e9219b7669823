/**
 * A lane runs the work handed to it one piece at a time, in the order it was handed over, whether
 * earlier pieces resolved or threw; each caller gets its own piece's outcome. Two lanes in a row make
 * a pipeline: piece N+1 can be in the first lane while piece N is in the second.
 */
export interface SerialLane {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createSerialLane(): SerialLane {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(work) {
      const result = tail.then(work, work);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
