import { closeSync, readSync, type Stats } from 'node:fs';
import { openRegularFile } from './safe-open.ts';

/**
 * Reading with a ceiling. The size from `fstat` is only a hint (a file can grow while it is read), so
 * the ceiling is enforced on the bytes actually read: callers ask for `limit + 1` bytes and treat a
 * full result as "over the limit". Memory grows with what the file holds, never with the limit.
 */

const CHUNK_BYTES = 64 * 1024;

/**
 * The first `maxBytes` bytes of the regular file `target` (all of it if shorter) and its `fstat`,
 * opened as `openRegularFile` does and closed again. Synchronous, like the open (safe-open.ts).
 */
export function readRegularFileUpTo(action: string, target: string, maxBytes: number): { bytes: Buffer; stats: Stats } {
  const { fd, stats } = openRegularFile(action, target);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < maxBytes) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes - total));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, total);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
    return { bytes: Buffer.concat(chunks, total), stats };
  } finally {
    closeSync(fd);
  }
}

/** The length of the longest prefix of `bytes` no longer than `max` that does not split a UTF-8 character. */
export function utf8PrefixLength(bytes: Uint8Array, max: number): number {
  if (max >= bytes.length) return bytes.length;
  const isContinuation = (i: number) => ((bytes[i] ?? 0) & 0xc0) === 0x80;
  // Step back over the continuation bytes (10xxxxxx) of a character that the cut at `max` splits;
  // a UTF-8 character is at most 4 bytes, so its lead byte is at most 3 bytes before `max`.
  let start = max;
  while (start > 0 && max - start < 3 && isContinuation(start)) start -= 1;
  const isLead = ((bytes[start] ?? 0) & 0xc0) === 0xc0;
  return start < max && isLead ? start : max;
}
