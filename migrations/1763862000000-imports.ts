import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Bulk imports. An upload is parsed while it streams in and COPYed into `import_rows` (the
 * staging table); a worker then merges it in batches, each batch committing its effects, its
 * error rows and the import's cursor together, so a crash resumes after the last committed
 * batch without applying anything twice.
 */
export class Imports1763862000000 implements MigrationInterface {
  name = 'Imports1763862000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('customers', 'transactions')),
        status text NOT NULL CHECK (status IN ('receiving', 'queued', 'processing', 'completed', 'failed')),
        dry_run boolean NOT NULL DEFAULT false,
        format text NOT NULL,
        charset text NOT NULL,
        mapping jsonb NOT NULL,
        created_by text,
        total_rows integer NOT NULL DEFAULT 0,
        total_groups integer NOT NULL DEFAULT 0,
        processed integer NOT NULL DEFAULT 0,
        created integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        cursor_line integer NOT NULL DEFAULT 0,
        cursor_key text NOT NULL DEFAULT '',
        batches integer NOT NULL DEFAULT 0,
        error text,
        started_at timestamptz,
        finished_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX imports_created_idx ON imports (tenant_id, created_at DESC, id DESC)`,
    );
    // The resume scan at start-up looks for unfinished imports across tenants.
    await q.query(
      `CREATE INDEX imports_pending_idx ON imports (tenant_id, status) WHERE status IN ('queued', 'processing')`,
    );
    await enableTenantRls(q, 'imports');

    // Staging: one mapped source row per line; group_key is the receipt id of line-level files.
    await q.query(`
      CREATE TABLE import_rows (
        tenant_id uuid NOT NULL,
        import_id uuid NOT NULL,
        line_no integer NOT NULL,
        group_key text,
        record jsonb NOT NULL,
        PRIMARY KEY (tenant_id, import_id, line_no)
      )`);
    await q.query(
      `CREATE INDEX import_rows_group_idx ON import_rows (tenant_id, import_id, group_key) WHERE group_key IS NOT NULL`,
    );
    await enableTenantRls(q, 'import_rows');

    await q.query(`
      CREATE TABLE import_errors (
        tenant_id uuid NOT NULL,
        import_id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        line_no integer NOT NULL,
        column_name text,
        value text,
        code text NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (tenant_id, import_id, seq)
      )`);
    await q.query(
      `CREATE INDEX import_errors_line_idx ON import_errors (tenant_id, import_id, line_no, seq)`,
    );
    await enableTenantRls(q, 'import_errors');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_errors`);
    await q.query(`DROP TABLE import_rows`);
    await q.query(`DROP TABLE imports`);
  }
}
