import { mkdir } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { toAuditKey } from '../engine/gateway/audit-hash.ts';
import { createDatabase } from '../persistence/database.ts';
import { createAuditRepository } from '../persistence/repositories/audit-repository.ts';
import type { CliIo } from './io.ts';

/**
 * `gatehouse audit verify [--json]`: checks the audit chain straight on the database (issue #4 §6),
 * with the HMAC key from configuration, so an operator can check it without a running server (SQLite
 * WAL lets it run beside one). Exit 0 when the chain verifies, 1 when it is broken; a database that
 * cannot be opened or read is an error, not a verdict.
 */
export async function auditVerify(config: Config, io: CliIo, options: { json?: boolean }): Promise<number> {
  await mkdir(config.dataDir, { recursive: true });
  const db = await createDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate();
    const audit = createAuditRepository(() => db.fork(), { key: toAuditKey(config.auditKey) });
    const result = await audit.verify();
    if (options.json) io.out(`${JSON.stringify({ ...result, keyed: config.auditKey !== undefined })}\n`);
    else if (result.ok) io.out(`audit chain OK: ${result.checked} entries\n`);
    else io.out(`audit chain BROKEN at seq ${result.firstBrokenAt}: ${result.reason}\n`);
    // Every entry is hashed with the key, so a wrong or missing key fails at the very first entry.
    if (!options.json && result.firstBrokenAt === 1 && result.reason === 'hash mismatch') {
      io.err(`hint: if nothing was edited, check GATEHOUSE_AUDIT_KEY (${config.auditKey ? 'set' : 'not set'} here) is the key the server appends with\n`);
    }
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}
