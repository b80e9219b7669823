import { Migration } from '@mikro-orm/migrations';

/**
 * API tokens (issue #2). Written with the knex schema builder so the same migration produces the
 * right DDL for SQLite and PostgreSQL.
 */
export class Migration0001ApiTokens extends Migration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.addSql(
      knex.schema.createTable('api_tokens', (t) => {
        t.string('id', 36).primary();
        t.string('name', 100).notNullable();
        t.string('role', 16).notNullable();
        t.string('agent', 100).nullable();
        t.json('agent_roles').notNullable();
        t.string('hint', 16).notNullable();
        t.string('secret_hash', 64).notNullable().unique();
        t.datetime('created_at').notNullable();
        t.string('created_by', 36).nullable();
        t.datetime('last_used_at').nullable();
        t.datetime('revoked_at').nullable();
        t.index(['created_at', 'id']);
      }).toQuery(),
    );
  }

  override async down(): Promise<void> {
    this.addSql(this.getKnex().schema.dropTable('api_tokens').toQuery());
  }
}
