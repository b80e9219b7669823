import { Migration } from '@mikro-orm/migrations';
import { schemaStatements } from './schema-statements.ts';

/**
 * Operator service (issue #5): governance revisions (the primary key is the compare-and-set), scenario
 * overlays, small operator settings (the active scenario), runs with their step results and logs,
 * and export bundles. Runs, like gateway requests, keep filterable columns plus the record as JSON.
 */
export class Migration0005Operator extends Migration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    const add = (builder: Parameters<typeof schemaStatements>[0]) => {
      for (const sql of schemaStatements(builder)) this.addSql(sql);
    };
    add(
      knex.schema.createTable('governance_revisions', (t) => {
        t.integer('revision').primary();
        t.text('record').notNullable();
        t.bigInteger('updated_at').notNullable();
      }),
    );
    add(
      knex.schema.createTable('scenario_overlays', (t) => {
        t.string('scenario_id', 100).primary();
        t.text('overlay').notNullable();
        t.string('updated_by', 100).nullable();
        t.bigInteger('updated_at').notNullable();
      }),
    );
    add(
      knex.schema.createTable('operator_settings', (t) => {
        t.string('key', 64).primary();
        t.text('value').notNullable();
        t.bigInteger('updated_at').notNullable();
      }),
    );
    add(
      knex.schema.createTable('runs', (t) => {
        t.string('run_id', 48).primary();
        t.string('scenario_id', 100).notNullable();
        t.string('state', 16).notNullable();
        t.bigInteger('created_at').notNullable();
        t.string('started_by', 100).nullable();
        t.string('idempotency_key', 200).nullable();
        t.boolean('detail_retained').notNullable();
        t.text('record').notNullable();
        t.index(['created_at', 'run_id'], 'runs_created_index');
        t.index(['state'], 'runs_state_index');
        t.index(['scenario_id', 'created_at'], 'runs_scenario_index');
        t.index(['idempotency_key'], 'runs_idempotency_index');
      }),
    );
    add(
      knex.schema.createTable('run_steps', (t) => {
        t.string('run_id', 48).notNullable();
        t.integer('step_index').notNullable();
        t.text('record').notNullable();
        t.primary(['run_id', 'step_index']);
      }),
    );
    add(
      knex.schema.createTable('run_logs', (t) => {
        t.string('run_id', 48).notNullable();
        t.integer('seq').notNullable();
        t.bigInteger('at').notNullable();
        t.integer('level').notNullable();
        t.string('event_type', 32).notNullable();
        t.text('message').notNullable();
        t.text('payload').notNullable();
        t.primary(['run_id', 'seq']);
      }),
    );
    add(
      knex.schema.createTable('run_exports', (t) => {
        t.string('export_id', 64).primary();
        t.string('run_id', 48).notNullable();
        t.string('sha256', 64).notNullable();
        t.bigInteger('size_bytes').notNullable();
        t.string('created_by', 100).nullable();
        t.bigInteger('created_at').notNullable();
        t.index(['run_id'], 'run_exports_run_index');
      }),
    );
  }

  override async down(): Promise<void> {
    const knex = this.getKnex();
    for (const table of ['run_exports', 'run_logs', 'run_steps', 'runs', 'operator_settings', 'scenario_overlays', 'governance_revisions']) {
      for (const sql of schemaStatements(knex.schema.dropTable(table))) this.addSql(sql);
    }
  }
}
