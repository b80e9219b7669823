import { Migration } from '@mikro-orm/migrations';
import { schemaStatements } from './schema-statements.ts';

/**
 * The audit log (DESIGN §7, issue #4 §6). Knex schema builder only, one statement per `addSql`
 * (see schema-statements.ts), so SQLite and PostgreSQL get the same table from the same code.
 *
 * Fork prevention lives in the schema: `seq` is a plain integer primary key that the writer sets to
 * head + 1 (not an identity/auto-increment column), and `prev_hash` is unique. Two writers that read
 * the same head cannot both commit: the second insert violates one of the two constraints and is
 * retried on the new head. `run_id` is '' for live entries (see entities/run-key.ts). The indexes
 * serve `auditEvents` filters; the ones a list orders within end in `seq`.
 */
export class Migration0003Audit extends Migration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.add(
      knex.schema.createTable('audit_events', (t) => {
        t.integer('seq').notNullable().primary();
        t.string('id', 36).notNullable().unique({ indexName: 'audit_events_id_unique' });
        t.datetime('at').notNullable();
        t.string('kind', 32).notNullable();
        t.string('request_id', 64).nullable();
        t.string('agent', 200).nullable();
        t.string('role', 200).nullable();
        t.string('spec_id', 256).nullable();
        t.string('action', 100).nullable();
        t.string('decision', 32).nullable();
        t.string('reason_code', 100).nullable();
        t.json('details').notNullable();
        t.json('origin').notNullable();
        t.boolean('dry_run').notNullable();
        t.string('run_id', 64).notNullable().defaultTo('');
        t.string('prev_hash', 64).notNullable().unique({ indexName: 'audit_events_prev_hash_unique' });
        t.string('hash', 64).notNullable();
        t.index(['request_id'], 'audit_events_request_index');
        t.index(['agent', 'seq'], 'audit_events_agent_index');
        t.index(['kind', 'seq'], 'audit_events_kind_index');
        t.index(['at'], 'audit_events_at_index');
        t.index(['run_id', 'seq'], 'audit_events_run_index');
      }),
    );
  }

  /** One `addSql` per statement; a knex schema builder accumulates, so each call gets a fresh one. */
  private add(builder: Parameters<typeof schemaStatements>[0]): void {
    for (const sql of schemaStatements(builder)) this.addSql(sql);
  }

  override async down(): Promise<void> {
    this.add(this.getKnex().schema.dropTable('audit_events'));
  }
}
