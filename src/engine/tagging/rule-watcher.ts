import { watch, type FSWatcher } from 'node:fs';

/**
 * Watches the rules directory and calls `onChange` (debounced) after files are added, changed or
 * deleted, so edits apply without a restart (DESIGN §6; issue #3 asks for < 2 s). Returns a stop
 * function. Editors write files in several steps; the debounce waits for the last one.
 */
export function watchRules(dir: string, onChange: () => void, options: { debounceMs?: number; onError?(err: Error): void } = {}): () => void {
  const debounceMs = options.debounceMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { recursive: true, persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', (err) => options.onError?.(err));
  } catch (err) {
    options.onError?.(err as Error);
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
