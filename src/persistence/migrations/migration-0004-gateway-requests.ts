import { Migration } from '@mikro-orm/migrations';
import { schemaStatements } from './schema-statements.ts';

/**
 * Gateway requests (issue #4): the filterable columns, plus the whole record as JSON. `run_id` is ''
 * for live requests, as in the tagging tables.
 */
export class Migration0004GatewayRequests extends Migration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    const statements = schemaStatements(
      knex.schema.createTable('gateway_requests', (t) => {
        t.string('request_id', 40).primary();
        t.string('run_id', 64).notNullable().defaultTo('');
        t.string('agent', 100).notNullable();
        t.string('role', 100).notNullable();
        t.string('spec_id', 256).notNullable();
        t.string('action', 64).notNullable();
        t.string('status', 24).notNullable();
        t.string('execution', 16).notNullable();
        t.bigInteger('created_at').notNullable();
        t.text('record').notNullable();
        t.index(['run_id', 'created_at', 'request_id'], 'gateway_requests_list_index');
        t.index(['status'], 'gateway_requests_status_index');
        t.index(['agent'], 'gateway_requests_agent_index');
      }),
    );
    for (const sql of statements) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const sql of schemaStatements(this.getKnex().schema.dropTable('gateway_requests'))) this.addSql(sql);
  }
}
