import { Migration } from '@mikro-orm/migrations';
import { schemaStatements } from './schema-statements.ts';

/**
 * Tagging storage (DESIGN §6): events, tags, the `ttpTagged` stream and rule state. Knex schema
 * builder only, so SQLite and PostgreSQL get the same tables from the same code.
 *
 * `run_id` is NOT NULL with '' for live rows: it is part of the idempotency keys, and unique
 * constraints treat NULLs as distinct (see entities/run-key.ts). Every tag query filters on the
 * run, so the list index leads with run_id and the keyset order (created_at, id) follows it.
 */
export class Migration0002Tagging extends Migration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.add(
      knex.schema.createTable('events', (t) => {
        t.increments('key').primary();
        t.string('source_kind', 64).notNullable();
        t.string('source_id', 320).notNullable();
        t.datetime('occurred_at').notNullable();
        t.string('attacker_id', 256).nullable();
        t.string('session_id', 256).nullable();
        t.string('host', 256).nullable();
        t.json('payload').notNullable();
        t.datetime('ingested_at').notNullable();
        t.string('run_id', 64).notNullable().defaultTo('');
        t.unique(['source_kind', 'source_id', 'run_id'], { indexName: 'events_source_run_unique' });
      }),
    );
    this.add(
      knex.schema.createTable('tags', (t) => {
        t.string('id', 36).notNullable();
        t.string('run_id', 64).notNullable().defaultTo('');
        t.string('rule_id', 100).notNullable();
        t.integer('rule_version').notNullable();
        t.string('tactic', 16).notNullable();
        t.string('technique_id', 16).notNullable();
        t.string('sub_technique_id', 16).nullable();
        t.double('confidence').notNullable();
        t.json('evidence').notNullable();
        t.string('source_kind', 64).notNullable();
        t.string('source_id', 320).notNullable();
        t.string('attacker_id', 256).nullable();
        t.string('session_id', 256).nullable();
        t.datetime('occurred_at').notNullable();
        t.datetime('created_at').notNullable();
        t.primary(['id', 'run_id']);
        t.index(['run_id', 'created_at', 'id'], 'tags_run_created_index');
        t.index(['technique_id'], 'tags_technique_index');
        t.index(['rule_id'], 'tags_rule_index');
        t.index(['source_kind', 'source_id'], 'tags_source_index');
        t.index(['attacker_id'], 'tags_attacker_index');
        t.index(['session_id'], 'tags_session_index');
      }),
    );
    this.add(
      knex.schema.createTable('tagged_events', (t) => {
        t.increments('seq').primary();
        t.string('source_kind', 64).notNullable();
        t.string('source_id', 320).notNullable();
        t.string('attacker_id', 256).nullable();
        t.string('session_id', 256).nullable();
        t.json('tag_ids').notNullable();
        t.json('techniques_added').notNullable();
        t.datetime('created_at').notNullable();
        t.string('run_id', 64).notNullable().defaultTo('');
        t.index(['run_id', 'seq'], 'tagged_events_run_seq_index');
      }),
    );
    this.add(
      knex.schema.createTable('rule_states', (t) => {
        t.string('rule_id', 100).primary();
        t.string('state', 16).notNullable();
        t.double('confidence_max').nullable();
        t.datetime('expires_at').nullable();
        t.string('reason', 500).nullable();
        t.string('set_by', 100).nullable();
        t.datetime('set_at').notNullable();
      }),
    );
    this.add(
      knex.schema.createTable('rule_state_history', (t) => {
        t.increments('id').primary();
        t.string('rule_id', 100).notNullable();
        t.string('action', 8).notNullable();
        t.string('state', 16).notNullable();
        t.double('confidence_max').nullable();
        t.datetime('expires_at').nullable();
        t.string('reason', 500).nullable();
        t.string('set_by', 100).nullable();
        t.datetime('set_at').notNullable();
        t.index(['rule_id', 'id'], 'rule_state_history_rule_index');
      }),
    );
    // Repairs migration 0001, whose index never reached SQLite (see schema-statements.ts). Plain SQL
    // that SQLite and PostgreSQL both accept; on PostgreSQL the index exists and this is a no-op.
    this.addSql('create index if not exists api_tokens_created_at_id_index on api_tokens (created_at, id)');
  }

  /** One `addSql` per statement; a knex schema builder accumulates, so each call gets a fresh one. */
  private add(builder: Parameters<typeof schemaStatements>[0]): void {
    for (const sql of schemaStatements(builder)) this.addSql(sql);
  }

  override async down(): Promise<void> {
    const knex = this.getKnex();
    for (const table of ['rule_state_history', 'rule_states', 'tagged_events', 'tags', 'events']) {
      this.add(knex.schema.dropTable(table));
    }
  }
}
