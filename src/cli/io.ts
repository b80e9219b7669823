/** Where a command writes. Commands return an exit code; only `src/main.ts` exits the process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}
