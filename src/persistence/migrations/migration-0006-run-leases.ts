import { Migration } from '@mikro-orm/migrations';
import { schemaStatements } from './schema-statements.ts';

/**
 * Run leases (issue #6 §4): the instance executing a run holds a lease and renews it; when it stops
 * renewing (the process died), another instance ends the run FAULT (interrupted) once the lease has
 * expired. Plain column additions, the same on SQLite and PostgreSQL.
 */
export class Migration0006RunLeases extends Migration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    for (const sql of schemaStatements(
      knex.schema.alterTable('runs', (t) => {
        t.string('owner', 200).nullable();
        t.bigInteger('lease_expires_at').nullable();
        t.index(['state', 'lease_expires_at'], 'runs_lease_index');
      }),
    ))
      this.addSql(sql);
  }
}
